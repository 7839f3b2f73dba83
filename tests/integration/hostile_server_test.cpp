// A hostile or careless server against the real extension: Link headers split over lines,
// entity-tags that would inject a header, secrets echoed into errors and write results,
// numbers at the edge of int64, a 200 whose JSON stops short; and the token never going
// unencrypted to another machine.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "fake_shithub.hpp"
#include "raw_servers.hpp"
#include "support/utf8_check.hpp"

namespace stacklite::testing {
namespace {

const std::string kSecret = "ghp-do-not-print-0123456789";

using test_support::valid_utf8;

std::string ok_with_etag(const std::string& etag_line_value) {
  std::string body =
      "{\"total_count\":1,\"workflow_runs\":[{\"id\":7,\"status\":\"completed\",\"created_at\":\"2025-01-01T00:00:"
      "00Z\"}]}";
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nETag: " + etag_line_value +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class HostileServerTest : public OneRepositoryTest {};

// --- item: Link headers split over several lines -------------------------------------------

TEST_F(HostileServerTest, ALinkHeaderSplitOverTwoLinesIsFollowedOnGitHub) {
  db_->query("SELECT stacklite_config('cache', 0)");
  const std::string page = server_->base_url() + kListPath + "?per_page=100&page=";
  server_->inject(Fault::stall(std::chrono::milliseconds(0))
                      .with_header("Link", "<" + page + "3>; rel=\"last\"")
                      .with_header("Link", "<" + page + "2>; rel=\"next\""),
                  1, "runs?per_page=100");
  EXPECT_EQ(db_->query(kRows), expected_rows());
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 3u);
  // Followed from the second line, not found by date; pages 2 and 3 may be fetched side by
  // side, so the server may see them in either order.
  std::set<std::string> followed{reqs[1].query, reqs[2].query};
  EXPECT_EQ(followed, (std::set<std::string>{"per_page=100&page=2", "per_page=100&page=3"}));
}

TEST_F(HostileServerTest, ALinkHeaderSplitOverTwoLinesIsFollowedOnShithubWhichHasNoTotalCount) {
  std::vector<testserver::ShithubRun> runs;
  std::vector<testserver::ShithubJob> jobs;
  testserver::shithub_sample("forge-org", "app", 130, runs, jobs);
  testserver::FakeShithub shithub(runs, jobs);
  shithub.split_link_headers(true);
  db_->query("CREATE VIRTUAL TABLE sh_runs USING workflow_runs(provider='shithub', base_url='" + shithub.base_url() +
             "')");
  Rows got = db_->query("SELECT id FROM sh_runs WHERE owner = 'forge-org' AND repo = 'app'");
  Rows expected;
  for (const auto& r : runs) expected.push_back({std::to_string(r.id)});
  EXPECT_EQ(got, expected);
  auto reqs = shithub.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].param("page"), "2");
}

// --- item: entity-tags that would add a header ---------------------------------------------

TEST_F(HostileServerTest, AnETagWithAControlCharacterIsNeverEchoedIntoTheNextRequest) {
  struct Case {
    std::string name, etag;
    bool echoed;
  };
  std::vector<Case> cases = {
      {"well formed (control)", "W/\"abc\"", true},
      {"bare CR, then a header", "W/\"abc\"\rX-Injected: yes", false},
      {"bare CR inside the quotes", "\"ab\rX-Injected: yes\"", false},
      {"a control character",
       "\"ab\x01"
       "c\"",
       false},
      {"a tab", "\"ab\tc\"", false},
  };
  for (const auto& c : cases) {
    RawServer raw([&](const std::string&) { return ok_with_etag(c.etag); });
    ScopedEnv url("GITHUB_API_URL", raw.url());
    auto db = connect();
    EXPECT_EQ(db->query(kCount), (Rows{{"1"}})) << c.name;
    EXPECT_EQ(db->query(kCount), (Rows{{"1"}})) << c.name;
    auto reqs = raw.requests();
    ASSERT_EQ(reqs.size(), 2u) << c.name;
    EXPECT_EQ(reqs[1].find("X-Injected"), std::string::npos) << c.name << ":\n" << reqs[1];
    EXPECT_EQ(reqs[1].find("If-None-Match: " + c.etag + "\r\n") != std::string::npos, c.echoed) << c.name << ":\n"
                                                                                                << reqs[1];
    EXPECT_EQ(reqs[1].find("If-None-Match") != std::string::npos, c.echoed) << c.name << ":\n" << reqs[1];
  }
}

// --- item: numbers at the edge of int64 ------------------------------------------------------

TEST_F(HostileServerTest, HugeOffsetsNeitherOverflowNorChangeThePageSize) {
  EXPECT_EQ(db_->query(kRows + " LIMIT 10 OFFSET 9223372036854775800"), Rows{});
  EXPECT_EQ(db_->query(kRows + " LIMIT 9223372036854775807 OFFSET 9223372036854775807"), Rows{});
  EXPECT_EQ(db_->query(kRows + " LIMIT 2 OFFSET 248"), (Rows{expected_rows()[248], expected_rows()[249]}));
  for (const auto& r : api_requests()) {
    if (r.query.find("page=") != std::string::npos) continue;
    EXPECT_EQ(r.param("per_page"), "100") << r.query;
  }
}

