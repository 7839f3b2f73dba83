// A loopback server that answers like shithub's read-only Actions API (bare JSON arrays,
// Link pagination, 404 for what a token cannot see, 403 without repo:read), for tests and
// the demo server's --provider shithub. Implemented in shithub/ on server/.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/fault.hpp"
#include "server/recorded_request.hpp"

namespace stacklite::testserver {

struct ShithubRun {
  int64_t id = 0;
  std::string owner, repo;
  int run_number = 0;
  std::string workflow_file, workflow_name, head_sha, head_ref, event, status, conclusion;  // "" is null
  int64_t actor_id = 0;
  std::string actor_username, started_at, completed_at, created_at, updated_at;
};

struct ShithubJob {
  int64_t id = 0, run_id = 0;
  int job_index = 0;
  std::string job_key, job_name, runs_on, status, conclusion;
  bool cancel_requested = false;
  std::vector<std::string> needs_jobs;
  std::string started_at, completed_at, created_at;
};

class FakeShithub {
 public:
  // runs newest first as served; token: requests must carry "Bearer <token>" or get 403.
  FakeShithub(std::vector<ShithubRun> runs, std::vector<ShithubJob> jobs, std::string token = "");
  ~FakeShithub();
  std::string base_url() const;  // http://127.0.0.1:PORT/api/v1
  std::vector<RecordedRequest> requests() const;
  void clear_requests();
  // As FakeGitHub::inject: the next `count` requests whose target contains path_contains.
  void inject(Fault fault, int count = 1, std::string path_contains = "");
  // Hostile but legal: each Link header sent as two lines, rel="first" on the first and
  // rel="next" on the second (HTTP lets a list-valued header be split so).
  void split_link_headers(bool on);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// n runs of owner/repo with 3 jobs each (job_index 0..2, served out of id order).
void shithub_sample(const std::string& owner, const std::string& repo, int n, std::vector<ShithubRun>& runs,
                    std::vector<ShithubJob>& jobs);

}  // namespace stacklite::testserver
