// Talking to the API: headers and tokens, base URLs, where the token may go, retries that
// neither lose nor repeat rows, and failures that are errors rather than short results.
#include <chrono>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

constexpr const char* kList = "SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'";

class TransportTest : public ServerTest {
 protected:
  void SetUp() override { serve(small_dataset("octo-org", "octo-repo", 250)); }
};

TEST_F(TransportTest, EveryRequestSendsGitHubsHeadersAndNoTokenWhenThereIsNone) {
  auto db = connect();
  EXPECT_EQ(db->integer(kList), 250);
  for (const auto& r : api_requests()) {
    EXPECT_EQ(r.header("accept"), "application/vnd.github+json");
    EXPECT_EQ(r.header("x-github-api-version"), "2022-11-28");
    EXPECT_EQ(r.header("user-agent").rfind("stacklite/", 0), 0u) << r.header("user-agent");
    EXPECT_FALSE(r.has_header("authorization"));
  }
}

TEST_F(TransportTest, TokenFromGitHubTokenElseGhToken) {
  {
    ScopedEnv token("GH_TOKEN", std::string("gh-secret-1"));
    auto db = connect();
    db->integer(kList);
    EXPECT_EQ(api_requests().back().header("authorization"), "Bearer gh-secret-1");
  }
  server_->clear_requests();
  ScopedEnv gh("GH_TOKEN", std::string("gh-secret-1"));
  ScopedEnv token("GITHUB_TOKEN", std::string("ghp-secret-2"));
  auto db = connect();
  db->integer(kList);
  for (const auto& r : api_requests()) EXPECT_EQ(r.header("authorization"), "Bearer ghp-secret-2");
}

TEST_F(TransportTest, ConnectionsAreReusedAcrossPages) {
  auto db = connect();
  db->query("SELECT stacklite_config('max_concurrency', 1)");
  EXPECT_EQ(db->integer(kList), 250);
  EXPECT_EQ(server_->connections_accepted(), 1);
  // Side by side, pages need no more connections than requests in flight, and the next
  // statements (and tables) of the connection reuse them.
  db->query("SELECT stacklite_config('max_concurrency', 2)");
  EXPECT_EQ(db->integer(kList), 250);
  db->query("CREATE VIRTUAL TABLE other USING workflow_runs");
  EXPECT_EQ(db->integer("SELECT count(*) FROM other WHERE owner = 'octo-org' AND repo = 'octo-repo'"), 250);
  EXPECT_LE(server_->connections_accepted(), 2);
}

TEST_F(TransportTest, EnterpriseBaseUrlWithOrWithoutTrailingSlash) {
  testserver::Options options;
  options.path_prefix = "/api/v3";
  serve(small_dataset("octo-org", "octo-repo", 20), options);
  for (std::string suffix : {"", "/"}) {
    ScopedEnv url("GITHUB_API_URL", server_->base_url() + suffix);
    server_->clear_requests();
    auto db = connect();
    EXPECT_EQ(db->integer(kList), 20);
    ASSERT_EQ(api_requests().size(), 1u);
    EXPECT_EQ(api_requests()[0].path, "/api/v3/repos/octo-org/octo-repo/actions/runs");
  }
  auto db = connect();
  EXPECT_EQ(db->error("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'gone'"),
            "workflow_runs: GET /repos/octo-org/gone/actions/runs: 404 Not Found: Not Found (no token was sent: if the "
            "repository is private, set GITHUB_TOKEN or GH_TOKEN)");
}

TEST_F(TransportTest, CreateVirtualTableWithItsOwnBaseUrlAndToken) {
  auto server = enterprise_server(small_dataset("octo-org", "octo-repo", 12), "ghes-secret");
  FakeGitHub& ghes = *server;
  ScopedEnv ghes_token("GHES_TOKEN", std::string("ghes-secret"));
  ScopedEnv github_token("GITHUB_TOKEN", std::string("github-secret"));
  auto db = connect();
  db->query("CREATE VIRTUAL TABLE ghes_runs USING workflow_runs(base_url='" + ghes.base_url() +
            "/', token_env='GHES_TOKEN')");
  EXPECT_EQ(db->integer("SELECT count(*) FROM ghes_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'"), 12);
  EXPECT_EQ(db->integer(kList), 250);  // the eponymous table keeps its own settings
  auto ghes_reqs = ghes.requests();
  ASSERT_EQ(ghes_reqs.size(), 1u);
  EXPECT_EQ(ghes_reqs[0].header("authorization"), "Bearer ghes-secret");
  EXPECT_EQ(api_requests().back().header("authorization"), "Bearer github-secret");

  EXPECT_NE(db->error("CREATE VIRTUAL TABLE bad USING workflow_runs(base_uri='x')").find("unknown option 'base_uri'"),
            std::string::npos);
  EXPECT_NE(db->error("CREATE VIRTUAL TABLE bad USING workflow_runs(base_url='ftp://x')").find("is not an http(s) URL"),
            std::string::npos);
}

TEST_F(TransportTest, TokenNeverFollowsALinkToAnotherOrigin) {
  testserver::Options options;
  options.link_base_override = "http://localhost:" + std::to_string(server_->port());
  serve(small_dataset("octo-org", "octo-repo", 250), options);
  ScopedEnv token("GITHUB_TOKEN", std::string("ghp-never-leak"));
  auto db = connect();
  std::string err = db->error(kList);
  EXPECT_NE(err.find("refusing to follow the Link header to another origin"), std::string::npos) << err;
  EXPECT_EQ(err.find("ghp-never-leak"), std::string::npos);
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 1u);  // nothing was sent to the other origin
}

