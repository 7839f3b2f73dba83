// Surviving the real API: every fault the loopback server can inject (5xx, resets, truncated
// bodies, stalls, trickles, rate limits) gives the exact rows or the exact error in bounded
// time; conditional requests, interrupts, hostile values and where the token may appear.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "raw_servers.hpp"

namespace stacklite::testing {
namespace {

// One line per fault for the record: what was injected, what the user got, how long it took.
void report(const std::string& fault, const std::string& outcome, double seconds) {
  std::printf("[ fault    ] %-58s -> %-34s %6.3f s\n", fault.c_str(), outcome.c_str(), seconds);
  std::fflush(stdout);
}

int64_t now_epoch() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string rate_limited_body(bool secondary) {
  return secondary ? "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before you "
                     "try again.\","
                     "\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}"
                   : "{\"message\":\"API rate limit exceeded for 127.0.0.1.\","
                     "\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}";
}

class FaultTest : public OneRepositoryTest {};

// --- reads: retried, never losing or repeating a row -----------------------------------

TEST_F(FaultTest, ServerErrorsResetsAndTruncatedPagesAreRetriedForTheExactRows) {
  struct Case {
    std::string name;
    Fault fault;
  };
  std::vector<Case> cases = {
      {"502 with an HTML page on page 2", Fault::status(502, "<html><body>Bad gateway</body></html>")},
      {"500 with a JSON error on page 2", Fault::status(500, "{\"message\":\"Server Error\"}")},
      {"504 on page 2", Fault::status(504, "")},
      {"connection reset on page 2", Fault::reset()},
      {"truncated body (half, full Content-Length) on page 2", Fault::truncate()},
  };
  const Rows expected = expected_rows();
  for (auto& c : cases) {
    server_->clear_requests();
    server_->inject(c.fault, 2, "page=2");  // twice: the first retry fails too
    auto db = connect();
    db->query("SELECT stacklite_config('cache', 0)");
    auto start = Clock::now();
    Rows rows = db->query(kRows);
    double took = seconds_since(start);
    EXPECT_EQ(rows, expected) << c.name;
    EXPECT_EQ(requests_to("page=2"), 3u) << c.name;
    EXPECT_EQ(api_requests().size(), 5u) << c.name;
    EXPECT_LT(took, 2.0) << c.name;
    report(c.name + " (x2)", rows == expected ? "250 exact rows" : "WRONG ROWS", took);
  }
}

TEST_F(FaultTest, AStalledPageTimesOutAndIsRetried) {
  db_->query("SELECT stacklite_config('timeout_ms', 500)");
  server_->inject(Fault::stall(std::chrono::seconds(5)), 1, "page=2");
  auto start = Clock::now();
  Rows rows = db_->query(kRows);
  double took = seconds_since(start);
  EXPECT_EQ(rows, expected_rows());
  EXPECT_EQ(requests_to("page=2"), 2u);
  EXPECT_LT(took, 3.0);  // curl checks for a stall about once a second
  report("page 2 stalls 5 s (timeout_ms 500)", "250 exact rows", took);
}

TEST_F(FaultTest, A503WithRetryAfterIsWaitedOut) {
  server_->inject(Fault::status(503, "{\"message\":\"Service Unavailable\"}").with_header("Retry-After", "1"), 1,
                  "page=3");
  auto start = Clock::now();
  Rows rows = db_->query(kRows);
  double took = seconds_since(start);
  EXPECT_EQ(rows, expected_rows());
  EXPECT_GE(took, 1.0);
  EXPECT_LT(took, 2.5);
  report("503 with Retry-After: 1 on page 3", "250 exact rows", took);
}

TEST_F(FaultTest, PersistentFailuresAreExactErrorsAfterMaxRetriesAndTheConnectionStaysUsable) {
  db_->query("SELECT stacklite_config('max_retries', 3)");
  db_->query("SELECT stacklite_config('cache', 0)");  // a fault on a 304 has no body to break
  server_->inject(Fault::status(503, "{\"message\":\"Service Unavailable\"}"), 4, "page=2");
  auto start = Clock::now();
  std::string err = db_->error(kRows);
  double took = seconds_since(start);
  EXPECT_EQ(err, "workflow_runs: GET " + kListPath + ": 503 Service Unavailable: Service Unavailable");
  EXPECT_EQ(requests_to("page=2"), 4u);
  EXPECT_LT(took, 2.0);
  report("503 on page 2, 4 times (max_retries 3)", "error: 503 Service Unavailable", took);

  // curl itself sends a GET again once when a reused connection dies before answering,
  // so more resets than attempts are queued.
  server_->clear_requests();
  server_->inject(Fault::reset(), 10, "page=2");
  start = Clock::now();
  err = db_->error(kRows);
  took = seconds_since(start);
  EXPECT_EQ(err.rfind("workflow_runs: GET " + kListPath + ": transfer failed: ", 0), 0u) << err;
  EXPECT_NE(err.find(" (after 3 retries)"), std::string::npos) << err;
  report("reset on page 2, every time (max_retries 3)", "error: transfer failed", took);

  server_->clear_faults();
  server_->inject(Fault::truncate(), 4, "page=2");
  start = Clock::now();
  err = db_->error(kRows);
  took = seconds_since(start);
  EXPECT_EQ(err.rfind("workflow_runs: GET " + kListPath + ": transfer failed: ", 0), 0u) << err;
  EXPECT_NE(err.find(" (after 3 retries)"), std::string::npos) << err;
  report("truncated page 2, 4 times (max_retries 3)", "error: transfer failed", took);

  EXPECT_EQ(db_->query(kRows), expected_rows());
}

TEST_F(FaultTest, ATrickleThatNeverStallsStillMeetsTheRequestDeadline) {
  TrickleServer trickle(std::chrono::milliseconds(100));
  ScopedEnv url("GITHUB_API_URL", trickle.url());
  auto db = connect();
  db->query("SELECT stacklite_config('timeout_ms', 500)");
  db->query("SELECT stacklite_config('max_retries', 0)");
  auto start = Clock::now();
  std::string err = db->error(kCount);
  double took = seconds_since(start);
  EXPECT_EQ(err, "workflow_runs: GET " + kListPath +
                     ": the response took longer than 2000 ms in all (the request deadline: 4 x timeout_ms); the "
                     "server is too slow");
  EXPECT_GE(took, 1.9);
  EXPECT_LT(took, 3.5);
  EXPECT_EQ(trickle.requests(), 1);
  report("one byte every 100 ms, forever (timeout_ms 500)", "error: deadline 2000 ms", took);
}

TEST_F(FaultTest, AConnectionThatCannotBeMadeTimesOutAndWritesSayNothingWasSent) {
  BlackHole hole;
  ScopedEnv url("GITHUB_API_URL", hole.url());
  auto db = connect();
  db->query("SELECT stacklite_config('connect_timeout_ms', 300)");
  db->query("SELECT stacklite_config('max_retries', 1)");
  db->query("SELECT stacklite_config('write_interval_ms', 0)");
  auto start = Clock::now();
  std::string err = db->error(kCount);
  double took = seconds_since(start);
  EXPECT_EQ(err, "workflow_runs: GET " + kListPath +
                     ": cannot connect: no connection within 300 ms (connect_timeout_ms) (after 1 retries)");
  EXPECT_LT(took, 2.0);
  report("connect never completes (connect_timeout_ms 300)", "error: cannot connect", took);
  // A write that never left may be tried again, and the error says nothing was sent.
  start = Clock::now();
  err = db->error("SELECT cancel_workflow_run('octo-org', 'octo-repo', 5001)");
  took = seconds_since(start);
  EXPECT_EQ(err, "cancel_workflow_run: POST " + kListPath +
                     "/5001/cancel: cannot connect: no connection within 300 ms (connect_timeout_ms)");
  report("write: connect never completes", "error: cannot connect", took);
}

// --- interrupts -----------------------------------------------------------------------

TEST_F(FaultTest, SqliteInterruptStopsTheQueryWithinAboutOnePageAndTheConnectionWorksAfter) {
  serve(small_dataset("octo-org", "octo-repo", 1000));
  auto db = connect();
  const auto page_time = std::chrono::milliseconds(400);
  server_->inject(Fault::stall(page_time), 1000, "/actions/runs");
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db->handle(), kRows.c_str(), -1, &stmt, nullptr), SQLITE_OK);
  std::atomic<int64_t> interrupted_at{0};
  std::thread interrupter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // mid-way through page 3
    interrupted_at = Clock::now().time_since_epoch().count();
    sqlite3_interrupt(db->handle());
  });
  auto start = Clock::now();
  int rc;
  int rows = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) ++rows;
  auto stopped = Clock::now();
  interrupter.join();
  sqlite3_finalize(stmt);
  double after_interrupt =
      std::chrono::duration<double>(stopped - Clock::time_point(Clock::duration(interrupted_at.load()))).count();
  EXPECT_EQ(rc, SQLITE_INTERRUPT);
  EXPECT_LT(rows, 1000);
  EXPECT_LT(after_interrupt, 0.4 + 0.3);  // at most the page in flight, plus scheduling slack
  report("sqlite3_interrupt while every page stalls 400 ms", "SQLITE_INTERRUPT after " + std::to_string(rows) + " rows",
         seconds_since(start));
  std::printf("[ fault    ] %-58s    %.3f s\n", "  time from sqlite3_interrupt to the statement's return",
              after_interrupt);
  server_->clear_faults();
  EXPECT_EQ(db->integer(kCount), 1000);
}

