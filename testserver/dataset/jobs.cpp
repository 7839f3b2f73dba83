// A run's jobs derived from the run: their state and times (what the jobs listing shows),
// the runner OS each one runs on, and the billable time the run's timing reports.
#include <algorithm>

#include "dataset.hpp"

namespace stacklite::testserver {

namespace {

// build runs on Ubuntu everywhere; a release tests on macOS and lints on Windows (it ships
// for each), a nightly tests on Windows.
std::string runner_os(const Run& run, int k) {
  const std::string& path = run.workflow_path;
  const size_t slash = path.rfind('/');
  const std::string file = path.substr(slash == std::string::npos ? 0 : slash + 1);
  if (file == "release.yml") return k == 2 ? "MACOS" : k == 3 ? "WINDOWS" : "UBUNTU";
  if (file == "nightly.yml" && k == 2) return "WINDOWS";
  return "UBUNTU";
}

}  // namespace

JobState job_state(const Run& r, int k) {
  static const char* const names[] = {"build", "test", "lint"};
  JobState j;
  j.id = r.id * 10 + k;
  j.name = names[k - 1];
  j.runner_os = runner_os(r, k);
  // The run's state spread over its three jobs: test is the one that fails.
  j.status = "queued";
  if (r.status == "completed") {
    j.status = "completed";
    j.started = true;
    const std::string& c = r.conclusion;
    if (c == "skipped")
      j.conclusion = "skipped";
    else if (c == "failure" || c == "timed_out")
      j.conclusion = k == 2 ? c : "success";
    else if (c == "cancelled")
      j.conclusion = k == 1 ? "success" : "cancelled";
    else
      j.conclusion = "success";
  } else if (r.status == "in_progress" || r.status == "waiting") {
    if (k == 1 || (k == 2 && r.status == "waiting")) {
      j.status = "completed";
      j.conclusion = "success";
      j.started = true;
    } else if (k == 2) {
      j.status = "in_progress";
      j.started = true;
    } else {
      j.status = r.status == "waiting" ? "waiting" : "queued";
    }
  }
  int64_t t0 = 0, t1 = 0;
  parse_timestamp(r.run_started_at, t0);
  parse_timestamp(r.updated_at, t1);
  t1 = std::max(t1, t0 + 3);
  j.started_at = std::min(t0 + k, t1);
  j.completed_at = k == 2 ? t1 : j.started_at + (t1 - j.started_at) * (k == 1 ? 40 : 30) / 100;
  // A deployment that waited for a reviewer: build and test run first, the last job (the
  // deployment) after the wait, to the run's end.
  const int64_t wait = r.status == "completed" ? r.approval_seconds : 0;
  if (wait > 0 && t1 - wait > t0 + 3) {
    const int64_t before = t1 - wait;  // when the wait began: build and test are done
    const int64_t last = std::max<int64_t>(1, (before - t0) * 30 / 100);
    if (k == 3) {
      j.started_at = t1 - last;
      j.completed_at = t1;
    } else {
      j.completed_at = k == 2 ? before : j.started_at + (before - j.started_at) * 40 / 100;
    }
  }
  return j;
}

Run run_at_attempt(const Run& r, int attempt) {
  Run out = r;
  if (attempt >= r.run_attempt) return out;
  int64_t created = 0, latest_start = 0;
  parse_timestamp(r.created_at, created);
  parse_timestamp(r.run_started_at, latest_start);
  const int64_t slot = std::max<int64_t>(2, (latest_start - created) / (r.run_attempt - 1));
  const int64_t start = created + slot * (attempt - 1);
  out.run_attempt = attempt;
  out.status = "completed";
  out.conclusion = "failure";
  out.run_started_at = format_timestamp(attempt == 1 ? created : start);
  out.updated_at = format_timestamp(start + slot / 2);
  return out;
}

int64_t attempt_job_id(const Run& run, int k, int attempt) {
  const int64_t latest = run.id * 10 + k;
  return attempt >= run.run_attempt ? latest : latest * 100 + attempt;
}

RunUsage run_usage(const Run& run) {
  RunUsage u;
  for (int k = 1; k <= 3; ++k) {
    const JobState j = job_state(run, k);
    if (j.status == "completed" && j.started && j.conclusion != "skipped")
      u.jobs.push_back({j.id, j.runner_os, (j.completed_at - j.started_at) * 1000});
  }
  int64_t started = 0, updated = 0;
  if (run.status == "completed" && parse_timestamp(run.run_started_at, started) &&
      parse_timestamp(run.updated_at, updated))
    u.run_duration_ms = std::max<int64_t>(0, updated - started) * 1000;
  return u;
}

}  // namespace stacklite::testserver
