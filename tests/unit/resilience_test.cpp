// Rate limits, retries and the response cache, decided by the API client against a scripted
// transport: what is waited out, what is retried, what is remembered, and what is an error.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <functional>

#include "http/api_client.hpp"
#include "http/rate_limit.hpp"
#include "http/response_cache.hpp"
#include "spec/endpoint.hpp"
#include "spec/spec.hpp"
#include "util/text.hpp"

namespace stacklite {
namespace {

using Clock = std::chrono::steady_clock;

HttpResponse response(long status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body.assign(body);
  r.headers = std::move(headers);
  return r;
}

int64_t now_epoch() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Answers each request with the next scripted step (a response, or a thrown TransportError)
// and keeps every request it was given.
class ScriptedTransport final : public HttpTransport {
 public:
  using Step = std::function<HttpResponse(const HttpRequest&)>;
  std::deque<Step> steps;
  std::vector<HttpRequest> requests;

  void perform(const HttpRequest& request, const TransportLimits&, HttpResponse& out) override {
    requests.push_back(request);
    if (steps.empty()) throw TransportError(TransportError::Kind::Broken, "script ran out");
    Step step = std::move(steps.front());
    steps.pop_front();
    out = step(request);
  }
};

ScriptedTransport::Step answer(long status, std::string body,
                               std::vector<std::pair<std::string, std::string>> headers = {}) {
  return [=](const HttpRequest&) { return response(status, body, headers); };
}

ScriptedTransport::Step fail(TransportError::Kind kind) {
  return [kind](const HttpRequest&) -> HttpResponse { throw TransportError(kind, "scripted failure"); };
}

std::string header_of(const HttpRequest& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (iequals(std::string_view(h).substr(0, h.find(':')), name))
      return std::string(trim(std::string_view(h).substr(h.find(':') + 1)));
  return "";
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("STACKLITE_UNIT_TOKEN", "unit-secret-1", 1);
    settings_ = std::make_shared<ClientSettings>();
    settings_->retry_base_ms = 1;
    settings_->max_wait_s = 5;
    client_ = make_client();
  }
  void TearDown() override { unsetenv("STACKLITE_UNIT_TOKEN"); }

  std::unique_ptr<ApiClient> make_client(const std::string& base = "https://api.test") {
    auto transport = std::make_unique<ScriptedTransport>();
    transport_ = transport.get();
    return std::make_unique<ApiClient>(resolve_endpoint(*bundled_provider("github"), base, "STACKLITE_UNIT_TOKEN"),
                                       settings_, std::move(transport));
  }
  std::string url(const std::string& path = "/repos/o/r/actions/runs") { return "https://api.test" + path; }
  // The error a GET of url() ends in; fails the test when it succeeds.
  std::string get_error() {
    HttpResponse r;
    try {
      client_->get(url(), r);
    } catch (const Error& e) {
      return e.what();
    }
    ADD_FAILURE() << "no error";
    return std::string();
  }

  std::shared_ptr<ClientSettings> settings_;
  std::unique_ptr<ApiClient> client_;
  ScriptedTransport* transport_ = nullptr;
};

const char* kPage = R"({"total_count":1,"workflow_runs":[{"id":1}]})";

// --- what a response says about rate limits -------------------------------------------

TEST(RateLimit, HeadersAreReadAndReportedAsJson) {
  auto r = response(200, "{}",
                    {{"x-ratelimit-limit", "5000"},
                     {"x-ratelimit-remaining", "4990"},
                     {"x-ratelimit-used", "10"},
                     {"x-ratelimit-reset", "1767225600"},
                     {"x-ratelimit-resource", "core"}});
  auto state = RateLimitState::from(r);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->to_json(), R"({"limit":5000,"remaining":4990,"used":10,"reset":1767225600,"resource":"core"})");
  EXPECT_FALSE(RateLimitState::from(response(200, "{}")));
  auto junk = RateLimitState::from(response(200, "{}", {{"x-ratelimit-remaining", "lots"}}));
  ASSERT_TRUE(junk);
  EXPECT_EQ(junk->to_json(), R"({"limit":null,"remaining":null,"used":null,"reset":null,"resource":null})");
}