// Steps `sql` on `db` while another thread calls sqlite3_interrupt after `after`: the
// statement's result code, its rows, and the seconds from the interrupt to its return and
// to the end of its sqlite3_finalize (where the table's cursor is closed and the requests
// still in flight are abandoned: the shell shows its prompt only then).
struct InterruptOutcome {
  int rc = SQLITE_OK;
  int rows = 0;
  double latency = 0;
  double finalized = 0;
  std::string message;
};

InterruptOutcome interrupt_after(Db& db, const std::string& sql, std::chrono::milliseconds after) {
  InterruptOutcome out;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(db.handle());
    return out;
  }
  std::atomic<int64_t> interrupted_at{0};
  std::thread interrupter([&] {
    std::this_thread::sleep_for(after);
    interrupted_at = Clock::now().time_since_epoch().count();
    sqlite3_interrupt(db.handle());
  });
  while ((out.rc = sqlite3_step(stmt)) == SQLITE_ROW) ++out.rows;
  auto stopped = Clock::now();
  out.message = sqlite3_errmsg(db.handle());
  sqlite3_finalize(stmt);
  auto finalized = Clock::now();
  interrupter.join();
  const Clock::time_point at(Clock::duration(interrupted_at.load()));
  out.latency = std::chrono::duration<double>(stopped - at).count();
  out.finalized = std::chrono::duration<double>(finalized - at).count();
  return out;
}

