// Internal to github/: the fake's state (options, the served dataset and its lock, the
// rate-limit budget, cached listings) and its handlers, one per API operation. Which
// request reaches which handler is the route table in routes.cpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "fake_github.hpp"
#include "github/render.hpp"
#include "server/exchange.hpp"
#include "server/listing.hpp"
#include "server/loopback_server.hpp"
#include "server/path_pattern.hpp"

namespace stacklite::testserver {

struct GitHubApi;
using Handler = void (GitHubApi::*)(Exchange&, const PathArgs&, const std::string& anchor);

struct Route {
  const char* method;   // "GET" (answers HEAD too), "POST" or "DELETE"
  const char* pattern;  // under the path prefix; "{name}" binds one segment
  const char* anchor;   // of the operation's page under kDocs, for error bodies
  Handler handler;
};

inline constexpr char kDocs[] = "https://docs.github.com/rest/actions/";

struct GitHubApi {
  Options opts;
  std::string origin, base;  // "http://127.0.0.1:PORT", origin + path prefix
  UrlBases bases;
  int64_t rate_reset = 0;

  mutable std::shared_mutex data_mutex;
  Dataset data;
  uint64_t generation = 0;  // bumped on every change to data, under data_mutex

  std::atomic<int> used{0};
  std::atomic<int> admitted{0};  // requests let past the enforced rate limit
  std::atomic<uint64_t> request_counter{0};

  // Filtered, sorted listings, reused while the data is unchanged so paging through a
  // large result does not rescan it for every page.
  struct Listing {
    uint64_t generation;
    std::string key;
    std::shared_ptr<const std::vector<const Run*>> runs;
  };
  std::mutex listing_mutex;
  std::deque<Listing> listings;

  // Last, so it is destroyed first: no handler runs once the state above is gone.
  LoopbackServer server;

  GitHubApi(Dataset d, Options o);

  // routes.cpp: gatekeeping, the route table, the headers every answer carries.
  void answer(Exchange& ex);
  void finish(Exchange& ex);

  // listings.cpp
  void list_repository_runs(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void list_workflow_runs(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void list_runs(Exchange& ex, const PathArgs& args, const std::string& anchor, const Workflow* workflow);
  void list_workflows(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void get_workflow(Exchange& ex, const PathArgs& args, const std::string& anchor);

  // repository_listings.cpp
  void list_org_repos(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void list_user_repos(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void list_own_repos(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void get_repository(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void list_repositories(Exchange& ex, std::vector<const Repository*> repos);  // one page of them

  // run_reads.cpp
  void get_run(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void list_jobs(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void run_logs(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void get_job(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void job_logs(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void run_timing(Exchange& ex, const PathArgs& args, const std::string& anchor);

  // writes.cpp
  void delete_run(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void delete_logs(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void cancel_run(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void rerun_run(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void approve_run(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void review_protection_rule(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void review_pending_deployments(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void rerun_job(Exchange& ex, const PathArgs& args, const std::string& anchor);

  // artifacts.cpp
  void list_repository_artifacts(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void list_run_artifacts(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void list_artifacts(Exchange& ex, std::vector<Artifact> items, const std::string& anchor);
  void get_artifact(Exchange& ex, const PathArgs& args, const std::string& anchor);
  void delete_artifact(Exchange& ex, const PathArgs& args, const std::string& anchor);

  // listing_modes.cpp: listings that change or misbehave on purpose (see Options).
  void churn_busy_repository(const PathArgs& args);
  bool beyond_unfiltered_page_limit(Exchange& ex, bool capped);  // true after answering 422
  void set_link(Exchange& ex, const PageWindow& window, int64_t visible);
  uint64_t busy_rng = 0;  // under data_mutex

  // blob_storage.cpp: the stand-in for the storage that log downloads redirect to.
  std::string blob_url(const std::string& path) const;
  void serve_blob(Exchange& ex);

  // Where Link URLs point: the server itself unless link_base_override is set.
  std::string link_origin() const { return opts.link_base_override.empty() ? origin : opts.link_base_override; }
  std::shared_ptr<const std::vector<const Run*>> listing(const std::string& key, const std::vector<Run>& stored,
                                                         const std::function<bool(const Run&)>& keep);
};

// Answers GitHub's error body linking kDocs + anchor; anchor "": GitHub's generic REST page.
void send_error(Exchange& ex, int status, const std::string& message, const std::string& anchor);
// 422 "Validation Failed" naming the resource and field.
void send_validation_failed(Exchange& ex, const std::string& resource, const std::string& field,
                            const std::string& anchor);
// Positive decimal without sign, as path ids are; false otherwise.
bool parse_id(const std::string& s, int64_t& v);
// "2026-11-23T10:45:00Z" for now.
std::string now_timestamp();

}  // namespace stacklite::testserver