TEST(RateLimit, PrimarySecondaryOrNeither) {
  using Kind = RateLimitHit::Kind;
  EXPECT_EQ(classify_rate_limit(response(403, R"({"message":"API rate limit exceeded for 1.2.3.4."})",
                                         {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "99"}}))
                .kind,
            Kind::Primary);
  EXPECT_EQ(classify_rate_limit(response(429, "{}", {{"x-ratelimit-remaining", "0"}})).kind, Kind::Primary);
  auto secondary = classify_rate_limit(
      response(403, R"({"message":"You have exceeded a secondary rate limit. Please wait a few minutes."})",
               {{"x-ratelimit-remaining", "4000"}, {"retry-after", "7"}}));
  EXPECT_EQ(secondary.kind, Kind::Secondary);
  EXPECT_EQ(secondary.retry_after_s, 7);
  EXPECT_EQ(classify_rate_limit(response(429, "")).kind, Kind::Secondary);
  EXPECT_EQ(classify_rate_limit(response(429, "")).retry_after_s, -1);
  // A permission error is not a rate limit, whatever the budget says.
  EXPECT_EQ(classify_rate_limit(response(403, R"({"message":"Resource not accessible by integration"})",
                                         {{"x-ratelimit-remaining", "4999"}}))
                .kind,
            Kind::None);
  EXPECT_EQ(classify_rate_limit(response(500, "", {{"x-ratelimit-remaining", "0"}})).kind, Kind::None);
}