void report_interrupt(const std::string& what, const InterruptOutcome& o) {
  report(what, o.rc == SQLITE_INTERRUPT ? "SQLITE_INTERRUPT" : "rc " + std::to_string(o.rc) + ": " + o.message,
         o.latency);
  std::printf("[ fault    ] %-58s    %.3f s\n", "  time from sqlite3_interrupt to the statement's return", o.latency);
  std::printf("[ fault    ] %-58s    %.3f s\n", "  time from sqlite3_interrupt to the end of sqlite3_finalize",
              o.finalized);
}

// The interrupt cuts the transfer in flight: a stalled server (timeout_ms 30 s, three
// retries: two minutes and more) gives SQLITE_INTERRUPT about a second after it.
TEST_F(FaultTest, AnInterruptCutsAStalledRequestShortAndTheConnectionWorksAfter) {
  server_->inject(Fault::stall(std::chrono::seconds(60)), 100, "/actions/runs");
  InterruptOutcome o = interrupt_after(*db_, kRows, std::chrono::milliseconds(1000));
  EXPECT_EQ(o.rc, SQLITE_INTERRUPT) << o.message;
  EXPECT_EQ(o.message, "interrupted");
  EXPECT_EQ(o.rows, 0);
  EXPECT_LT(o.latency, 2.0);
  EXPECT_LT(o.finalized, 2.0);
  report_interrupt("sqlite3_interrupt 1 s into a stalled request", o);
  EXPECT_EQ(requests_to("/actions/runs"), 1u);  // no retry after the interrupt
  server_->clear_faults();
  EXPECT_EQ(db_->query(kRows), expected_rows());
}

TEST_F(FaultTest, AnInterruptCutsATrickleShort) {
  TrickleServer trickle(std::chrono::milliseconds(100));
  ScopedEnv url("GITHUB_API_URL", trickle.url());
  auto db = connect();
  InterruptOutcome o = interrupt_after(*db, kCount, std::chrono::milliseconds(1000));
  EXPECT_EQ(o.rc, SQLITE_INTERRUPT) << o.message;
  EXPECT_LT(o.latency, 2.0);
  EXPECT_EQ(trickle.requests(), 1);
  report_interrupt("sqlite3_interrupt 1 s into a trickle (a byte per 100 ms)", o);
  EXPECT_EQ(db->query("SELECT stacklite_config('timeout_ms')"), (Rows{{"30000"}}));  // still usable
}

