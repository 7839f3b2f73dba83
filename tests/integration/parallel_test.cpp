// Requests side by side at network latency: pages of a listing and listings of an IN list
// fetched concurrently (max_concurrency), rows still exactly the API's, in its order; the
// next page fetched while SQLite reads the current one; LIMIT, secondary rate limits,
// interrupts and errors mid-listing.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

constexpr const char* kListIds = "SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'";

class ParallelTest : public ServerTest {
 protected:
  // 1,000 runs: ten pages of 100; every request answered after `latency_ms`.
  void serve_listing(int latency_ms, int runs = 1000) {
    testserver::Options options;
    options.latency_ms = latency_ms;
    options.threads = 40;  // more than any client keeps in flight: the server never queues
    serve(small_dataset("octo-org", "octo-repo", runs), options);
  }
  std::vector<std::string> expected_ids() const {
    std::vector<std::string> ids;
    for (const WorkflowRun& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
      ids.push_back(std::to_string(r.id));
    return ids;
  }
  static std::vector<std::string> column(const Rows& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row[0]);
    return out;
  }
  // The page numbers requested, in the order they arrived ("1" for the first page).
  std::vector<std::string> pages_requested() const {
    std::vector<std::string> pages;
    for (const auto& r : api_requests()) pages.push_back(r.has_param("page") ? r.param("page") : "1");
    return pages;
  }
};

TEST_F(ParallelTest, RowsAreIdenticalInIdsAndOrderAtConcurrency1And4And16) {
  serve_listing(20);
  const auto want = expected_ids();
  ASSERT_EQ(want.size(), 1000u);
  for (int concurrency : {1, 4, 16}) {
    SCOPED_TRACE("max_concurrency " + std::to_string(concurrency));
    auto db = connect();
    EXPECT_EQ(db->integer("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")"),
              concurrency);
    db->query("SELECT stacklite_config('cache', 0)");
    server_->clear_requests();
    EXPECT_EQ(column(db->query(kListIds)), want);
    // Each page asked for once: nothing fetched twice, nothing skipped.
    auto pages = pages_requested();
    std::sort(pages.begin(), pages.end(),
              [](const std::string& a, const std::string& b) { return std::stoi(a) < std::stoi(b); });
    EXPECT_EQ(pages, (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}));
    // Never more in flight than allowed.
    for (const auto& r : api_requests()) EXPECT_LE(r.in_flight, concurrency);
  }
}

TEST_F(ParallelTest, PagesOfAListingAreInFlightTogether) {
  serve_listing(100);
  auto db = connect();
  db->query("SELECT stacklite_config('max_concurrency', 4)");
  EXPECT_EQ(column(db->query(kListIds)), expected_ids());
  int most = 0;
  for (const auto& r : api_requests()) most = std::max(most, r.in_flight);
  EXPECT_EQ(most, 4);  // pages 2..10 went out four at a time
  EXPECT_EQ(server_->max_in_flight(), 4);
}

// Readable only by this test's connection: how many requests the server has seen so far,
// asked for each row as SQLite reads it, with a pause that makes SQLite a slow reader.
void requests_seen(sqlite3_context* ctx, int, sqlite3_value**) {
  auto* server = static_cast<FakeGitHub*>(sqlite3_user_data(ctx));
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  sqlite3_result_int64(ctx, static_cast<sqlite3_int64>(server->requests().size()));
}

TEST_F(ParallelTest, AtConcurrencyOneTheNextPageIsFetchedWhileSqliteReadsTheCurrent) {
  serve_listing(400, 300);
  auto db = connect();
  db->query("SELECT stacklite_config('max_concurrency', 1)");
  ASSERT_EQ(sqlite3_create_function(db->handle(), "requests_seen", 0, SQLITE_UTF8, server_.get(), requests_seen,
                                    nullptr, nullptr),
            SQLITE_OK);
  auto rows =
      db->query("SELECT id, requests_seen() FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'");
  ASSERT_EQ(rows.size(), 300u);
  // While SQLite reads page 1 (rows 0..99, 2 ms each), page 2 is already asked for, and
  // nothing more: one request at a time.
  EXPECT_EQ(rows[99][1], "2");
  EXPECT_EQ(rows[199][1], "3");
  EXPECT_EQ(server_->max_in_flight(), 1);
  EXPECT_EQ(api_requests().size(), 3u);
}