TEST_F(HostileServerTest, AResetTimeAtTheEndOfInt64IsAnErrorNotAnImmediateRetry) {
  db_->query("SELECT stacklite_config('cache', 0)");
  server_->inject(Fault::status(403, "{\"message\":\"API rate limit exceeded for 127.0.0.1.\"}")
                      .with_header("x-ratelimit-remaining", "0")
                      .with_header("x-ratelimit-reset", "9223372036854775807"),
                  1, "page=2");
  auto start = Clock::now();
  std::string err = db_->error(kRows);
  EXPECT_LT(seconds_since(start), 1.0);
  const std::string head = "workflow_runs: GET " + kListPath +
                           ": 403 Forbidden: API rate limit exceeded for 127.0.0.1. (primary rate limit: 0 of 5000 "
                           "requests left for core; it resets at 9223372036854775807 (epoch seconds), in ";
  EXPECT_EQ(err.substr(0, head.size()), head) << err;
  EXPECT_NE(err.find(" s, beyond max_wait_s (60)"), std::string::npos) << err;
  EXPECT_EQ(requests_to("page=2"), 1u);  // not repeated at once
  EXPECT_EQ(db_->query(kRows), expected_rows());
}

// --- item: a 200 whose JSON stops short ---------------------------------------------------------

TEST_F(HostileServerTest, A200WhoseJsonStopsShortIsRetriedLikeATruncatedTransferThenAnError) {
  db_->query("SELECT stacklite_config('cache', 0)");
  const std::string cut = "{\"total_count\":250,\"workflow_runs\":[{\"id\":5150,\"name\":\"CI\"},{\"id\":5149,";
  server_->inject(Fault::body(cut, 200), 2, "page=2");
  EXPECT_EQ(db_->query(kRows), expected_rows());
  EXPECT_EQ(requests_to("page=2"), 3u);

  server_->clear_requests();
  server_->inject(Fault::body(cut, 200), 4, "page=2");
  EXPECT_EQ(db_->error(kRows), "workflow_runs: GET " + kListPath +
                                   ": malformed response: the JSON ends before its document closes (the server sent a "
                                   "200 whose body was cut short) (after 3 retries)");
  EXPECT_EQ(requests_to("page=2"), 4u);
  EXPECT_EQ(db_->query(kRows), expected_rows());
}

// --- item: secrets in messages and results ---------------------------------------------------

TEST_F(HostileServerTest, CredentialsInABaseUrlAreRefusedWithoutShowingThem) {
  const std::string with_password = "http://user:s3cret-pass@127.0.0.1:" + std::to_string(server_->port());
  {
    ScopedEnv url("GITHUB_API_URL", with_password);
    auto db = connect();
    std::string err = db->error(kCount);
    EXPECT_EQ(err, "workflow_runs: base URL 'http://[credentials]@127.0.0.1:" + std::to_string(server_->port()) +
                       "' carries credentials (user:password@), which are neither sent nor shown: give the URL without "
                       "them and the token in GITHUB_TOKEN (check GITHUB_API_URL)");
  }
  std::string err = db_->error("CREATE VIRTUAL TABLE t USING workflow_runs(base_url='" + with_password + "/api')");
  EXPECT_EQ(err.find("s3cret"), std::string::npos) << err;
  EXPECT_NE(err.find("[credentials]@127.0.0.1"), std::string::npos) << err;
  EXPECT_TRUE(api_requests().empty());
}

TEST_F(HostileServerTest, ServerMessagesAreScrubbedBeforeTheyAreCutAndCutOnACharacterBoundary) {
  ScopedEnv token("GITHUB_TOKEN", kSecret);
  db_->query("SELECT stacklite_config('max_retries', 0)");
  db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  // The token straddles byte 500 of the message: before, a cut left its first 10 bytes.
  const std::string straddling = std::string(490, 'x') + kSecret + " and more";
  // An é whose two bytes are bytes 499 and 500: a cut there is not UTF-8.
  const std::string split_char = std::string(499, 'x') + "\xC3\xA9" + " and more";
  for (const std::string& message : {straddling, split_char}) {
    server_->inject(Fault::status(422, "{\"message\":\"" + message + "\"}"), 1, "page=2");
    std::string err = db_->error(kRows);
    EXPECT_TRUE(valid_utf8(err)) << err;
    EXPECT_EQ(err.find(kSecret.substr(0, 8)), std::string::npos) << err;
    EXPECT_EQ(err.substr(err.size() - 3), "...") << err;
    server_->inject(Fault::status(409, "{\"message\":\"" + message + "\"}"), 1, "/cancel");
    Rows result = db_->query("SELECT cancel_workflow_run('octo-org', 'octo-repo', 5004)");
    ASSERT_EQ(result.size(), 1u);
    const std::string& value = result[0][0];
    EXPECT_TRUE(valid_utf8(value)) << value;
    EXPECT_EQ(value.find(kSecret.substr(0, 8)), std::string::npos) << value;
    EXPECT_EQ(
        db_->query("SELECT json_valid(" + sql_quote(value) + "), json_extract(" + sql_quote(value) + ", '$.status')"),
        (Rows{{"1", "409"}}));
  }
  server_->inject(Fault::status(409, "{\"message\":\"" + straddling + "\"}"), 1, "/cancel");
  EXPECT_EQ(db_->query("SELECT json_extract(cancel_workflow_run('octo-org', 'octo-repo', 5004), '$.message')"),
            (Rows{{std::string(490, 'x') + "[token] an..."}}));
}