TEST_F(FaultTest, AnInterruptEndsRateLimitAndBackoffWaits) {
  db_->query("SELECT stacklite_config('max_wait_s', 120)");
  db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  // A secondary limit asking for 30 s, on a read and on a write.
  server_->inject(Fault::status(429, "{\"message\":\"Too many requests\"}").with_header("Retry-After", "30"), 1,
                  "page=2");
  InterruptOutcome o = interrupt_after(*db_, kRows, std::chrono::milliseconds(1000));
  EXPECT_EQ(o.rc, SQLITE_INTERRUPT) << o.message;
  EXPECT_EQ(o.rows, 100);
  EXPECT_LT(o.latency, 2.0);
  report_interrupt("sqlite3_interrupt 1 s into a 30 s rate-limit wait", o);
  EXPECT_EQ(requests_to("page=2"), 1u);

  server_->clear_requests();
  server_->inject(Fault::status(429, "{\"message\":\"Too many requests\"}").with_header("Retry-After", "30"), 1,
                  "/cancel");
  o = interrupt_after(*db_, "SELECT cancel_workflow_run('octo-org', 'octo-repo', 5004)",
                      std::chrono::milliseconds(1000));
  EXPECT_EQ(o.rc, SQLITE_INTERRUPT) << o.message;
  EXPECT_LT(o.latency, 2.0);
  EXPECT_EQ(api_requests().size(), 1u);  // the refused write was not sent again
  report_interrupt("sqlite3_interrupt 1 s into a write's 30 s rate-limit wait", o);

  // The backoff before retrying a 5xx, and the pause between writes.
  db_->query("SELECT stacklite_config('retry_backoff_ms', 30000)");
  server_->inject(Fault::status(503, "{\"message\":\"Service Unavailable\"}"), 1, "page=2");
  o = interrupt_after(*db_, kRows, std::chrono::milliseconds(1000));
  EXPECT_EQ(o.rc, SQLITE_INTERRUPT) << o.message;
  EXPECT_LT(o.latency, 2.0);
  report_interrupt("sqlite3_interrupt 1 s into a 30 s backoff after a 503", o);
  db_->query("SELECT stacklite_config('write_interval_ms', 30000)");
  o = interrupt_after(
      *db_,
      "SELECT cancel_workflow_run('octo-org', 'octo-repo', 5004), cancel_workflow_run('octo-org', 'octo-repo', 5009)",
      std::chrono::milliseconds(1000));
  EXPECT_EQ(o.rc, SQLITE_INTERRUPT) << o.message;
  EXPECT_LT(o.latency, 2.0);
  report_interrupt("sqlite3_interrupt 1 s into the 30 s pause between writes", o);
  db_->query("SELECT stacklite_config('retry_backoff_ms', 10)");
  EXPECT_EQ(db_->query(kRows), expected_rows());
}

// The real sqlite3_is_interrupted where the library has it (3.41+; found at run time, as
// the 3.40 headers cannot name it), a blank prepare on older ones: both end the stall.
TEST_F(FaultTest, InterruptsAreDetectedWithSqlite3IsInterruptedWhereTheLibraryHasIt) {
  const std::string kind = sqlite3_libversion_number() >= 3041000 ? "sqlite3_is_interrupted" : "blank prepare";
  EXPECT_EQ(db_->query("SELECT json_extract(stacklite_debug(), '$.interrupt_check')"), (Rows{{kind}}));
  server_->inject(Fault::stall(std::chrono::seconds(60)), 1, "/actions/runs");
  InterruptOutcome o = interrupt_after(*db_, kRows, std::chrono::milliseconds(300));
  EXPECT_EQ(o.rc, SQLITE_INTERRUPT) << o.message;
  EXPECT_LT(o.latency, 2.0);
  report_interrupt("sqlite3_interrupt, SQLite " + std::string(sqlite3_libversion()) + " (" + kind + ")", o);
}

// --- rate limits ----------------------------------------------------------------------

TEST_F(FaultTest, TooManyRequestsAndSecondaryLimitsAreWaitedOutForTheExactRows) {
  struct Case {
    std::string name;
    Fault fault;
  };
  std::vector<Case> cases = {
      {"429 with Retry-After: 1 on page 2",
       Fault::status(429, "{\"message\":\"Too many requests\"}").with_header("Retry-After", "1")},
      {"403 secondary limit with Retry-After: 1 on page 2",
       Fault::status(403, rate_limited_body(true)).with_header("Retry-After", "1")},
  };
  for (auto& c : cases) {
    server_->clear_requests();
    server_->inject(c.fault, 1, "page=2");
    auto start = Clock::now();
    Rows rows = db_->query(kRows);
    double took = seconds_since(start);
    EXPECT_EQ(rows, expected_rows()) << c.name;
    EXPECT_EQ(requests_to("page=2"), 2u) << c.name;
    EXPECT_GE(took, 1.0) << c.name;
    EXPECT_LT(took, 2.5) << c.name;
    report(c.name, "250 exact rows", took);
  }
}