TEST_F(ParallelTest, LimitRequestsNoPageBeyondWhatItNeeds) {
  serve_listing(20);
  const auto want = expected_ids();
  for (int concurrency : {1, 4, 16}) {
    SCOPED_TRACE("max_concurrency " + std::to_string(concurrency));
    auto db = connect();
    db->query("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")");
    server_->clear_requests();
    EXPECT_EQ(column(db->query(std::string(kListIds) + " LIMIT 150")),
              std::vector<std::string>(want.begin(), want.begin() + 150));
    EXPECT_EQ(pages_requested(), (std::vector<std::string>{"1", "2"}));
    server_->clear_requests();
    EXPECT_EQ(column(db->query(std::string(kListIds) + " LIMIT 50 OFFSET 220")),
              std::vector<std::string>(want.begin() + 220, want.begin() + 270));
    EXPECT_EQ(pages_requested().size(), 3u);
    // A LIMIT that SQLite applies after filtering rows itself is not told to the table: one
    // page is fetched ahead until SQLite has read past the first, so a query that stops in
    // page 1 costs one page more, not max_concurrency more.
    server_->clear_requests();
    EXPECT_EQ(db->query(std::string(kListIds) + " AND display_title LIKE 'Change number 99%' LIMIT 1").size(), 1u);
    auto pages = pages_requested();
    EXPECT_LE(pages.size(), 2u);  // page 2 may be dropped before it goes out
    EXPECT_EQ(pages.at(0), "1");
  }
}

TEST_F(ParallelTest, ASecondaryLimitHalvesTheConcurrencyAndEveryRowStillComesOnce) {
  serve_listing(300, 2000);
  auto db = connect();
  db->query("SELECT stacklite_config('max_concurrency', 8)");
  server_->inject(Fault::status(403,
                                "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few "
                                "minutes before you try again.\"}")
                      .with_header("retry-after", "1"),
                  1, "&page=3");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(column(db->query(kListIds)), expected_ids());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));  // the wait was honoured
  auto reqs = api_requests();
  // Page 3 was asked twice: refused, then again after the wait. Before the wait 8 were in
  // flight; from the retry on (the pages sent before it had long been answered), 4.
  size_t page3 = 0, retry_at = 0;
  for (size_t i = 0; i < reqs.size(); ++i)
    if (reqs[i].param("page") == "3" && ++page3 == 2) retry_at = i;
  ASSERT_EQ(page3, 2u);
  int before = 0, after = 0;
  for (size_t i = 0; i < reqs.size(); ++i)
    (i < retry_at ? before : after) = std::max(i < retry_at ? before : after, reqs[i].in_flight);
  EXPECT_GT(before, 4);
  EXPECT_LE(after, 4);
  EXPECT_GT(after, 1);                    // halved, not dropped to one at a time
  EXPECT_GT(reqs.size() - retry_at, 8u);  // most of the listing came after the wait
  EXPECT_EQ(reqs.size(), 21u);            // twenty pages, one of them twice
}

TEST_F(ParallelTest, AnInterruptDuringAParallelListingReturnsPromptlyAndTheConnectionStaysUsable) {
  serve_listing(2000);
  auto db = connect();
  db->query("SELECT stacklite_config('max_concurrency', 4)");
  std::atomic<bool> done{false};
  std::thread interrupter([&] {
    // After the first page (2 s), pages 2..5 are in flight.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    if (!done) sqlite3_interrupt(db->handle());
  });
  auto start = std::chrono::steady_clock::now();
  std::string err = db->error(kListIds);
  auto took = std::chrono::steady_clock::now() - start;
  done = true;
  interrupter.join();
  EXPECT_EQ(err, "interrupted");
  EXPECT_LT(took, std::chrono::milliseconds(3500));  // not the 4 s the pages in flight would take
  EXPECT_GE(api_requests().size(), 2u);              // it was interrupted mid-listing
  db->query("SELECT stacklite_config('max_concurrency', 16)");
  EXPECT_EQ(db->integer("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' LIMIT 5"),
            1000);
}