TEST_F(TransportTest, RedirectsKeepTheTokenOnTheApiOriginOnly) {
  ScopedEnv token("GITHUB_TOKEN", std::string("ghp-redirect"));
  auto db = connect();
  // Same origin (a renamed repository): followed with the token.
  server_->inject(Fault::body("", 301).with_header(
                      "Location", server_->origin() + "/repos/octo-org/octo-repo/actions/runs?per_page=100"),
                  1, "/repos/octo-org/old-name/");
  EXPECT_EQ(db->integer("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'old-name'"), 250);
  auto reqs = api_requests();
  ASSERT_GE(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].header("authorization"), "Bearer ghp-redirect");
  // Another origin: followed without the token.
  server_->clear_requests();
  std::string elsewhere = "http://localhost:" + std::to_string(server_->port());
  server_->inject(
      Fault::body("", 302).with_header("Location", elsewhere + "/repos/octo-org/octo-repo/actions/runs/5001"), 1,
      "/runs/5001");
  EXPECT_EQ(
      db->integer("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 5001"),
      1);
  reqs = api_requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header("authorization"), "Bearer ghp-redirect");
  EXPECT_FALSE(reqs[1].has_header("authorization"));
}

TEST_F(TransportTest, ServerErrorsAndResetsAreRetriedWithoutLosingOrRepeatingRows) {
  auto db = connect();
  server_->inject(Fault::status(502, "<html>bad gateway</html>"), 1, "page=2");
  server_->inject(Fault::reset(), 1, "page=3");
  auto rows = db->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'");
  std::set<std::string> ids;
  for (const auto& r : rows) ids.insert(r[0]);
  EXPECT_EQ(rows.size(), 250u);
  EXPECT_EQ(ids.size(), 250u);
  EXPECT_EQ(api_requests().size(), 5u);
}

TEST_F(TransportTest, PersistentFailureMidScanIsAnErrorNotAShortResult) {
  auto db = connect();
  db->query("SELECT stacklite_config('max_retries', 2)");
  // One request at a time: page 3 waits for page 2, which fails, so it is never sent.
  db->query("SELECT stacklite_config('max_concurrency', 1)");
  server_->inject(Fault::status(503, "{\"message\":\"Service Unavailable\"}"), 3, "page=2");
  std::string err = db->error(kList);
  EXPECT_EQ(err,
            "workflow_runs: GET /repos/octo-org/octo-repo/actions/runs: 503 Service Unavailable: Service Unavailable");
  EXPECT_EQ(api_requests().size(), 4u);  // page 1, then page 2 three times
  EXPECT_EQ(db->integer(kList), 250);    // the connection stays usable

  // Side by side, page 3 may be fetched while page 2 is retried; the result is the same error.
  db->query("SELECT stacklite_config('max_concurrency', 4)");
  server_->clear_requests();
  server_->inject(Fault::status(503, "{\"message\":\"Service Unavailable\"}"), 3, "page=2");
  EXPECT_EQ(db->error(kList), err);
  size_t page_two = 0;
  for (const auto& r : api_requests()) page_two += r.param("page") == "2";
  EXPECT_EQ(page_two, 3u);
  EXPECT_LE(api_requests().size(), 5u);
}

TEST_F(TransportTest, MalformedOrTruncatedPagesAreErrors) {
  auto db = connect();
  db->query("SELECT stacklite_config('max_retries', 0)");
  server_->inject(Fault::body("{\"total_count\":250,\"workflow_runs\":[{\"id\":1},"), 1, "page=2");
  std::string err = db->error(kList);
  EXPECT_NE(err.find("workflow_runs: GET /repos/octo-org/octo-repo/actions/runs: malformed response"),
            std::string::npos)
      << err;
  // Page 3 may have been fetched ahead by the statement above: without the cache it is sent
  // whole again (not answered by a 304), and then cut short.
  db->query("SELECT stacklite_config('cache', 0)");
  server_->inject(Fault::truncate(), 1, "page=3");
  err = db->error(kList);
  EXPECT_NE(err.find("workflow_runs: GET /repos/octo-org/octo-repo/actions/runs: transfer failed"), std::string::npos)
      << err;
  server_->inject(Fault::body("<html>oops</html>", 200), 1, "per_page");
  err = db->error(kList);
  EXPECT_NE(err.find("malformed response"), std::string::npos) << err;
}

TEST_F(TransportTest, StalledServerTimesOutInsteadOfHanging) {
  auto db = connect();
  db->query("SELECT stacklite_config('timeout_ms', 1000)");
  db->query("SELECT stacklite_config('max_retries', 0)");
  server_->inject(Fault::stall(std::chrono::seconds(20)), 1);
  auto start = std::chrono::steady_clock::now();
  std::string err = db->error(kList);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(err.find("no data from the server for 1000 ms"), std::string::npos) << err;
  EXPECT_LT(seconds, 5.0);
}

TEST_F(TransportTest, UnreachableServerIsAnError) {
  ScopedEnv url("GITHUB_API_URL", std::string("http://127.0.0.1:1"));
  auto db = connect();
  db->query("SELECT stacklite_config('max_retries', 1)");
  std::string err = db->error(kList);
  EXPECT_NE(err.find("workflow_runs: GET /repos/octo-org/octo-repo/actions/runs: cannot connect"), std::string::npos)
      << err;
}

TEST_F(TransportTest, ErrorsNeverContainTheToken) {
  ScopedEnv token("GITHUB_TOKEN", std::string("ghp-echoed-secret"));
  auto db = connect();
  server_->inject(Fault::status(422, "{\"message\":\"bad token ghp-echoed-secret\"}"), 1);
  std::string err = db->error(kList);
  EXPECT_NE(err.find("422"), std::string::npos) << err;
  EXPECT_EQ(err.find("ghp-echoed-secret"), std::string::npos) << err;
}

}  // namespace
}  // namespace stacklite::testing