TEST_F(FaultTest, SecondaryLimitsThatAskForTooLongAreExactErrors) {
  db_->query("SELECT stacklite_config('max_wait_s', 5)");
  server_->inject(Fault::status(403, rate_limited_body(true)), 1, "page=2");
  auto start = Clock::now();
  std::string err = db_->error(kRows);
  double took = seconds_since(start);
  EXPECT_EQ(
      err,
      "workflow_runs: GET " + kListPath +
          ": 403 Forbidden: You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
          "(secondary rate limit: the wait would be 60 s, beyond max_wait_s (5))");
  EXPECT_LT(took, 1.0);
  report("403 secondary limit, no Retry-After (max_wait_s 5)", "error: wait 60 s > max_wait_s", took);

  server_->inject(Fault::status(429, "{\"message\":\"Too many requests\"}").with_header("Retry-After", "30"), 1,
                  "page=2");
  start = Clock::now();
  err = db_->error(kRows);
  took = seconds_since(start);
  EXPECT_EQ(
      err,
      "workflow_runs: GET " + kListPath +
          ": 429 Too Many Requests: Too many requests (secondary rate limit: the wait would be 30 s (Retry-After), "
          "beyond max_wait_s (5))");
  report("429 with Retry-After: 30 (max_wait_s 5)", "error: wait 30 s > max_wait_s", took);

  // Each further wait doubles: 1 s, then 2 s, which max_wait_s 1 does not allow.
  db_->query("SELECT stacklite_config('max_wait_s', 1)");
  server_->inject(Fault::status(403, rate_limited_body(true)).with_header("Retry-After", "1"), 2, "page=2");
  start = Clock::now();
  err = db_->error(kRows);
  took = seconds_since(start);
  EXPECT_NE(err.find("(secondary rate limit: the wait would be 2 s, beyond max_wait_s (1))"), std::string::npos) << err;
  EXPECT_GE(took, 1.0);
  EXPECT_LT(took, 2.0);
  report("secondary limit twice, Retry-After: 1 (max_wait_s 1)", "error after one 1 s wait", took);
  EXPECT_EQ(db_->query(kRows), expected_rows());
}

TEST_F(FaultTest, APrimaryLimitNearItsResetIsWaitedOut) {
  db_->query("SELECT stacklite_config('max_wait_s', 5)");
  int64_t reset = now_epoch() + 1;
  server_->inject(Fault::status(403, rate_limited_body(false))
                      .with_header("x-ratelimit-remaining", "0")
                      .with_header("x-ratelimit-reset", std::to_string(reset)),
                  1, "page=2");
  auto start = Clock::now();
  Rows rows = db_->query(kRows);
  double took = seconds_since(start);
  EXPECT_EQ(rows, expected_rows());
  EXPECT_GE(now_epoch(), reset + 1);  // not before the reset
  EXPECT_LT(took, 3.5);
  report("primary limit (403, remaining 0, reset in 1 s), max_wait_s 5", "250 exact rows", took);
}

TEST_F(FaultTest, AnExhaustedPrimaryLimitIsAnErrorWithTheResetTimeAndTheBudget) {
  testserver::Options options;
  options.rate_limit = 2;
  options.enforce_rate_limit = true;
  serve(small_dataset("octo-org", "octo-repo", 250), options);
  auto db = connect();
  auto start = Clock::now();
  std::string err = db->error(kRows);
  double took = seconds_since(start);
  int64_t reset = db->integer("SELECT json_extract(stacklite_rate_limit(), '$.\"" + server_->base_url() + "\".reset')");
  std::string head =
      "workflow_runs: GET " + kListPath +
      ": 403 Forbidden: API rate limit exceeded for 127.0.0.1. (primary rate limit: 0 of 2 requests left for "
      "core; it resets at " +
      testserver::format_timestamp(reset) + ", in ";
  EXPECT_EQ(err.substr(0, head.size()), head) << err;
  std::string tail = " s, beyond max_wait_s (60); no token was sent: set GITHUB_TOKEN or GH_TOKEN for a larger budget)";
  EXPECT_EQ(err.substr(err.size() - std::min(err.size(), tail.size())), tail) << err;
  EXPECT_EQ(api_requests().size(), 3u);  // the limited request is not repeated
  EXPECT_LT(took, 1.0);
  report("primary limit exhausted, reset in an hour", "error: resets at ..., 0 of 2 left", took);
  // The connection stays usable, and knows the budget without asking the server.
  EXPECT_EQ(db->query("SELECT json_extract(stacklite_rate_limit(), '$.\"" + server_->base_url() + "\".remaining')"),
            (Rows{{"0"}}));
  EXPECT_EQ(api_requests().size(), 3u);
}

TEST_F(FaultTest, RateLimitFunctionReportsTheLastSeenStatePerBaseUrlWithoutARequest) {
  EXPECT_EQ(db_->query("SELECT stacklite_rate_limit()"), (Rows{{"{}"}}));
  EXPECT_TRUE(api_requests().empty());
  db_->query("SELECT stacklite_config('cache', 0)");
  db_->integer(kCount);
  Rows state = db_->query(
      "SELECT key, json_extract(value, '$.limit'), json_extract(value, '$.remaining'), "
      "json_extract(value, '$.used'), json_extract(value, '$.resource'), "
      "json_extract(value, '$.reset') > 0 FROM json_each(stacklite_rate_limit())");
  EXPECT_EQ(state, (Rows{{server_->base_url(), "5000", "4997", "3", "core", "1"}}));
  EXPECT_EQ(server_->rate_limit_remaining(), 4997);
  EXPECT_EQ(api_requests().size(), 3u);
}