// A request the statement's own thread makes (a write function's GET, here to another
// repository, so the listing goes on by page) while the listing's later pages are in flight
// on the pool: whichever thread drives the pool, the statement's interrupt check runs on the
// statement's thread only (elsewhere it would wait for the connection's mutex, which the
// statement holds: a deadlock).
TEST_F(ParallelTest, AFunctionsRequestDuringAParallelListingFinishesAndStaysInterruptible) {
  serve_listing(300);
  auto db = connect();
  db->query("SELECT stacklite_config('max_concurrency', 4), stacklite_config('write_interval_ms', 0)");
  Rows rows = db->query(
      "SELECT id, json_extract(download_workflow_run_logs(owner, 'elsewhere', id), '$.status') FROM workflow_runs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' LIMIT 3");
  const auto want = expected_ids();
  ASSERT_EQ(rows.size(), 3u);
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i], (std::vector<std::string>{want[i], "404"}));
  size_t logs = 0;
  for (const auto& r : api_requests()) logs += r.path.size() > 5 && r.path.substr(r.path.size() - 5) == "/logs";
  EXPECT_EQ(logs, 3u);

  // Interrupted while such a request waits on a stalled answer: promptly "interrupted".
  server_->inject(Fault::stall(std::chrono::milliseconds(5000)), 1, "/logs");
  std::atomic<bool> done{false};
  std::thread interrupter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    if (!done) sqlite3_interrupt(db->handle());
  });
  auto start = std::chrono::steady_clock::now();
  std::string err = db->error(
      "SELECT download_workflow_run_logs(owner, 'elsewhere', id) FROM workflow_runs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' LIMIT 1");
  auto took = std::chrono::steady_clock::now() - start;
  done = true;
  interrupter.join();
  EXPECT_EQ(err, "interrupted");
  EXPECT_LT(took, std::chrono::milliseconds(2500));
}

TEST_F(ParallelTest, AnErrorOnPage7Of10IsAnErrorNeverAShortResult) {
  serve_listing(20);
  for (int concurrency : {1, 4, 16}) {
    SCOPED_TRACE("max_concurrency " + std::to_string(concurrency));
    auto db = connect();
    db->query("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")");
    db->query("SELECT stacklite_config('max_retries', 1)");
    server_->clear_faults();
    server_->inject(Fault::status(500, "{\"message\":\"Server Error\"}"), 100, "&page=7");
    EXPECT_EQ(db->error("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'"),
              "workflow_runs: GET /repos/octo-org/octo-repo/actions/runs: 500 Internal Server Error: Server Error");
    server_->clear_faults();
    server_->inject(Fault::reset(), 100, "&page=7");
    std::string err = db->error(kListIds);
    EXPECT_NE(err.find("workflow_runs: GET /repos/octo-org/octo-repo/actions/runs: "), std::string::npos) << err;
    server_->clear_faults();
    EXPECT_EQ(db->integer("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'"), 1000);
  }
}

class ParallelTargetsTest : public ServerTest {
 protected:
  void SetUp() override {
    testserver::Options options;
    options.latency_ms = 100;
    options.threads = 40;
    serve(testserver::synthetic_inventory("inv", "repo", 4, 250), options);
  }
  std::vector<std::string> expected(const std::vector<std::string>& repos) const {
    std::vector<std::string> ids;
    Dataset data = server_->snapshot();
    for (const auto& repo : repos)
      for (const WorkflowRun& r : data.runs_for("inv", repo)) ids.push_back(std::to_string(r.id));
    return ids;
  }
  // Which repositories had requests in flight at once: the most distinct ones seen together.
  int most_repos_in_flight_together() const {
    int most = 0;
    auto reqs = api_requests();
    for (size_t i = 0; i < reqs.size(); ++i) {
      std::map<std::string, int> repos;
      // A request that arrived with k in flight overlapped the k-1 before it.
      for (size_t j = i + 1 >= static_cast<size_t>(reqs[i].in_flight) ? i + 1 - reqs[i].in_flight : 0; j <= i; ++j)
        repos[reqs[j].path]++;
      most = std::max(most, static_cast<int>(repos.size()));
    }
    return most;
  }
};

