// The workflow-run model the loopback server serves, and deterministic generators for
// the demo data and for synthetic benchmark repositories.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stacklite::testserver {

struct Run {
  int64_t id = 0;
  std::string owner, repo;  // repository it belongs to
  std::string name;         // workflow name, e.g. "CI"
  std::string display_title;
  std::string head_branch, head_sha, event;
  std::string status;      // queued, in_progress, completed, waiting, requested, pending, action_required
  std::string conclusion;  // "" is JSON null
  int64_t workflow_id = 0;
  std::string workflow_path;  // ".github/workflows/ci.yml"
  int64_t check_suite_id = 0;
  int run_number = 0;
  int run_attempt = 1;
  std::string actor_login;
  int64_t actor_id = 0;
  std::string triggering_actor_login;
  int64_t triggering_actor_id = 0;
  std::string created_at, updated_at, run_started_at;  // "YYYY-MM-DDTHH:MM:SSZ"
  std::vector<int> pull_request_numbers;
  std::string head_commit_message;
  // A deployment's wait for a reviewer before its last job, within run_started_at..updated_at
  // of a completed run: no job runs (or bills) meanwhile.
  int64_t approval_seconds = 0;
  int64_t repository_id = 0;
  int64_t head_repository_id = 0;  // differs from repository_id for runs from forks
};

struct Workflow {
  int64_t id = 0;
  std::string name;
  std::string path;              // ".github/workflows/ci.yml"
  std::string state = "active";  // active, deleted, disabled_fork, disabled_inactivity, disabled_manually
  std::string created_at = "2024-03-11T09:12:44Z", updated_at = "2026-01-15T16:40:02Z";
};

struct Repository {
  std::string owner, name;
  int64_t id = 0;
  std::vector<Workflow> workflows;
  std::string description;  // "" is JSON null
  bool is_private = false;
  bool is_fork = false;
  int64_t owner_id = 0;                     // 0: derived from the owner's login
  std::string owner_type = "Organization";  // or "User"
  std::string default_branch = "main";
  // What repository listings show besides the above.
  std::string visibility;  // "": public or private as is_private says; or "internal"
  bool archived = false, disabled = false, is_template = false;
  std::string language;  // "" is JSON null
  std::vector<std::string> topics;
  std::string homepage;  // "" is JSON null
  int64_t size_kb = 0, stargazers = 0, forks = 0, open_issues = 0;
  std::string created_at = "2019-04-02T10:00:00Z", updated_at = "2026-11-19T08:00:00Z",
              pushed_at = "2026-11-20T17:00:00Z";

  std::string visibility_or_default() const {
    return visibility.empty() ? (is_private ? "private" : "public") : visibility;
  }
};

// An artifact a run uploaded, as GitHub's Artifact object: tied to its run by run_id, and
// carrying the run's branch, sha and repositories as the object's workflow_run does.
struct Artifact {
  int64_t id = 0;
  std::string owner, repo;  // repository it belongs to
  std::string name;
  int64_t size_in_bytes = 0;
  int64_t run_id = 0;
  std::string head_branch, head_sha;
  int64_t repository_id = 0, head_repository_id = 0;
  std::string created_at, updated_at, expires_at;  // "YYYY-MM-DDTHH:MM:SSZ"
  bool expired = false;
  std::string digest;  // "sha256:…"; "" is JSON null (uploaded before upload-artifact v4)
};

// Repositories and their runs. Owner and repository names match case-insensitively, as
// on GitHub. Runs are kept oldest first (created_at, then id), so that the newest-first
// order GitHub serves is the stored order reversed.
class Dataset {
 public:
  // Adds a repository, or replaces the one with the same owner/name (keeping its runs).
  void add_repository(Repository repo);
  // Adds a run to its repository (owner/repo), which must exist: std::invalid_argument
  // otherwise. Fills repository_id and head_repository_id when they are 0.
  void add_run(Run run);

  const std::vector<Repository>& repositories() const { return repos_; }
  const Repository* find_repository(const std::string& owner, const std::string& repo) const;
  const Repository* find_repository(int64_t id) const;
  // By numeric id or by file name ("ci.yml", the basename of the workflow's path).
  const Workflow* find_workflow(const std::string& owner, const std::string& repo, const std::string& id_or_file) const;