TEST_F(FaultTest, WritesWaitOutRateLimitsButAreNeverBlindlyRetried) {
  db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  db_->query("SELECT stacklite_config('max_wait_s', 5)");
  int64_t queued = 0;
  for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
    if (r.status == "queued" && !queued) queued = r.id;
  std::string call = "SELECT cancel_workflow_run('octo-org', 'octo-repo', " + std::to_string(queued) + ")";
  server_->inject(Fault::status(403, rate_limited_body(false))
                      .with_header("x-ratelimit-remaining", "0")
                      .with_header("x-ratelimit-reset", std::to_string(now_epoch())),
                  1, "/cancel");
  auto start = Clock::now();
  EXPECT_EQ(db_->query(call), (Rows{{"{\"ok\":true,\"status\":202}"}}));
  double took = seconds_since(start);
  EXPECT_EQ(api_requests().size(), 2u);
  EXPECT_LT(took, 2.5);
  report("write: primary limit, reset this second", "{\"ok\":true,\"status\":202}", took);

  server_->clear_requests();
  int64_t reset = now_epoch() + 3600;
  server_->inject(Fault::status(403, rate_limited_body(false))
                      .with_header("x-ratelimit-remaining", "0")
                      .with_header("x-ratelimit-reset", std::to_string(reset)),
                  1, "/cancel");
  start = Clock::now();
  std::string err = db_->error(call);
  took = seconds_since(start);
  std::string head =
      "cancel_workflow_run: POST " + kListPath + "/" + std::to_string(queued) +
      "/cancel: 403 Forbidden: API rate limit exceeded for 127.0.0.1. (primary rate limit: 0 of 5000 requests "
      "left for core; it resets at " +
      testserver::format_timestamp(reset) + ", in ";
  EXPECT_EQ(err.substr(0, head.size()), head) << err;
  EXPECT_EQ(api_requests().size(), 1u);
  report("write: primary limit, reset in an hour", "error: resets at ...", took);

  // A server error after the write arrived is its result, never a reason to send it again.
  server_->clear_requests();
  server_->inject(Fault::status(503, "{\"message\":\"Service Unavailable\"}"), 1, "/cancel");
  EXPECT_EQ(db_->query(call), (Rows{{"{\"ok\":false,\"status\":503,\"message\":\"Service Unavailable\"}"}}));
  EXPECT_EQ(api_requests().size(), 1u);
}

// --- conditional requests ---------------------------------------------------------------

TEST_F(FaultTest, ARepeatedQueryIsConditionalAndCostsNoPrimaryRateLimit) {
  const std::string all = std::string("SELECT * FROM workflow_runs WHERE ") + kRepo;
  Rows first = db_->query(all);
  ASSERT_EQ(first.size(), 250u);
  int remaining = server_->rate_limit_remaining();
  server_->clear_requests();
  auto start = Clock::now();
  Rows second = db_->query(all);
  double took = seconds_since(start);
  EXPECT_EQ(second, first);
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 3u);
  for (const auto& r : reqs) EXPECT_EQ(r.header("if-none-match").rfind("W/\"", 0), 0u) << r.path << "?" << r.query;
  EXPECT_EQ(server_->rate_limit_remaining(), remaining);
  report("repeated 250-run listing (3 pages)", "3 x 304, rows identical, cost 0", took);

  // The functions share the connection's cache with the table.
  EXPECT_EQ(db_->query("SELECT json_extract(stacklite_rate_limit(), '$.\"" + server_->base_url() + "\".remaining')"),
            (Rows{{std::to_string(remaining)}}));

  // Switched off: no condition, and the full price.
  EXPECT_EQ(db_->integer("SELECT stacklite_config('cache', 0)"), 0);
  server_->clear_requests();
  EXPECT_EQ(db_->query(all), first);
  for (const auto& r : api_requests()) EXPECT_FALSE(r.has_header("if-none-match"));
  EXPECT_EQ(server_->rate_limit_remaining(), remaining - 3);
}

TEST_F(FaultTest, AChangedListingIsFetchedAgainNotServedStale) {
  db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  Rows before = db_->query(kRows);
  int64_t queued = 0;
  for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
    if (r.status == "queued" && !queued) queued = r.id;
  db_->query("SELECT cancel_workflow_run('octo-org', 'octo-repo', " + std::to_string(queued) + ")");
  Rows after = db_->query(kRows);
  EXPECT_EQ(after, expected_rows());
  EXPECT_NE(after, before);
}

