// The page fetcher on its own, against the loopback server: concurrent GETs handed back in
// the order they were asked for, the bound on requests in flight, and abandoning a queue.
#include <atomic>
#include <chrono>
#include <future>

#include "harness.hpp"
#include "http/page_fetcher.hpp"
#include "spec/endpoint.hpp"
#include "spec/spec.hpp"

namespace stacklite::testing {
namespace {

class FetcherTest : public ServerTest {
 protected:
  void SetUp() override {
    testserver::Options options;
    options.latency_ms = 50;
    options.threads = 40;
    serve(small_dataset("octo-org", "octo-repo", 1000), options);
    const ProviderSpec* github = nullptr;
    for (const auto& p : bundled_providers())
      if (p.name == "github") github = &p;
    ASSERT_TRUE(github);
    settings_ = std::make_shared<ClientSettings>();
    client_ = std::make_unique<ApiClient>(resolve_endpoint(*github, server_->base_url(), ""), settings_);
  }
  std::string page_url(int n) const {
    return client_->url_for("/repos/octo-org/octo-repo/actions/runs?per_page=100&page=" + std::to_string(n));
  }
  // The first run id a page lists, read from its body.
  static std::string first_id(const HttpResponse& r) {
    std::string_view body = r.body.view();
    size_t at = body.find("\"id\":");
    return at == std::string_view::npos ? "" : std::string(body.substr(at + 5, body.find(',', at) - at - 5));
  }
  std::shared_ptr<ClientSettings> settings_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(FetcherTest, ResponsesComeBackInTheOrderAskedWithAtMostTheLimitInFlight) {
  settings_->max_concurrency = 3;
  settings_->cache = 0;
  // The pages one at a time, as a reference.
  std::vector<std::string> want;
  for (int n = 10; n >= 1; --n) {
    HttpResponse r;
    client_->get(page_url(n), r);
    ASSERT_EQ(r.status, 200);
    want.push_back(first_id(r));
  }
  server_->clear_requests();
  PageFetcher fetcher(*client_);
  EXPECT_EQ(fetcher.concurrency(), 3);
  for (int n = 10; n >= 1; --n) fetcher.submit(page_url(n));  // backwards: order is the caller's
  std::vector<std::string> got;
  for (int i = 0; i < 10; ++i) {
    HttpResponse r;
    fetcher.take(r);
    fetcher.proceed();
    EXPECT_EQ(r.status, 200);
    got.push_back(first_id(r));
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(fetcher.queued(), 0u);
  EXPECT_EQ(server_->max_in_flight(), 3);
  EXPECT_EQ(api_requests().size(), 10u);
}

TEST_F(FetcherTest, NothingStartsAfterATakeUntilTheConsumerProceeds) {
  settings_->max_concurrency = 1;
  PageFetcher fetcher(*client_);
  fetcher.submit(page_url(1));
  fetcher.submit(page_url(2));
  HttpResponse r;
  fetcher.take(r);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(api_requests().size(), 1u);  // page 2 waits: page 1 might have been an error
  fetcher.proceed();
  fetcher.take(r);
  EXPECT_EQ(api_requests().size(), 2u);
}

// A listing whose page the table filtered to nothing asks for its next page only then,
// behind answers already fetched for the listings after it: the bound on answers held
// (2 x max_concurrency) must not keep that page, which the statement waits for, from
// starting. (It did: the statement waited forever.)
TEST_F(FetcherTest, APageAskedForBehindAnswersHeldForLaterListingsStillStarts) {
  settings_->max_concurrency = 2;
  std::atomic<bool> give_up{false};
  settings_->interrupted = [&] { return give_up.load(); };
  PageFetcher fetcher(*client_);
  fetcher.submit(page_url(11), 1);
  for (int n = 21; n <= 26; ++n) fetcher.submit(page_url(n), 2);
  // The later listings' answers fill the bound: 4 held, nothing more starts.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (api_requests().size() < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(api_requests().size(), 4u);
  fetcher.submit(page_url(1), 0);
  auto taken = std::async(std::launch::async, [&] {
    HttpResponse r;
    fetcher.take(r);
    return r.status;
  });
  if (taken.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    give_up = true;  // ends the wait (as an interrupt) so that the test can report
    ADD_FAILURE() << "the page the statement waits for never started";
    EXPECT_THROW(taken.get(), Interrupted);
    return;
  }
  EXPECT_EQ(taken.get(), 200);
}

TEST_F(FetcherTest, ClearAbandonsWhatIsQueuedAndTheFetcherGoesOn) {
  settings_->max_concurrency = 4;
  PageFetcher fetcher(*client_);
  for (int n = 1; n <= 8; ++n) fetcher.submit(page_url(n));
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  fetcher.clear();
  EXPECT_EQ(fetcher.queued(), 0u);
  fetcher.submit(page_url(9));
  HttpResponse r;
  auto start = std::chrono::steady_clock::now();
  fetcher.take(r);
  EXPECT_EQ(r.status, 200);
  // The abandoned requests were told to stop: page 9 did not wait behind them.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
  bool nine = false;
  for (const auto& req : api_requests()) nine |= req.param("page") == "9";
  EXPECT_TRUE(nine);
}

TEST_F(FetcherTest, AnErrorIsHandedBackInItsPlace) {
  settings_->max_concurrency = 4;
  settings_->max_retries = 0;
  server_->inject(Fault::reset(), 1, "&page=2");
  PageFetcher fetcher(*client_);
  for (int n = 1; n <= 3; ++n) fetcher.submit(page_url(n));
  HttpResponse r;
  fetcher.take(r);
  EXPECT_EQ(r.status, 200);
  fetcher.proceed();
  EXPECT_THROW(fetcher.take(r), Error);
}

}  // namespace
}  // namespace stacklite::testing
