// The API surface: which operation answers which method and path (the route table, one
// line per operation with its documentation anchor), what every request must pass first
// (User-Agent, token, rate limit), and the headers every answer carries.
#include <algorithm>
#include <cstdio>
#include <ctime>

#include "github/api.hpp"
#include "github/identifiers.hpp"
#include "util/text.hpp"

namespace stacklite::testserver {

namespace {

#define RUNS "/repos/{owner}/{repo}/actions/runs/{run_id}"
#define JOBS "/repos/{owner}/{repo}/actions/jobs/{job_id}"
#define WORKFLOWS "/repos/{owner}/{repo}/actions/workflows"
#define ARTIFACTS "/repos/{owner}/{repo}/actions/artifacts"

// clang-format off
const Route kRoutes[] = {
    {"GET", "/orgs/{owner}/repos", "/repos/repos#list-organization-repositories", &GitHubApi::list_org_repos},
    {"GET", "/users/{owner}/repos", "/repos/repos#list-repositories-for-a-user", &GitHubApi::list_user_repos},
    {"GET", "/user/repos", "/repos/repos#list-repositories-for-the-authenticated-user", &GitHubApi::list_own_repos},
    {"GET", "/repos/{owner}/{repo}", "/repos/repos#get-a-repository", &GitHubApi::get_repository},
    {"GET", "/repos/{owner}/{repo}/actions/runs", "workflow-runs#list-workflow-runs-for-a-repository", &GitHubApi::list_repository_runs},
    {"GET", WORKFLOWS "/{workflow}/runs", "workflow-runs#list-workflow-runs-for-a-workflow", &GitHubApi::list_workflow_runs},
    {"GET", WORKFLOWS, "workflows#list-repository-workflows", &GitHubApi::list_workflows},
    {"GET", WORKFLOWS "/{workflow}", "workflows#get-a-workflow", &GitHubApi::get_workflow},
    {"GET", RUNS, "workflow-runs#get-a-workflow-run", &GitHubApi::get_run},
    {"GET", RUNS "/attempts/{attempt}", "workflow-runs#get-a-workflow-run-attempt", &GitHubApi::get_run},
    {"GET", RUNS "/jobs", "workflow-jobs#list-jobs-for-a-workflow-run", &GitHubApi::list_jobs},
    {"GET", RUNS "/attempts/{attempt}/jobs", "workflow-jobs#list-jobs-for-a-workflow-run-attempt", &GitHubApi::list_jobs},
    {"GET", RUNS "/logs", "workflow-runs#download-workflow-run-logs", &GitHubApi::run_logs},
    {"GET", RUNS "/timing", "workflow-runs#get-workflow-run-usage", &GitHubApi::run_timing},
    {"GET", RUNS "/attempts/{attempt}/logs", "workflow-runs#download-workflow-run-attempt-logs", &GitHubApi::run_logs},
    {"GET", RUNS "/artifacts", "artifacts#list-workflow-run-artifacts", &GitHubApi::list_run_artifacts},
    {"GET", ARTIFACTS, "artifacts#list-artifacts-for-a-repository", &GitHubApi::list_repository_artifacts},
    {"GET", ARTIFACTS "/{artifact_id}", "artifacts#get-an-artifact", &GitHubApi::get_artifact},
    {"DELETE", ARTIFACTS "/{artifact_id}", "artifacts#delete-an-artifact", &GitHubApi::delete_artifact},
    {"GET", JOBS, "workflow-jobs#get-a-job-for-a-workflow-run", &GitHubApi::get_job},
    {"GET", JOBS "/logs", "workflow-jobs#download-job-logs-for-a-workflow-run", &GitHubApi::job_logs},
    {"DELETE", RUNS, "workflow-runs#delete-a-workflow-run", &GitHubApi::delete_run},
    {"DELETE", RUNS "/logs", "workflow-runs#delete-workflow-run-logs", &GitHubApi::delete_logs},
    {"POST", RUNS "/cancel", "workflow-runs#cancel-a-workflow-run", &GitHubApi::cancel_run},
    {"POST", RUNS "/force-cancel", "workflow-runs#force-cancel-a-workflow-run", &GitHubApi::cancel_run},
    {"POST", RUNS "/rerun", "workflow-runs#re-run-a-workflow", &GitHubApi::rerun_run},
    {"POST", RUNS "/rerun-failed-jobs", "workflow-runs#re-run-failed-jobs-from-a-workflow-run", &GitHubApi::rerun_run},
    {"POST", RUNS "/approve", "workflow-runs#approve-a-workflow-run-for-a-fork-pull-request", &GitHubApi::approve_run},
    {"POST", RUNS "/deployment_protection_rule", "workflow-runs#review-custom-deployment-protection-rules-for-a-workflow-run", &GitHubApi::review_protection_rule},
    {"POST", RUNS "/pending_deployments", "workflow-runs#review-pending-deployments-for-a-workflow-run", &GitHubApi::review_pending_deployments},
    {"POST", JOBS "/rerun", "workflow-runs#re-run-a-job-from-a-workflow-run", &GitHubApi::rerun_job},
};
// clang-format on

#undef RUNS
#undef JOBS
#undef WORKFLOWS
#undef ARTIFACTS

}  // namespace

// Anchors are under kDocs (the Actions pages), or under GitHub's REST root when they start with '/'.
static std::string docs_url(const std::string& anchor) {
  if (anchor.empty() || anchor[0] == '/') return "https://docs.github.com/rest" + anchor;
  return kDocs + anchor;
}

void send_error(Exchange& ex, int status, const std::string& message, const std::string& anchor) {
  ex.json(status, error_body(message, docs_url(anchor)));
}

void send_validation_failed(Exchange& ex, const std::string& resource, const std::string& field,
                            const std::string& anchor) {
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  w.string("message", "Validation Failed");
  w.begin_array("errors");
  w.begin_object();
  w.string("resource", resource);
  w.string("field", field);
  w.string("code", "invalid");
  w.end_object();
  w.end_array();
  w.string("documentation_url", docs_url(anchor));
  w.end_object();
  ex.json(422, std::move(body));
}

bool parse_id(const std::string& s, int64_t& v) {
  if (s.empty() || s.size() > 18) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  return true;
}

std::string now_timestamp() { return format_timestamp(static_cast<int64_t>(std::time(nullptr))); }

void GitHubApi::answer(Exchange& ex) {
  if (ex.raw_path.rfind("/blob/", 0) == 0) return serve_blob(ex);
  const httplib::Request& req = ex.req;
  if (req.get_header_value("User-Agent").empty()) {
    ex.json(403,
            "{\"message\":\"Request forbidden by administrative rules. Please make sure your request has a "
            "User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-"
            "required). Check https://developer.github.com for other possible causes.\"}");
    return;
  }
  if (!opts.required_token.empty() && req.get_header_value("Authorization") != "Bearer " + opts.required_token)
    return ex.json(401, error_body("Bad credentials", "https://docs.github.com/rest"));
  // Counted as the request is admitted, so that requests in flight together cannot all pass.
  if (opts.enforce_rate_limit && admitted++ >= opts.rate_limit)
    return ex.json(403, error_body("API rate limit exceeded for 127.0.0.1.",
                                   "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"));

  const std::string& prefix = opts.path_prefix;
  if (ex.raw_path.compare(0, prefix.size(), prefix) != 0) return send_error(ex, 404, "Not Found", "");
  const std::string path = ex.raw_path.substr(prefix.size());
  if (path.empty() || path[0] != '/') return send_error(ex, 404, "Not Found", "");
  const std::vector<std::string> segments = path_segments(path);
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  PathArgs args;
  for (const Route& route : kRoutes)
    if (method == route.method && match_path(route.pattern, segments, args))
      return (this->*route.handler)(ex, args, route.anchor);
  send_error(ex, 404, "Not Found", "");
}

// Rate-limit headers, ETag and conditional requests, GitHub's version headers.
void GitHubApi::finish(Exchange& ex) {
  if (ex.raw_path.rfind("/blob/", 0) == 0) return;  // blob storage is not the API
  httplib::Response& res = ex.res;
  if (ex.is_read() && res.status == 200) {
    char etag[40];
    std::snprintf(etag, sizeof etag, "W/\"%016llx\"", static_cast<unsigned long long>(fnv1a(res.body)));
    res.set_header("ETag", etag);
    if (ex.req.get_header_value("If-None-Match") == etag) {
      res.status = 304;  // and, as on GitHub, free of charge
      res.body.clear();
      if (opts.enforce_rate_limit) --admitted;
    }
  }
  const int spent = res.status == 304 ? used.load() : ++used;
  res.set_header("x-ratelimit-limit", std::to_string(opts.rate_limit));
  res.set_header("x-ratelimit-remaining", std::to_string(std::max(0, opts.rate_limit - spent)));
  res.set_header("x-ratelimit-used", std::to_string(spent));
  res.set_header("x-ratelimit-reset", std::to_string(rate_reset));
  res.set_header("x-ratelimit-resource", "core");
  res.set_header("x-github-api-version-selected", "2022-11-28");
  res.set_header("x-github-media-type", "github.v3; format=json");
  char id[48];
  std::snprintf(id, sizeof id, "%04X:%06llX:%08llX", server.port() & 0xFFFF,
                static_cast<unsigned long long>(++request_counter),
                static_cast<unsigned long long>(fnv1a(ex.req.target)) & 0xFFFFFFFFull);
  res.set_header("x-github-request-id", id);
  if (res.get_header_value("Content-Type").empty()) res.set_header("Content-Type", kJsonType);
}

}  // namespace stacklite::testserver
