// Reading one run or job: the run (or how it looked at an earlier attempt), its jobs, and
// the log downloads, which redirect to signed blob-storage URLs as GitHub's do.
#include <algorithm>

#include "github/api.hpp"
#include "server/listing.hpp"

namespace stacklite::testserver {

namespace {

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
  out = has_attempt ? run_at_attempt(*found, static_cast<int>(attempt)) : *found;
  return true;
}

// Job ids are run id * 10 + 1..3 (build, test, lint) at the run's latest attempt, and that
// * 100 + the attempt at an earlier one; false after answering 404. `run` is the run as of
// the job's attempt, `k` the job.
bool find_job_run(const Dataset& data, Exchange& ex, const PathArgs& args, const std::string& anchor, Run& run,
                  int& k) {
  int64_t job_id = 0;
  const Run* found = nullptr;
  if (parse_id(args.job_id, job_id)) {
    if (job_id % 10 >= 1 && job_id % 10 <= 3) found = data.find_run(args.owner, args.repo, job_id / 10);
    if (found) {
      run = *found;
      k = static_cast<int>(job_id % 10);
    } else {
      const int64_t attempt = job_id % 100, latest_id = job_id / 100;
      if (latest_id % 10 >= 1 && latest_id % 10 <= 3) found = data.find_run(args.owner, args.repo, latest_id / 10);
      if (found && attempt >= 1 && attempt < found->run_attempt) {
        run = run_at_attempt(*found, static_cast<int>(attempt));
        k = static_cast<int>(latest_id % 10);
      } else {
        found = nullptr;
      }
    }
  }
  if (!found) send_error(ex, 404, "Not Found", anchor);
  return found != nullptr;
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
  // filter=all (not on an attempt's listing): the jobs of every attempt, the earliest first.
  const std::string filter = ex.has_param("filter") ? ex.param("filter") : "latest";
  if (filter != "latest" && filter != "all") return send_validation_failed(ex, "Job", "filter", anchor);
  std::vector<Run> attempts;
  if (filter == "all" && args.attempt.empty())
    for (int a = 1; a < run.run_attempt; ++a) attempts.push_back(run_at_attempt(run, a));
  attempts.push_back(run);
  const int64_t total = 3 * static_cast<int64_t>(attempts.size());
  const PageWindow window = PageWindow::of(ex);
  const auto [first, last] = window.slice(total);
  set_link(ex, window, total);
  Renderer render(data, bases);
  PageBody body("jobs", total);
  for (int64_t i = first; i < last; ++i)
    render.job(body.next_item(), attempts[static_cast<size_t>(i / 3)], static_cast<int>(i % 3 + 1));
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
  Run run;
  int k = 0;
  if (!find_job_run(data, ex, args, anchor, run, k)) return;
  std::string body;
  Renderer(data, bases).job(body, run, k);
  ex.json(200, std::move(body));
}

void GitHubApi::job_logs(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  Run run;
  int k = 0;
  if (!find_job_run(data, ex, args, anchor, run, k)) return;
  ex.res.set_header("Location", blob_url("/blob/job-logs/" + std::to_string(run.id * 10 + k) + ".txt"));
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