TEST(RateLimit, BookKeepsTheLastStatePerBaseUrl) {
  RateLimitBook book;
  EXPECT_EQ(book.to_json(), "{}");
  RateLimitState a;
  a.limit = 60;
  a.remaining = 59;
  book.record("https://api.github.com", a);
  a.remaining = 58;
  book.record("https://api.github.com", a);
  RateLimitState b;
  b.resource = "core\"x";
  book.record("https://ghe/api/v3", b);
  EXPECT_EQ(book.to_json(),
            R"({"https://api.github.com":{"limit":60,"remaining":58,"used":null,"reset":null,"resource":null},)"
            R"("https://ghe/api/v3":{"limit":null,"remaining":null,"used":null,"reset":null,"resource":"core\"x"}})");
}

// --- the cache on its own ---------------------------------------------------------------

TEST(Cache, KeepsOnlySuccessfulResponsesWithAnETagAndNeverTheToken) {
  ResponseCache cache;
  std::string key = cache.key("http://a/x", "tok-secret-123");
  EXPECT_EQ(key.find("tok-secret-123"), std::string::npos);
  EXPECT_NE(key, cache.key("http://a/x", "tok-secret-124"));
  EXPECT_NE(key, cache.key("http://a/x", ""));
  EXPECT_NE(key, cache.key("http://a/x?page=2", "tok-secret-123"));
  EXPECT_EQ(key, cache.key("http://a/x", "tok-secret-123"));

  cache.store(key, response(200, "{}"), 1 << 20);  // no ETag
  EXPECT_EQ(cache.entries(), 0u);
  cache.store(key, response(404, "{}", {{"etag", "\"e\""}}), 1 << 20);
  EXPECT_EQ(cache.entries(), 0u);
  cache.store(key, response(200, "{\"a\":1}", {{"etag", "\"e\""}, {"link", "<x>; rel=\"next\""}}), 1 << 20);
  auto hit = cache.find(key);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->etag, "\"e\"");
  EXPECT_EQ(hit->body.view(), "{\"a\":1}");
  // An error for the same URL forgets the good response.
  cache.store(key, response(500, "{}", {{"etag", "\"e\""}}), 1 << 20);
  EXPECT_FALSE(cache.find(key));
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(Cache, KeepsLargeBodiesWhole) {
  // Pages of a listing are large: they are kept outside the heap and must come back intact.
  ResponseCache cache;
  std::string body = "[" + std::string(300000, ' ') + "]";
  body[1000] = 'q';
  std::string key = cache.key("http://a/big", "");
  cache.store(key, response(200, body, {{"etag", "\"big\""}}), 8 << 20);
  auto hit = cache.find(key);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->body.size(), body.size());
  EXPECT_EQ(hit->body.view(), body);
  cache.forget(key);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(Cache, StaysWithinItsBoundDroppingTheLeastRecentlyUsed) {
  ResponseCache cache;
  std::string body(10000, 'x');
  const size_t bound = 35000;
  for (int i = 0; i < 3; ++i)
    cache.store(cache.key("u" + std::to_string(i), ""), response(200, body, {{"etag", "\"e\""}}), bound);
  EXPECT_EQ(cache.entries(), 3u);
  EXPECT_TRUE(cache.find(cache.key("u0", "")));  // u0 is now the most recently used
  cache.store(cache.key("u3", ""), response(200, body, {{"etag", "\"e\""}}), bound);
  EXPECT_LE(cache.bytes(), bound);
  EXPECT_TRUE(cache.find(cache.key("u0", "")));
  EXPECT_FALSE(cache.find(cache.key("u1", "")));
  EXPECT_TRUE(cache.find(cache.key("u3", "")));
  // Larger than the whole bound: not kept at all.
  cache.store(cache.key("big", ""), response(200, std::string(40000, 'y'), {{"etag", "\"e\""}}), bound);
  EXPECT_FALSE(cache.find(cache.key("big", "")));
  cache.trim(0);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

// --- conditional GETs through the client -----------------------------------------------

TEST_F(ClientTest, ASecondGetIsConditionalAndA304BringsBackTheBodyAndLink) {
  transport_->steps.push_back(answer(
      200, kPage,
      {{"etag", "W/\"abc\""}, {"link", "<https://api.test/next>; rel=\"next\""}, {"x-ratelimit-remaining", "10"}}));
  transport_->steps.push_back(answer(304, "", {{"etag", "W/\"abc\""}, {"x-ratelimit-remaining", "10"}}));
  HttpResponse r;
  client_->get(url(), r);
  EXPECT_EQ(header_of(transport_->requests[0], "if-none-match"), "");
  client_->get(url(), r);
  EXPECT_EQ(header_of(transport_->requests[1], "if-none-match"), "W/\"abc\"");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.view(), kPage);
  EXPECT_EQ(r.header("link").value_or(""), "<https://api.test/next>; rel=\"next\"");
  EXPECT_EQ(settings_->rate_limits->find("https://api.test")->remaining, 10);
}

TEST_F(ClientTest, AnotherTokenNeverGetsTheCachedResponse) {
  transport_->steps.push_back(answer(200, kPage, {{"etag", "\"t1\""}}));
  transport_->steps.push_back(answer(200, kPage, {{"etag", "\"t1\""}}));
  HttpResponse r;
  client_->get(url(), r);
  setenv("STACKLITE_UNIT_TOKEN", "unit-secret-2", 1);
  client_->get(url(), r);
  EXPECT_EQ(header_of(transport_->requests[1], "authorization"), "Bearer unit-secret-2");
  EXPECT_EQ(header_of(transport_->requests[1], "if-none-match"), "");
}

TEST_F(ClientTest, ErrorsAndDamagedBodiesAreNeverCachedAndCacheOffSendsNoCondition) {
  transport_->steps.push_back(answer(404, R"({"message":"Not Found"})", {{"etag", "\"n\""}}));
  transport_->steps.push_back(answer(200, R"({"workflow_runs":[{"id":1},)", {{"etag", "\"d\""}}));
  transport_->steps.push_back(answer(200, kPage, {{"etag", "\"g\""}}));
  HttpResponse r;
  settings_->max_retries = 0;  // the damaged 200 is an error, not retried here
  client_->get(url(), r);
  EXPECT_THROW(client_->get(url(), r), Error);
  client_->get(url(), r);
  EXPECT_EQ(header_of(transport_->requests[1], "if-none-match"), "");
  EXPECT_EQ(header_of(transport_->requests[2], "if-none-match"), "");
  settings_->cache = 0;
  transport_->steps.push_back(answer(200, kPage, {{"etag", "\"g\""}}));
  client_->get(url(), r);
  EXPECT_EQ(header_of(transport_->requests[3], "if-none-match"), "");
}

// --- retries of reads --------------------------------------------------------------------

TEST_F(ClientTest, ReadsRetryResetsTimeoutsTruncationAnd5xxThenGiveUp) {
  transport_->steps.push_back(fail(TransportError::Kind::Broken));
  transport_->steps.push_back(fail(TransportError::Kind::Timeout));
  transport_->steps.push_back(answer(502, "<html>"));
  transport_->steps.push_back(answer(200, kPage));
  HttpResponse r;
  client_->get(url(), r);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(transport_->requests.size(), 4u);
  for (int i = 0; i < 4; ++i) transport_->steps.push_back(fail(TransportError::Kind::Broken));
  EXPECT_EQ(get_error(), "GET /repos/o/r/actions/runs: scripted failure (after 3 retries)");
  EXPECT_EQ(transport_->requests.size(), 8u);
}

// --- rate limits, for reads and writes alike ---------------------------------------------

TEST_F(ClientTest, PrimaryLimitFarFromResetIsAnErrorWithTheResetTimeAndBudget) {
  int64_t reset = now_epoch() + 3600;
  transport_->steps.push_back(answer(403, R"({"message":"API rate limit exceeded for 127.0.0.1."})",
                                     {{"x-ratelimit-limit", "5000"},
                                      {"x-ratelimit-remaining", "0"},
                                      {"x-ratelimit-reset", std::to_string(reset)},
                                      {"x-ratelimit-resource", "core"}}));
  std::string msg = get_error();
  std::string expected_start =
      "GET /repos/o/r/actions/runs: 403 Forbidden: API rate limit exceeded for 127.0.0.1. (primary rate limit: 0 of "
      "5000 requests left for core; it resets at " +
      format_epoch_utc(reset) + ", in ";
  EXPECT_EQ(msg.substr(0, expected_start.size()), expected_start) << msg;
  EXPECT_NE(msg.find(" s, beyond max_wait_s (5))"), std::string::npos) << msg;
  EXPECT_EQ(transport_->requests.size(), 1u);  // no use asking again before the reset
}

TEST_F(ClientTest, PrimaryLimitNearItsResetIsWaitedOutForReadsAndWrites) {
  for (const std::string method : {"GET", "POST"}) {
    transport_->requests.clear();
    int64_t reset = now_epoch();  // the budget returns at the end of this second
    transport_->steps.push_back(
        answer(429, "{}", {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(reset)}}));
    transport_->steps.push_back(answer(method == "GET" ? 200 : 202, kPage));
    HttpResponse r;
    auto start = Clock::now();
    if (method == "GET")
      client_->get(url(), r);
    else
      client_->send("POST", url("/repos/o/r/actions/runs/1/cancel"), "", r);
    EXPECT_EQ(transport_->requests.size(), 2u);
    // It waited until after the reset second.
    EXPECT_GE(std::chrono::system_clock::now(), std::chrono::system_clock::time_point(std::chrono::seconds(reset + 1)));
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2500));
  }
}