TEST_F(ParallelTargetsTest, InListsFetchTheirListingsConcurrentlyWithTheSameRowsAsOneAtATime) {
  const std::vector<std::string> all = {"repo-1", "repo-2", "repo-3", "repo-4"};
  for (const std::string& where :
       {std::string("repo IN ('repo-1', 'repo-2', 'repo-3', 'repo-4')"),
        std::string("(repo = 'repo-1' OR repo = 'repo-2' OR repo = 'repo-3' OR repo = 'repo-4')")}) {
    SCOPED_TRACE(where);
    auto serial = connect();
    serial->query("SELECT stacklite_config('max_concurrency', 1)");
    serial->query("SELECT stacklite_config('cache', 0)");
    auto parallel = connect();
    parallel->query("SELECT stacklite_config('cache', 0)");
    const std::string sql = "SELECT repo, id FROM workflow_runs WHERE owner = 'inv' AND " + where;
    server_->clear_requests();
    auto one_at_a_time = serial->query(sql);
    server_->clear_requests();
    auto side_by_side = parallel->query(sql);
    EXPECT_EQ(side_by_side, one_at_a_time);
    std::vector<std::string> ids;
    for (const auto& row : side_by_side) ids.push_back(row[1]);
    EXPECT_EQ(ids.size(), 1000u);
    std::vector<std::string> sorted_ids = ids, want = expected(all);
    std::sort(sorted_ids.begin(), sorted_ids.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(sorted_ids, want);
    EXPECT_EQ(api_requests().size(), 12u);  // three pages per repository, each once
    EXPECT_GE(most_repos_in_flight_together(), 2);
  }
}

TEST_F(ParallelTargetsTest, RepoInASubqueryIsFetchedConcurrently) {
  auto db = connect();
  db->query("SELECT stacklite_config('cache', 0)");
  db->query("CREATE TABLE wanted(name TEXT); INSERT INTO wanted VALUES ('repo-3'), ('repo-1'), ('repo-4')");
  server_->clear_requests();
  auto rows = db->query("SELECT id FROM workflow_runs WHERE owner = 'inv' AND repo IN (SELECT name FROM wanted)");
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row[0]);
  std::vector<std::string> want = expected({"repo-1", "repo-3", "repo-4"});
  std::sort(ids.begin(), ids.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);
  EXPECT_EQ(api_requests().size(), 9u);
  EXPECT_GE(most_repos_in_flight_together(), 2);
}

