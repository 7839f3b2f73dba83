// Reading one run or job: the run (or how it looked at an earlier attempt), its jobs, and
// the log downloads, which redirect to signed blob-storage URLs as GitHub's do.
#include <algorithm>

#include "github/api.hpp"
#include "server/listing.hpp"

namespace stacklite::testserver {

namespace {

// The run as it looked at an earlier attempt: finished, and failed (or it would not
// have been re-run).
Run as_of_attempt(const Run& r, int attempt) {
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

// The run of {run_id} (at {attempt} when the route has one); false after answering 404.
// Under the caller's shared lock.
bool find_run(const Dataset& data, Exchange& ex, const PathArgs& args, const std::string& anchor, Run& out) {
  int64_t id = 0, attempt = 0;
  const bool has_attempt = !args.attempt.empty();
  const Run* found = nullptr;
  if ((!has_attempt || parse_id(args.attempt, attempt)) && parse_id(args.run_id, id))
    found = data.find_run(args.owner, args.repo, id);
  if (!found || (has_attempt && (attempt < 1 || attempt > found->run_attempt))) {
    send_error(ex, 404, "Not Found", anchor);
    return false;
  }
  out = has_attempt ? as_of_attempt(*found, static_cast<int>(attempt)) : *found;
  return true;
}

// Job ids are run id * 10 + 1..3 (build, test, lint); nullptr after answering 404.
const Run* find_job_run(const Dataset& data, Exchange& ex, const PathArgs& args, const std::string& anchor,
                        int64_t& job_id) {
  const Run* run = nullptr;
  if (parse_id(args.job_id, job_id) && job_id % 10 >= 1 && job_id % 10 <= 3)
    run = data.find_run(args.owner, args.repo, job_id / 10);
  if (!run) send_error(ex, 404, "Not Found", anchor);
  return run;
}

}  // namespace

void GitHubApi::get_run(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  Run run;
  if (!find_run(data, ex, args, anchor, run)) return;
  std::string body;
  Renderer(data, bases).run(body, run, true);
  ex.json(200, std::move(body));
}

void GitHubApi::list_jobs(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  Run run;
  if (!find_run(data, ex, args, anchor, run)) return;
  const PageWindow window = PageWindow::of(ex);
  const auto [first, last] = window.slice(3);
  set_link(ex, window, 3);
  Renderer render(data, bases);
  PageBody body("jobs", 3);
  for (int64_t k = first; k < last; ++k) render.job(body.next_item(), run, static_cast<int>(k + 1));
  ex.json(200, body.finish());
}

void GitHubApi::run_logs(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  Run run;
  if (!find_run(data, ex, args, anchor, run)) return;
  ex.res.set_header("Location", blob_url("/blob/logs/" + std::to_string(run.id) + ".zip"));
  ex.empty(302);
}

void GitHubApi::get_job(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  int64_t job_id = 0;
  const Run* run = find_job_run(data, ex, args, anchor, job_id);
  if (!run) return;
  std::string body;
  Renderer(data, bases).job(body, *run, static_cast<int>(job_id % 10));
  ex.json(200, std::move(body));
}

void GitHubApi::job_logs(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  int64_t job_id = 0;
  if (!find_job_run(data, ex, args, anchor, job_id)) return;
  ex.res.set_header("Location", blob_url("/blob/job-logs/" + std::to_string(job_id) + ".txt"));
  ex.empty(302);
}

// GET …/runs/{run_id}/timing: the billable milliseconds of each runner OS the run's jobs
// used (an OS none used is absent), each job's, and the run's duration once it has one.
void GitHubApi::run_timing(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  Run run;
  if (!find_run(data, ex, args, anchor, run)) return;
  const RunUsage usage = run_usage(run);
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  w.begin_object("billable");
  for (const char* os : {"UBUNTU", "MACOS", "WINDOWS"}) {
    int64_t total = 0, jobs = 0;
    for (const auto& j : usage.jobs)
      if (j.os == os) total += j.duration_ms, ++jobs;
    if (jobs == 0) continue;
    w.begin_object(os);
    w.number("total_ms", total);
    w.number("jobs", jobs);
    w.begin_array("job_runs");
    for (const auto& j : usage.jobs) {
      if (j.os != os) continue;
      w.begin_object();
      w.number("job_id", j.job_id);
      w.number("duration_ms", j.duration_ms);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_object();
  if (usage.run_duration_ms >= 0) w.number("run_duration_ms", usage.run_duration_ms);
  w.end_object();
  ex.json(200, std::move(body));
}

}  // namespace stacklite::testserver