TEST_F(ClientTest, SecondaryLimitWaitsRetryAfterThenDoublesAndGivesUpAtMaxWait) {
  settings_->max_wait_s = 1;
  auto limited = [] {
    return answer(403, R"({"message":"You have exceeded a secondary rate limit."})", {{"retry-after", "1"}});
  };
  transport_->steps.push_back(limited());
  transport_->steps.push_back(limited());
  HttpResponse r;
  auto start = Clock::now();
  try {
    client_->send("POST", url("/repos/o/r/actions/runs/1/rerun"), "", r);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "POST /repos/o/r/actions/runs/1/rerun: 403 Forbidden: You have exceeded a secondary rate limit. "
                 "(secondary rate limit: the wait would be 2 s, beyond max_wait_s (1))");
  }
  auto waited = Clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(950));
  EXPECT_LT(waited, std::chrono::milliseconds(1900));
  EXPECT_EQ(transport_->requests.size(), 2u);
}

TEST_F(ClientTest, SecondaryLimitWithoutRetryAfterWaitsAMinuteSoASmallMaxWaitGivesUpAtOnce) {
  transport_->steps.push_back(answer(429, R"({"message":"Too many requests"})"));
  HttpResponse r;
  EXPECT_EQ(get_error(),
            "GET /repos/o/r/actions/runs: 429 Too Many Requests: Too many requests "
            "(secondary rate limit: the wait would be 60 s, beyond max_wait_s (5))");
}

