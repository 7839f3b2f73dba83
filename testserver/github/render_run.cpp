// Runs, jobs, workflows and deployments as GitHub's JSON, members in GitHub's order.
// A job's state and times come from its run's (dataset/jobs.cpp); steps and runners
// follow from the job's status.
#include <algorithm>

#include "github/identifiers.hpp"
#include "github/render.hpp"

namespace stacklite::testserver {

void Renderer::run(std::string& out, const Run& r, bool include_prs) {
  const Repository& repo = repository_of(r);
  const Repository* head = r.head_repository_id == repo.id ? &repo : data_.find_repository(r.head_repository_id);
  if (!head) head = &repo;
  const std::string repo_url = bases_.api + "/repos/" + repo.owner + "/" + repo.name;
  const std::string id = std::to_string(r.id);
  const std::string run_url = repo_url + "/actions/runs/" + id;

  JsonWriter w(out);
  w.begin_object();
  w.number("id", r.id);
  w.string("name", r.name);
  w.string("node_id", node_id("Workflow Run", r.id));
  w.number("check_suite_id", r.check_suite_id);
  w.string("check_suite_node_id", node_id("CheckSuite", r.check_suite_id));
  w.string("head_branch", r.head_branch);
  w.string("head_sha", r.head_sha);
  w.string("path", r.workflow_path + "@" + r.head_branch);
  w.number("run_number", r.run_number);
  w.string("event", r.event);
  w.string("display_title", r.display_title);
  w.string("status", r.status);
  w.string_or_null("conclusion", r.conclusion);
  w.number("workflow_id", r.workflow_id);
  w.string("url", run_url);
  w.string("html_url", bases_.html + "/" + repo.owner + "/" + repo.name + "/actions/runs/" + id);
  w.begin_array("pull_requests");
  if (include_prs)
    for (int number : r.pull_request_numbers) pull_request(w, repo, *head, r, number);
  w.end_array();
  w.string("created_at", r.created_at);
  w.string("updated_at", r.updated_at);
  user(w, "actor", r.actor_login, r.actor_id, is_bot(r.actor_login) ? "Bot" : "User");
  w.number("run_attempt", r.run_attempt);
  w.begin_array("referenced_workflows");
  w.end_array();
  w.string("run_started_at", r.run_started_at);
  user(w, "triggering_actor", r.triggering_actor_login, r.triggering_actor_id,
       is_bot(r.triggering_actor_login) ? "Bot" : "User");
  w.string("jobs_url", run_url + "/jobs");
  w.string("logs_url", run_url + "/logs");
  w.string("check_suite_url", repo_url + "/check-suites/" + std::to_string(r.check_suite_id));
  w.string("artifacts_url", run_url + "/artifacts");
  w.string("cancel_url", run_url + "/cancel");
  w.string("rerun_url", run_url + "/rerun");
  if (r.run_attempt > 1)
    w.string("previous_attempt_url", run_url + "/attempts/" + std::to_string(r.run_attempt - 1));
  else
    w.null("previous_attempt_url");
  w.string("workflow_url", repo_url + "/actions/workflows/" + std::to_string(r.workflow_id));
  head_commit(w, r);
  w.raw("repository", repository_json(repo, false));
  w.raw("head_repository", repository_json(*head, true));
  w.end_object();
}

void Renderer::job(std::string& out, const Run& r, int k) {
  const JobState j = job_state(r, k);
  const std::string& name = j.name;
  // `r` as of an earlier attempt has a run_attempt below the stored run's: its own job ids.
  const Run* latest = data_.find_run(r.owner, r.repo, r.id);
  const int64_t job_id = latest ? attempt_job_id(*latest, k, r.run_attempt) : j.id;
  const Repository& repo = repository_of(r);
  const std::string repo_url = bases_.api + "/repos/" + repo.owner + "/" + repo.name;
  const std::string& status = j.status;
  const std::string& conclusion = j.conclusion;
  const bool started = j.started;
  const int64_t job_start = j.started_at, job_end = j.completed_at;

  JsonWriter w(out);
  w.begin_object();
  w.number("id", job_id);
  w.number("run_id", r.id);
  w.string("run_url", repo_url + "/actions/runs/" + std::to_string(r.id));
  w.number("run_attempt", r.run_attempt);
  w.string("node_id", node_id("Workflow Job", job_id));
  w.string("head_sha", r.head_sha);
  w.string("url", repo_url + "/actions/jobs/" + std::to_string(job_id));
  w.string("html_url", bases_.html + "/" + repo.owner + "/" + repo.name + "/actions/runs/" + std::to_string(r.id) +
                           "/job/" + std::to_string(job_id));
  w.string("status", status);
  w.string_or_null("conclusion", conclusion);
  w.string("created_at", r.run_started_at);
  w.string("started_at", format_timestamp(job_start));
  if (status == "completed")
    w.string("completed_at", format_timestamp(job_end));
  else
    w.null("completed_at");
  w.string("name", name);
  w.begin_array("steps");
  if (started && conclusion != "skipped") {
    const std::string step_names[] = {"Set up job", "Check out sources", "Run task " + name, "Complete job"};
    const int64_t span = std::max<int64_t>(4, job_end - job_start);
    for (int s = 0; s < 4; ++s) {
      const int64_t s_start = job_start + span * s / 4, s_end = job_start + span * (s + 1) / 4;
      std::string s_status = "completed", s_conclusion = s == 2 ? conclusion : "success";
      if (status == "in_progress" && s >= 2) {
        s_status = s == 2 ? "in_progress" : "queued";
        s_conclusion.clear();
      }
      w.begin_object();
      w.string("name", step_names[s]);
      w.string("status", s_status);
      w.string_or_null("conclusion", s_conclusion);
      w.number("number", s + 1);
      if (s_status == "queued")
        w.null("started_at");
      else
        w.string("started_at", format_timestamp(s_start));
      if (s_status == "completed")
        w.string("completed_at", format_timestamp(s_end));
      else
        w.null("completed_at");
      w.end_object();
    }
  }
  w.end_array();
  w.string("check_run_url", repo_url + "/check-runs/" + std::to_string(job_id));
  w.begin_array("labels");
  w.string(nullptr, "hosted-standard");
  w.end_array();
  if (started) {
    w.number("runner_id", 1000 + r.id % 97 * 3 + k);
    w.string("runner_name", "GitHub Actions " + std::to_string(1000 + r.id % 97 * 3 + k));
    w.number("runner_group_id", 0);
    w.string("runner_group_name", "GitHub Actions");
  } else {
    w.null("runner_id");
    w.null("runner_name");
    w.null("runner_group_id");
    w.null("runner_group_name");
  }
  w.string("workflow_name", r.name);
  w.string("head_branch", r.head_branch);
  w.end_object();
}

void Renderer::pull_request(JsonWriter& w, const Repository& repo, const Repository& head, const Run& r, int number) {
  const std::string repo_url = bases_.api + "/repos/" + repo.owner + "/" + repo.name;
  w.begin_object();
  w.string("url", repo_url + "/pulls/" + std::to_string(number));
  w.number("id", 1500000000 + repo.id % 100000 * 10000 + number);
  w.number("number", number);
  w.begin_object("head");
  w.string("ref", r.head_branch);
  w.string("sha", r.head_sha);
  small_repo(w, head);
  w.end_object();
  w.begin_object("base");
  w.string("ref", repo.default_branch);
  w.string("sha", derived_sha(repo.owner + "/" + repo.name + "#" + std::to_string(number)));
  small_repo(w, repo);
  w.end_object();
  w.end_object();
}

void Renderer::small_repo(JsonWriter& w, const Repository& repo) {
  w.begin_object("repo");
  w.number("id", repo.id);
  w.string("url", bases_.api + "/repos/" + repo.owner + "/" + repo.name);
  w.string("name", repo.name);
  w.end_object();
}

void Renderer::head_commit(JsonWriter& w, const Run& r) {
  int64_t created = 0;
  parse_timestamp(r.created_at, created);
  // The commit predates the run by a little: pushes, merges and tags are not instant.
  const int64_t committed = created - 4 - static_cast<int64_t>(fnv1a(r.head_sha) % 600);
  w.begin_object("head_commit");
  w.string("id", r.head_sha);
  w.string("tree_id", derived_sha("tree:" + r.head_sha));
  w.string("message", r.head_commit_message);
  w.string("timestamp", format_timestamp(committed));
  w.begin_object("author");
  w.string("name", r.actor_login);
  w.string("email", std::to_string(r.actor_id) + "+" + r.actor_login + "@users.noreply.github.com");
  w.end_object();
  w.begin_object("committer");
  w.string("name", "GitHub");
  w.string("email", "noreply@github.com");
  w.end_object();
  w.end_object();
}

void Renderer::workflow(JsonWriter& w, const Repository& r, const Workflow& wf) {
  w.begin_object();
  w.number("id", wf.id);
  w.string("node_id", node_id("Workflow", wf.id));
  w.string("name", wf.name);
  w.string("path", wf.path);
  w.string("state", wf.state);
  w.string("created_at", wf.created_at);
  w.string("updated_at", wf.updated_at);
  w.string("url", api_url_of(r) + "/actions/workflows/" + std::to_string(wf.id));
  w.string("html_url", bases_.html + "/" + r.owner + "/" + r.name + "/blob/" + r.default_branch + "/" + wf.path);
  const size_t slash = wf.path.rfind('/');
  w.string("badge_url", bases_.html + "/" + r.owner + "/" + r.name + "/workflows/" +
                            wf.path.substr(slash == std::string::npos ? 0 : slash + 1) + "/badge.svg");
  w.end_object();
}

void Renderer::deployment(JsonWriter& w, const Run& run, int64_t env_id, const std::string& comment,
                          const std::string& now) {
  const std::string url = api_url_of(repository_of(run));
  const int64_t deployment_id = 900000000 + (run.id % 1000000) * 10 + env_id % 10;
  const std::string env_name = env_id % 2 ? "production" : "staging";
  w.begin_object();
  w.string("url", url + "/deployments/" + std::to_string(deployment_id));
  w.number("id", deployment_id);
  w.string("node_id", node_id("Deployment", deployment_id));
  w.string("sha", run.head_sha);
  w.string("ref", run.head_branch);
  w.string("task", "deploy");
  w.begin_object("payload");
  w.end_object();
  w.string("original_environment", env_name);
  w.string("environment", env_name);
  w.string("description", comment);
  user(w, "creator", run.triggering_actor_login, run.triggering_actor_id,
       is_bot(run.triggering_actor_login) ? "Bot" : "User");
  w.string("created_at", now);
  w.string("updated_at", now);
  w.string("statuses_url", url + "/deployments/" + std::to_string(deployment_id) + "/statuses");
  w.string("repository_url", url);
  w.boolean("transient_environment", false);
  w.boolean("production_environment", env_name == "production");
  w.end_object();
}

std::string render_workflow_run(const Dataset& data, const Run& run, const std::string& api_base,
                                bool include_pull_requests, const std::string& html_base) {
  const UrlBases bases = make_bases(api_base, html_base);
  Renderer render(data, bases);
  std::string out;
  render.run(out, run, include_pull_requests);
  return out;
}

}  // namespace stacklite::testserver