  // Copies, newest first (created_at desc, then id desc): the order the server lists.
  std::vector<Run> runs_for(const std::string& owner, const std::string& repo) const;
  // The stored runs, oldest first; nullptr for an unknown repository.
  const std::vector<Run>* stored_runs(const std::string& owner, const std::string& repo) const;
  const Run* find_run(const std::string& owner, const std::string& repo, int64_t id) const;
  // Mutable access: changing created_at or id needs sort_runs() afterwards.
  Run* find_run(const std::string& owner, const std::string& repo, int64_t id);
  bool remove_run(const std::string& owner, const std::string& repo, int64_t id);
  // Restores the stored order after runs were edited in place.
  void sort_runs();

  size_t run_count() const;
  int64_t max_run_id() const;

  // Artifacts, kept per repository oldest first (created_at, then id) like runs. add_artifact
  // needs the repository: std::invalid_argument otherwise.
  void add_artifact(Artifact artifact);
  // Copies, newest first (created_at desc, then id desc): the order the server lists.
  std::vector<Artifact> artifacts_for(const std::string& owner, const std::string& repo) const;
  const Artifact* find_artifact(const std::string& owner, const std::string& repo, int64_t id) const;
  bool remove_artifact(const std::string& owner, const std::string& repo, int64_t id);
  size_t artifact_count() const;

 private:
  size_t index_of(const std::string& owner, const std::string& repo) const;  // npos if absent
  std::vector<Repository> repos_;
  std::vector<std::vector<Run>> runs_;            // parallel to repos_
  std::vector<std::vector<Artifact>> artifacts_;  // parallel to repos_
};

// Several repositories with thousands of runs over nine months ending 2026-11-20; the
// same on every machine (its own PRNG and distributions).
Dataset demo_dataset();
// n_runs runs in one repository, for benchmarks and result-cap tests.
Dataset synthetic_dataset(const std::string& owner, const std::string& repo, int n_runs, uint64_t seed = 1);
// `repos` synthetic repositories of one owner, named repo-1 .. repo-K, n_runs runs each.
Dataset synthetic_inventory(const std::string& owner, const std::string& repo, int repos, int n_runs,
                            uint64_t seed = 1);

// Deterministic artifacts for the completed runs that got as far as uploading (success and
// failure): names, sizes, digests and retention drawn from each run's id, created when the
// run last changed, expired when their expiry is at or before `now` ("YYYY-MM-DDTHH:MM:SSZ").
// Ids follow the largest artifact id present (from 8,000,001), in creation order.
void add_run_artifacts(Dataset& data, const std::string& now);

// One of a run's three jobs (k: 1 build, 2 test, 3 lint; id run id * 10 + k) as its run's
// state and times make it: what the jobs listing shows and what the run's timing bills.
// Test is the job that fails. Times are epoch seconds; conclusion "" is JSON null.
struct JobState {
  int64_t id = 0;
  std::string name, status, conclusion;
  bool started = false;
  int64_t started_at = 0, completed_at = 0;  // completed_at: when status is completed
  std::string runner_os;                     // UBUNTU, MACOS or WINDOWS
};
JobState job_state(const Run& run, int k);

// The run as it looked at an earlier attempt (1 ≤ attempt < run_attempt): finished, and
// failed (or it would not have been re-run); the run itself at its latest attempt.
Run run_at_attempt(const Run& run, int attempt);
// The id of job k of `run` at `attempt`: run id * 10 + k at the latest attempt, (run id * 10
// + k) * 100 + attempt at an earlier one (GitHub gives each attempt's jobs ids of their own).
int64_t attempt_job_id(const Run& run, int k, int attempt);

// What GET …/runs/{run_id}/timing reports of a run's latest attempt: each job that ran to
// completion (not skipped) bills its duration on its runner's OS, in job order; the run's
// duration (run_started_at to updated_at) is there once it has completed, -1 before.
struct RunUsage {
  struct Job {
    int64_t job_id = 0;
    std::string os;
    int64_t duration_ms = 0;
  };
  std::vector<Job> jobs;
  int64_t run_duration_ms = -1;
};
RunUsage run_usage(const Run& run);

// "YYYY-MM-DDTHH:MM:SSZ" <-> seconds since the Unix epoch (UTC, proleptic Gregorian).
std::string format_timestamp(int64_t epoch_seconds);
// Accepts "YYYY-MM-DDTHH:MM:SSZ" and "YYYY-MM-DD" (midnight); false when malformed.
bool parse_timestamp(const std::string& text, int64_t& epoch_seconds);

}  // namespace stacklite::testserver