TEST_F(ClientTest, RateLimitWaitsCountAgainstMaxRetries) {
  settings_->max_retries = 1;
  for (int i = 0; i < 2; ++i) transport_->steps.push_back(answer(429, "{}", {{"retry-after", "0"}}));
  HttpResponse r;
  EXPECT_EQ(get_error(),
            "GET /repos/o/r/actions/runs: 429 Too Many Requests "
            "(response body is not a JSON error object) (secondary rate limit; no retries left (max_retries = 1))");
  EXPECT_EQ(transport_->requests.size(), 2u);
}

TEST_F(ClientTest, WritesAreRetriedOnlyWhenTheyNeverLeft) {
  transport_->steps.push_back(fail(TransportError::Kind::NotSent));
  transport_->steps.push_back(answer(202, "{}"));
  HttpResponse r;
  client_->send("POST", url("/repos/o/r/actions/runs/1/cancel"), "", r);
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(transport_->requests.size(), 2u);
  for (auto kind : {TransportError::Kind::Broken, TransportError::Kind::Timeout}) {
    transport_->requests.clear();
    transport_->steps.push_back(fail(kind));
    EXPECT_THROW(client_->send("POST", url("/repos/o/r/actions/runs/1/cancel"), "", r), Error);
    EXPECT_EQ(transport_->requests.size(), 1u);
  }
  transport_->requests.clear();
  transport_->steps.push_back(answer(502, "{}"));
  client_->send("POST", url("/repos/o/r/actions/runs/1/cancel"), "", r);
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(transport_->requests.size(), 1u);
  // Writes never use the cache.
  EXPECT_EQ(header_of(transport_->requests[0], "if-none-match"), "");
}

TEST_F(ClientTest, RateLimitsAreRecordedPerBaseUrlFromTheApiOriginOnly) {
  auto other = make_client("https://ghe.test/api/v3");
  auto* other_transport = transport_;
  other_transport->steps.push_back(
      answer(200, kPage, {{"x-ratelimit-remaining", "7"}, {"x-ratelimit-limit", "15000"}}));
  HttpResponse r;
  other->get("https://ghe.test/api/v3/repos/o/r/actions/runs", r);
  // A redirect target on another origin says nothing about the API's budget.
  other_transport->steps.push_back(
      answer(302, "", {{"location", "http://blob.test/x"}, {"x-ratelimit-remaining", "6"}}));
  other_transport->steps.push_back(answer(200, "{}", {{"x-ratelimit-remaining", "1"}}));
  other->get("https://ghe.test/api/v3/repos/o/r/actions/runs/1/logs", r);
  EXPECT_EQ(header_of(other_transport->requests.back(), "authorization"), "");
  EXPECT_EQ(settings_->rate_limits->to_json(),
            R"({"https://ghe.test/api/v3":{"limit":null,"remaining":6,"used":null,"reset":null,"resource":null}})");
}

}  // namespace
}  // namespace stacklite
