// State changes: the write endpoints change the served runs as GitHub would (delete,
// cancel, re-run, approve, review deployments), refusing what GitHub refuses with its
// status and message. Request bodies are parsed with simdjson and checked against the
// OpenAPI contract of each operation.
#include <simdjson.h>

#include <optional>

#include "github/api.hpp"

namespace stacklite::testserver {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A request body: absent (empty or blank), or a parsed JSON document.
class JsonBody {
 public:
  // False when the body is present but not JSON.
  bool parse(const std::string& text) {
    present_ = text.find_first_not_of(" \t\r\n") != std::string::npos;
    return !present_ || parser_.parse(text).get(doc_) == simdjson::SUCCESS;
  }
  bool present() const { return present_; }
  bool is_object() const { return present_ && doc_.type() == element_type::OBJECT; }
  // The member `key`; nullopt when absent or the body is not an object.
  std::optional<element> get(const char* key) const {
    element value;
    if (!is_object() || doc_.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
    return value;
  }
  bool is_string(const char* key) const {  // a non-empty string
    const auto v = get(key);
    return v && v->is_string() && !std::string_view(*v).empty();
  }
  std::string text(const char* key) const {
    const auto v = get(key);
    return v && v->is_string() ? std::string(std::string_view(*v)) : "";
  }

 private:
  bool present_ = false;
  simdjson::dom::parser parser_;
  element doc_;
};

bool is_positive_integer(element e) {
  if (e.type() == element_type::INT64) return int64_t(e) > 0;
  return e.type() == element_type::UINT64 && uint64_t(e) > 0;
}

// Every run write: parses the body (400 when it is not JSON), takes the write lock, finds
// the run (404) and counts a change; then `change` answers. Job re-runs parse no body.
template <class Change>
void write_run(GitHubApi& api, Exchange& ex, const PathArgs& args, const std::string& anchor, bool read_body,
               Change change) {
  JsonBody body;
  if (read_body && !body.parse(ex.req.body)) return ex.json(400, error_body("Problems parsing JSON", kDocs + anchor));
  std::unique_lock<std::shared_mutex> lock(api.data_mutex);
  int64_t id = 0;
  Run* run = parse_id(args.run_id, id) ? api.data.find_run(args.owner, args.repo, id) : nullptr;
  if (!run) return send_error(ex, 404, "Not Found", anchor);
  ++api.generation;
  change(*run, body, now_timestamp());
}

// A new attempt, queued now.
void start_new_attempt(Run& run, const std::string& now) {
  ++run.run_attempt;
  run.status = "queued";
  run.conclusion.clear();
  run.run_started_at = run.updated_at = now;
}

bool state_is_valid(const JsonBody& body) {
  const auto state = body.get("state");
  return state && state->is_string() && (body.text("state") == "approved" || body.text("state") == "rejected");
}

}  // namespace

void GitHubApi::delete_run(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  write_run(*this, ex, args, anchor, true, [&](Run& run, const JsonBody&, const std::string&) {
    data.remove_run(args.owner, args.repo, run.id);
    ex.empty(204);
  });
}

void GitHubApi::delete_logs(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  write_run(*this, ex, args, anchor, true, [&](Run&, const JsonBody&, const std::string&) { ex.empty(204); });
}

void GitHubApi::cancel_run(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  write_run(*this, ex, args, anchor, true, [&](Run& run, const JsonBody&, const std::string& now) {
    if (run.status == "completed")
      return send_error(ex, 409, "Cannot cancel a workflow run that is completed.", anchor);
    run.status = "completed";
    run.conclusion = "cancelled";
    run.updated_at = now;
    ex.json(202, "{}");
  });
}

void GitHubApi::rerun_run(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  const bool failed_only = args.action == "rerun-failed-jobs";
  write_run(*this, ex, args, anchor, true, [&](Run& run, const JsonBody& body, const std::string& now) {
    if (body.present() && !body.is_object()) return send_validation_failed(ex, "WorkflowRun", "body", anchor);
    const auto debug = body.get("enable_debug_logging");
    if (debug && !debug->is_bool()) return send_validation_failed(ex, "WorkflowRun", "enable_debug_logging", anchor);
    if (run.status != "completed") return send_error(ex, 403, "This workflow run is not complete", anchor);
    const std::string& c = run.conclusion;
    if (failed_only && c != "failure" && c != "timed_out" && c != "cancelled" && c != "startup_failure")
      return send_error(ex, 403, "This workflow run has no failed jobs", anchor);
    start_new_attempt(run, now);
    ex.json(201, "{}");
  });
}

void GitHubApi::approve_run(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  write_run(*this, ex, args, anchor, true, [&](Run& run, const JsonBody&, const std::string& now) {
    if (run.status != "action_required") return send_error(ex, 403, "This run is not waiting for approval", anchor);
    run.status = "queued";
    run.updated_at = now;
    ex.json(201, "{}");
  });
}

void GitHubApi::review_protection_rule(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  write_run(*this, ex, args, anchor, true, [&](Run&, const JsonBody& body, const std::string&) {
    // Either {environment_name, state[, comment]} or {environment_name, comment}.
    const bool state_ok = state_is_valid(body);
    const auto comment = body.get("comment");
    const bool comment_ok = !comment || comment->is_string();
    if (!body.is_object() || !body.is_string("environment_name") || !comment_ok ||
        (body.get("state") ? !state_ok : !body.is_string("comment")))
      return send_validation_failed(ex, "DeploymentProtectionRule", state_ok ? "environment_name" : "state", anchor);
    ex.empty(204);
  });
}

void GitHubApi::review_pending_deployments(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  write_run(*this, ex, args, anchor, true, [&](Run& run, const JsonBody& body, const std::string& now) {
    const auto envs = body.get("environment_ids");
    std::vector<int64_t> env_ids;
    bool envs_ok = envs && envs->is_array();
    if (envs_ok) {
      for (element e : simdjson::dom::array(*envs)) {
        envs_ok = envs_ok && is_positive_integer(e);
        if (envs_ok) env_ids.push_back(e.is_int64() ? int64_t(e) : static_cast<int64_t>(uint64_t(e)));
      }
      envs_ok = envs_ok && !env_ids.empty();
    }
    const bool state_ok = state_is_valid(body);
    const auto comment = body.get("comment");
    if (!body.is_object() || !envs_ok || !state_ok || !comment || !comment->is_string())
      return send_validation_failed(ex, "PendingDeployment",
                                    !envs_ok    ? "environment_ids"
                                    : !state_ok ? "state"
                                                : "comment",
                                    anchor);
    const bool approved = body.text("state") == "approved";
    if (run.status == "waiting") {
      run.status = approved ? "in_progress" : "completed";
      if (!approved) run.conclusion = "failure";
      run.updated_at = now;
    }
    Renderer render(data, bases);
    std::string out;
    JsonWriter w(out);
    w.begin_array();
    for (int64_t env_id : env_ids) render.deployment(w, run, env_id, body.text("comment"), now);
    w.end_array();
    ex.json(200, std::move(out));
  });
}

void GitHubApi::rerun_job(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  int64_t job_id = 0;
  const bool valid = parse_id(args.job_id, job_id) && job_id % 10 >= 1 && job_id % 10 <= 3;
  PathArgs run_args = args;
  run_args.run_id = valid ? std::to_string(job_id / 10) : "";
  write_run(*this, ex, run_args, anchor, false, [&](Run& run, const JsonBody&, const std::string& now) {
    if (run.status != "completed") return send_error(ex, 403, "This workflow run is not complete", anchor);
    start_new_attempt(run, now);
    ex.json(201, "{}");
  });
}

}  // namespace stacklite::testserver