TEST_F(HostileServerTest, AWriteResultNeverCarriesAnEchoedToken) {
  ScopedEnv token("GITHUB_TOKEN", kSecret);
  db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  server_->inject(Fault::body("{\"echo\":\"Bearer " + kSecret + "\",\"ok\":1}", 200), 1, "/cancel");
  EXPECT_EQ(db_->query("SELECT cancel_workflow_run('octo-org', 'octo-repo', 5004)"),
            (Rows{{"{\"ok\":true,\"status\":200,\"body\":{\"echo\":\"Bearer [token]\",\"ok\":1}}"}}));
  // A table's own token (token_env) too.
  ScopedEnv own("STACKLITE_OWN_TOKEN", std::string("own-secret-token-42"));
  db_->query("CREATE VIRTUAL TABLE mine USING workflow_runs(token_env='STACKLITE_OWN_TOKEN')");
  server_->inject(Fault::body("{\"echo\":\"own-secret-token-42\"}", 200), 1, "/cancel");
  EXPECT_EQ(db_->query("SELECT cancel_workflow_run(owner, repo, id) FROM mine WHERE " + std::string(kRepo) +
                       " AND id = 5004"),
            (Rows{{"{\"ok\":true,\"status\":200,\"body\":{\"echo\":\"[token]\"}}"}}));
}

// --- item: the token never crosses the network unencrypted ---------------------------------

TEST_F(HostileServerTest, TheTokenIsNeverSentOverPlainHttpToAnotherHost) {
  // api.example.test is pinned to the loopback server (tests never leave the machine), but
  // by name it is another host: the token must not go there over http://. One page of runs,
  // since the server writes its Link URLs for 127.0.0.1.
  serve(small_dataset("octo-org", "octo-repo", 30));
  const std::string port = std::to_string(server_->port());
  ScopedEnv resolve("STACKLITE_TEST_RESOLVE", "api.example.test:" + port + ":127.0.0.1");
  ScopedEnv url("GITHUB_API_URL", "http://api.example.test:" + port);
  auto db = connect();
  db->query("SELECT stacklite_config('write_interval_ms', 0)");
  {
    ScopedEnv token("GITHUB_TOKEN", kSecret);
    const std::string refusal =
        ": refusing to send the token (GITHUB_TOKEN) unencrypted over http:// to api.example.test: use "
        "an https:// base URL, or send no token to this host (unset GITHUB_TOKEN, or give the "
        "table token_env= naming a variable that is not set)";
    EXPECT_EQ(db->error(kCount), "workflow_runs: GET " + kListPath + refusal);
    EXPECT_EQ(db->error("SELECT cancel_workflow_run('octo-org', 'octo-repo', 5004)"),
              "cancel_workflow_run: POST " + kListPath + "/5004/cancel" + refusal);
    EXPECT_TRUE(api_requests().empty());
    // The fix the message names: a table that sends no token.
    db->query("CREATE VIRTUAL TABLE anon USING workflow_runs(token_env='STACKLITE_UNSET_TOKEN')");
    EXPECT_EQ(db->integer("SELECT count(*) FROM anon WHERE " + std::string(kRepo)), 30);
  }
  // Without a token, plain http to any host is allowed.
  EXPECT_EQ(db->integer(kCount), 30);
  auto reqs = api_requests();
  ASSERT_FALSE(reqs.empty());
  for (const auto& r : reqs) {
    EXPECT_FALSE(r.has_header("authorization"));
    EXPECT_EQ(r.header("host"), "api.example.test:" + port);
  }
  // Loopback by name carries it: localhost.
  server_->clear_requests();
  ScopedEnv local("GITHUB_API_URL", "http://localhost:" + port);
  ScopedEnv token("GITHUB_TOKEN", kSecret);
  auto db2 = connect();
  EXPECT_EQ(db2->integer(kCount), 30);
  for (const auto& r : api_requests()) EXPECT_EQ(r.header("authorization"), "Bearer " + kSecret);
}

}  // namespace
}  // namespace stacklite::testing