// An inventory over several repositories of several pages each: every repository's later
// pages are asked for as soon as its first page is in, and the next repository's first page
// goes out then too, so the requests in flight span repositories.
class InventoryTest : public ServerTest {
 protected:
  static constexpr int kRepos = 6;
  void SetUp() override {
    testserver::Options options;
    options.latency_ms = 100;
    options.threads = 40;
    serve(testserver::synthetic_inventory("inv", "repo", kRepos, 450), options);  // 5 pages each
    for (int i = 1; i <= kRepos; ++i) repos_.push_back("repo-" + std::to_string(i));
  }
  std::string sql(const std::string& tail = "") const {
    std::string list;
    for (const auto& r : repos_) list += (list.empty() ? "'" : ", '") + r + "'";
    return "SELECT repo, id FROM workflow_runs WHERE owner = 'inv' AND repo IN (" + list + ")" + tail;
  }
  // The rows the API lists, repository by repository in the IN list's order.
  Rows expected() const {
    Rows rows;
    Dataset data = server_->snapshot();
    for (const auto& repo : repos_)
      for (const WorkflowRun& r : data.runs_for("inv", repo)) rows.push_back({repo, std::to_string(r.id)});
    return rows;
  }
  // Each request as "repo page", sorted: the pages asked for, however they overlapped.
  std::vector<std::string> pages_sent() const {
    std::vector<std::string> out;
    for (const auto& r : api_requests())
      out.push_back(r.path.substr(std::string("/repos/inv/").size(), r.path.find("/actions") - 11) + " " +
                    (r.has_param("page") ? r.param("page") : "1"));
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> every_page() const {
    std::vector<std::string> out;
    for (const auto& repo : repos_)
      for (int p = 1; p <= 5; ++p) out.push_back(repo + " " + std::to_string(p));
    std::sort(out.begin(), out.end());
    return out;
  }
  // The most distinct repositories whose requests were in flight at once.
  int most_repos_in_flight_together() const {
    int most = 0;
    auto reqs = api_requests();
    for (size_t i = 0; i < reqs.size(); ++i) {
      std::set<std::string> repos;
      for (size_t j = i + 1 >= static_cast<size_t>(reqs[i].in_flight) ? i + 1 - reqs[i].in_flight : 0; j <= i; ++j)
        repos.insert(reqs[j].path);
      most = std::max(most, static_cast<int>(repos.size()));
    }
    return most;
  }
  std::vector<std::string> repos_;
};

TEST_F(InventoryTest, RequestsInFlightSpanRepositoriesAndRowsKeepTheirOrder) {
  auto db = connect();
  db->query("SELECT stacklite_config('cache', 0)");
  db->query("SELECT stacklite_config('max_concurrency', 4)");
  EXPECT_EQ(db->query(sql()), expected());
  EXPECT_EQ(pages_sent(), every_page());  // each page once
  for (const auto& r : api_requests()) EXPECT_LE(r.in_flight, 4);
  // Each repository's first page went out while the previous repository's pages were in
  // flight, and its own further pages while the next repository's were: the requests in
  // flight span repositories.
  auto reqs = api_requests();
  // Request j arrived while the in_flight - 1 requests before it were being handled (they
  // are answered in the order they came, all after the same latency).
  std::set<std::string> first_overlapped, later_overlapped;
  auto note = [&](const RecordedRequest& r, const RecordedRequest& other) {
    if (other.path != r.path) (r.has_param("page") ? later_overlapped : first_overlapped).insert(r.path);
  };
  for (size_t j = 0; j < reqs.size(); ++j)
    for (size_t i = j + 1 >= static_cast<size_t>(reqs[j].in_flight) ? j + 1 - reqs[j].in_flight : 0; i < j; ++i) {
      note(reqs[i], reqs[j]);
      note(reqs[j], reqs[i]);
    }
  EXPECT_EQ(first_overlapped.size(), static_cast<size_t>(kRepos - 1));  // every repository but the first
  EXPECT_GE(later_overlapped.size(), static_cast<size_t>(kRepos - 2));
  EXPECT_GE(most_repos_in_flight_together(), 2);
}

TEST_F(InventoryTest, RowsAreIdenticalInIdsAndOrderAtConcurrency1And4And16) {
  const Rows want = expected();
  ASSERT_EQ(want.size(), static_cast<size_t>(kRepos * 450));
  for (int concurrency : {1, 4, 16}) {
    SCOPED_TRACE("max_concurrency " + std::to_string(concurrency));
    auto db = connect();
    db->query("SELECT stacklite_config('cache', 0)");
    db->query("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")");
    server_->clear_requests();
    EXPECT_EQ(db->query(sql()), want);
    EXPECT_EQ(pages_sent(), every_page());
    for (const auto& r : api_requests()) EXPECT_LE(r.in_flight, concurrency);
    // A subquery for the list, and an aggregate, read the same.
    server_->clear_requests();
    EXPECT_EQ(db->integer("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6) "
                          "SELECT count(*) FROM workflow_runs WHERE owner = 'inv' AND repo IN "
                          "(SELECT 'repo-' || i FROM n)"),
              static_cast<int64_t>(want.size()));
  }
}

TEST_F(InventoryTest, ALimitRequestsNoPageBeyondWhatItNeeds) {
  const Rows want = expected();
  for (int concurrency : {1, 4, 16}) {
    SCOPED_TRACE("max_concurrency " + std::to_string(concurrency));
    auto db = connect();
    db->query("SELECT stacklite_config('cache', 0)");
    db->query("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")");
    server_->clear_requests();
    EXPECT_EQ(db->query(sql(" LIMIT 150")), Rows(want.begin(), want.begin() + 150));
    EXPECT_EQ(pages_sent(), (std::vector<std::string>{"repo-1 1", "repo-1 2"}));
    // Into the second repository by 20 rows: its first page only.
    server_->clear_requests();
    EXPECT_EQ(db->query(sql(" LIMIT 470")), Rows(want.begin(), want.begin() + 470));
    EXPECT_EQ(pages_sent(),
              (std::vector<std::string>{"repo-1 1", "repo-1 2", "repo-1 3", "repo-1 4", "repo-1 5", "repo-2 1"}));
  }
}

TEST_F(InventoryTest, AnErrorOnALaterRepositorysPageIsAnErrorNeverAShortResult) {
  for (int concurrency : {1, 4, 16}) {
    SCOPED_TRACE("max_concurrency " + std::to_string(concurrency));
    auto db = connect();
    db->query("SELECT stacklite_config('cache', 0)");
    db->query("SELECT stacklite_config('max_retries', 1)");
    db->query("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")");
    // A later page of the fourth repository.
    server_->clear_faults();
    server_->inject(Fault::status(500, "{\"message\":\"Server Error\"}"), 100,
                    "repo-4/actions/runs?per_page=100&page=3");
    EXPECT_EQ(db->error(sql()),
              "workflow_runs: GET /repos/inv/repo-4/actions/runs: 500 Internal Server Error: Server Error");
    // The first page of the fifth, fetched ahead while the others are read.
    server_->clear_faults();
    server_->inject(Fault::reset(), 100, "repo-5/actions/runs");
    std::string err = db->error("SELECT count(*) FROM (" + sql() + ")");
    EXPECT_NE(err.find("workflow_runs: GET /repos/inv/repo-5/actions/runs: "), std::string::npos) << err;
    server_->clear_faults();
    EXPECT_EQ(db->query(sql()), expected());
  }
}

}  // namespace
}  // namespace stacklite::testing