TEST_F(FaultTest, TheCacheNeverServesOneTokensResponseToAnotherNorKeepsErrors) {
  {
    ScopedEnv token("GITHUB_TOKEN", std::string("ghp-first-token"));
    db_->integer(kCount);
  }
  server_->clear_requests();
  {
    ScopedEnv token("GITHUB_TOKEN", std::string("ghp-second-token"));
    db_->integer(kCount);
  }
  for (const auto& r : api_requests()) EXPECT_FALSE(r.has_header("if-none-match")) << r.query;
  // An error response, even with an ETag, is never remembered.
  server_->clear_requests();
  server_->inject(Fault::status(404, "{\"message\":\"Not Found\"}").with_header("ETag", "W/\"err\""), 1, "/runs/5001");
  const std::string one = std::string("SELECT id FROM workflow_runs WHERE ") + kRepo + " AND id = 5001";
  EXPECT_EQ(db_->query(one), Rows{});
  EXPECT_EQ(db_->query(one), (Rows{{"5001"}}));
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_FALSE(reqs[1].has_header("if-none-match"));
}

TEST_F(FaultTest, CacheSettingsAreValidatedAndBoundTheCache) {
  EXPECT_EQ(db_->integer("SELECT stacklite_config('cache')"), 1);
  EXPECT_EQ(db_->integer("SELECT stacklite_config('cache_max_mb')"), 8);
  EXPECT_NE(db_->error("SELECT stacklite_config('cache', 2)").find("value must be an integer from 0 to 1"),
            std::string::npos);
  EXPECT_NE(db_->error("SELECT stacklite_config('cache_max_mb', 0)").find("from 1 to"), std::string::npos);
  // One MiB holds only some of the 250 runs' pages; whatever is kept is still exact.
  db_->query("SELECT stacklite_config('cache_max_mb', 1)");
  Rows first = db_->query(std::string("SELECT * FROM workflow_runs WHERE ") + kRepo);
  EXPECT_EQ(db_->query(std::string("SELECT * FROM workflow_runs WHERE ") + kRepo), first);
}

// --- hostile input --------------------------------------------------------------------

TEST_F(FaultTest, BadLinkHeadersAndNonJsonPagesAreErrorsOrExactNeverWrongRows) {
  db_->query("SELECT stacklite_config('max_retries', 0)");
  db_->query("SELECT stacklite_config('cache', 0)");
  // A Link without any readable entry: the listing stops early, then goes on by date
  // (total_count says 250), so no row is lost or repeated.
  server_->inject(Fault::stall(std::chrono::milliseconds(0)).with_header("Link", "garbage, rel=next; page=2"), 1,
                  "per_page");
  EXPECT_EQ(db_->query(kRows), expected_rows());
  // A next entry that is no URL of ours: an error naming it.
  for (std::string link :
       {"<ftp://127.0.0.1/x>; rel=\"next\"", "</relative?page=2>; rel=\"next\"", "garbage; <<>>; rel=next"}) {
    server_->inject(Fault::stall(std::chrono::milliseconds(0)).with_header("Link", link), 1, "per_page");
    std::string err = db_->error(kRows);
    EXPECT_NE(err.find("is not an absolute http(s) URL"), std::string::npos) << link << ": " << err;
  }
  // A proxy's HTML error page: the status and a summary, not the page.
  server_->inject(Fault::status(502, "<html><body>" + std::string(5000, 'x') + "</body></html>"), 1, "page=2");
  EXPECT_EQ(db_->error(kRows),
            "workflow_runs: GET " + kListPath + ": 502 Bad Gateway (response body is not a JSON error object)");
  // A 200 that is not JSON at all.
  server_->inject(Fault::body("<html>maintenance</html>", 200), 1, "page=3");
  std::string err = db_->error(kRows);
  EXPECT_EQ(err.rfind("workflow_runs: GET " + kListPath + ": malformed response: ", 0), 0u) << err;
  EXPECT_EQ(db_->query(kRows), expected_rows());
}

TEST_F(FaultTest, EveryValueIsEncodedIntoThePathOrQueryOrRefused) {
  db_->query("SELECT stacklite_config('max_retries', 0)");
  struct Case {
    std::string where, path, query;
  };
  // char(1): a control character; char(233): é, sent as UTF-8.
  std::vector<Case> cases = {
      {"owner = 'a b/c' AND repo = 'r?x#y'", "/repos/a%20b%2Fc/r%3Fx%23y/actions/runs", "per_page=100"},
      {"owner = '%2e%2e' AND repo = 'r%00'", "/repos/%252e%252e/r%2500/actions/runs", "per_page=100"},
      {"owner = 'o' AND repo = 'caf' || char(233)", "/repos/o/caf%C3%A9/actions/runs", "per_page=100"},
      {"owner = '...' AND repo = '.x'", "/repos/.../.x/actions/runs", "per_page=100"},
      {"owner = 'o' AND repo = 'r' AND workflow = '../ci.yml'", "/repos/o/r/actions/workflows/..%2Fci.yml/runs",
       "per_page=100"},
      {"owner = 'o' AND repo = 'r' AND head_branch = 'feat/x y#z?a=1&b=%' || char(9) || char(0) || char(233)",
       "/repos/o/r/actions/runs", "branch=feat%2Fx%20y%23z%3Fa%3D1%26b%3D%25%09%00%C3%A9&per_page=100"},
      {"owner = 'o' AND repo = 'r' AND actor_login = '../admin' AND event = 'push&x' AND head_sha = ' #'",
       "/repos/o/r/actions/runs", "actor=..%2Fadmin&event=push%26x&head_sha=%20%23&per_page=100"},
  };
  for (const auto& c : cases) {
    server_->clear_requests();
    db_->error("SELECT id FROM workflow_runs WHERE " + c.where);
    auto reqs = api_requests();
    // A workflow's listing that answers 404 asks whether the repository is there.
    const bool by_workflow = c.path.find("/workflows/") != std::string::npos;
    ASSERT_EQ(reqs.size(), by_workflow ? 2u : 1u) << c.where;
    if (by_workflow) {
      EXPECT_EQ(reqs[1].path, "/repos/o/r") << c.where;
    }
    EXPECT_EQ(reqs[0].path, c.path) << c.where;
    EXPECT_EQ(reqs[0].query, c.query) << c.where;
  }
  // Control characters in a path segment: encoded too (the loopback server's HTTP library
  // refuses such paths before recording them, so the request line is read from the error).
  std::string err =
      db_->error("SELECT id FROM workflow_runs WHERE owner = 'o' || char(1) || char(10) AND repo = 'r' || char(127)");
  EXPECT_EQ(err.rfind("workflow_runs: GET /repos/o%01%0A/r%7F/actions/runs: 404 Not Found", 0), 0u) << err;
  // Dot segments would change the path: refused before any request, naming the column.
  server_->clear_requests();
  for (std::string where : {"owner = '.' AND repo = 'r'", "owner = 'o' AND repo = '..'",
                            "owner = 'o' AND repo = 'r' AND workflow = '..'", "owner = '' AND repo = 'r'"}) {
    std::string err = db_->error("SELECT id FROM workflow_runs WHERE " + where);
    EXPECT_EQ(err.rfind("workflow_runs: ", 0), 0u) << where << ": " << err;
    EXPECT_NE(err.find("must not be"), std::string::npos) << where << ": " << err;
  }
  EXPECT_TRUE(api_requests().empty());
}

TEST_F(FaultTest, TheTokenAppearsInNoErrorDebugOutputOrRateLimitReport) {
  const std::string secret = "ghp-do-not-print-0123456789";
  ScopedEnv token("GITHUB_TOKEN", secret);
  db_->query("SELECT stacklite_config('max_wait_s', 0)");
  db_->integer(kCount);
  for (const std::string sql : {"SELECT stacklite_debug()", "SELECT stacklite_rate_limit()"})
    EXPECT_EQ(db_->query(sql)[0][0].find(secret), std::string::npos) << sql;
  // Error bodies that echo the token, through every error path.
  std::string echo = "{\"message\":\"You have exceeded a secondary rate limit for " + secret + "\"}";
  server_->inject(Fault::status(403, echo), 1, "page=2");
  std::string err = db_->error(kCount);
  EXPECT_NE(err.find("secondary rate limit"), std::string::npos) << err;
  EXPECT_EQ(err.find(secret), std::string::npos) << err;
  server_->inject(Fault::status(429, echo), 1, "/cancel");
  db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  err = db_->error("SELECT cancel_workflow_run('octo-org', 'octo-repo', 5004)");
  EXPECT_NE(err.find("429"), std::string::npos) << err;
  EXPECT_EQ(err.find(secret), std::string::npos) << err;
  server_->inject(Fault::status(500, "{\"message\":\"" + secret + "\"}"), 4, "page=2");
  db_->query("SELECT stacklite_config('max_retries', 3)");
  err = db_->error(kCount);
  EXPECT_EQ(err.find(secret), std::string::npos) << err;
  // Every request carried it to the API origin only.
  for (const auto& r : api_requests()) EXPECT_EQ(r.header("authorization"), "Bearer " + secret);
}

}  // namespace
}  // namespace stacklite::testing
