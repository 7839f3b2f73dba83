// A loopback server that answers like shithub's read-only Actions API (bare JSON arrays,
// Link pagination, 404 for what a token cannot see, 403 without repo:read), for tests.
#include "fake_shithub.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace stacklite::testserver {

namespace {

void field(std::string& out, const char* key, const std::string& value, bool null_if_empty = true) {
  out += out.back() == '{' ? "" : ",";
  append_json_string(out, key);
  out += ':';
  if (value.empty() && null_if_empty) out += "null";
  else append_json_string(out, value);
}

void field(std::string& out, const char* key, int64_t value) {
  out += out.back() == '{' ? "" : ",";
  append_json_string(out, key);
  out += ':' + std::to_string(value);
}

std::string render(const ShithubRun& r) {
  std::string o = "{";
  field(o, "id", r.id);
  field(o, "run_number", r.run_number);
  field(o, "workflow_file", r.workflow_file);
  field(o, "workflow_name", r.workflow_name);
  field(o, "head_sha", r.head_sha);
  field(o, "head_ref", r.head_ref);
  field(o, "event", r.event);
  field(o, "status", r.status);
  field(o, "conclusion", r.conclusion);
  field(o, "actor_id", r.actor_id);
  field(o, "actor_username", r.actor_username);
  field(o, "started_at", r.started_at);
  field(o, "completed_at", r.completed_at);
  field(o, "created_at", r.created_at);
  field(o, "updated_at", r.updated_at);
  return o + "}";
}

std::string render(const ShithubJob& j) {
  std::string o = "{";
  field(o, "id", j.id);
  field(o, "run_id", j.run_id);
  field(o, "job_index", j.job_index);
  field(o, "job_key", j.job_key);
  field(o, "job_name", j.job_name);
  field(o, "runs_on", j.runs_on);
  field(o, "status", j.status);
  field(o, "conclusion", j.conclusion);
  o += std::string(",\"cancel_requested\":") + (j.cancel_requested ? "true" : "false") + ",\"needs_jobs\":[";
  for (size_t i = 0; i < j.needs_jobs.size(); ++i) {
    if (i) o += ',';
    append_json_string(o, j.needs_jobs[i]);
  }
  o += "]";
  field(o, "started_at", j.started_at);
  field(o, "completed_at", j.completed_at);
  field(o, "created_at", j.created_at);
  return o + "}";
}

}  // namespace

struct FakeShithub::Impl {
  std::vector<ShithubRun> runs;
  std::vector<ShithubJob> jobs;
  std::string token;
  std::atomic<bool> split_link{false};
  httplib::Server server;
  std::thread thread;
  int port = 0;
  mutable std::mutex mu;
  std::vector<RecordedRequest> recorded;

  void error(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    std::string body = "{\"message\":";
    append_json_string(body, message);
    res.set_content(body + "}", "application/json");
  }

  template <typename T>
  void page(const httplib::Request& req, httplib::Response& res, const std::vector<const T*>& items) {
    int per_page = req.has_param("per_page") ? std::clamp(std::atoi(req.get_param_value("per_page").c_str()), 1, 100) : 30;
    int page_no = req.has_param("page") ? std::max(1, std::atoi(req.get_param_value("page").c_str())) : 1;
    size_t start = static_cast<size_t>(page_no - 1) * per_page;
    std::string body = "[";
    for (size_t i = start; i < items.size() && i < start + per_page; ++i) body += (i == start ? "" : ",") + render(*items[i]);
    body += "]";
    if (start + per_page < items.size()) {
      std::string query;
      for (const auto& [k, v] : req.params)
        if (k != "page") query += k + "=" + httplib::detail::encode_query_param(v) + "&";
      std::string url = "http://127.0.0.1:" + std::to_string(port) + req.path + "?" + query;
      std::string next = "<" + url + "page=" + std::to_string(page_no + 1) + ">; rel=\"next\"";
      std::string first = "<" + url + "page=1>; rel=\"first\"";
      if (split_link) {
        res.set_header("Link", first);
        res.set_header("Link", next);
      } else {
        res.set_header("Link", next + ", " + first);
      }
    }
    res.set_content(body, "application/json");
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    {
      RecordedRequest r;
      r.method = req.method;
      r.path = req.path;
      for (const auto& [k, v] : req.params) r.params.emplace(k, v);
      for (const auto& [k, v] : req.headers) {
        std::string lower = k;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        r.headers.emplace(lower, v);
      }
      std::lock_guard<std::mutex> lock(mu);
      recorded.push_back(std::move(r));
    }
    if (!token.empty() && req.get_header_value("Authorization") != "Bearer " + token)
      return error(res, 403, "token lacks repo:read");
    // /api/v1/repos/{owner}/{repo}/actions/runs[/{id}[/jobs]]
    std::vector<std::string> parts;
    for (size_t pos = 1; pos <= req.path.size();) {
      size_t next = req.path.find('/', pos);
      if (next == std::string::npos) next = req.path.size();
      parts.push_back(req.path.substr(pos, next - pos));
      pos = next + 1;
    }
    if (parts.size() < 6 || parts[0] != "api" || parts[1] != "v1" || parts[2] != "repos" || parts[5] != "actions" ||
        parts.size() < 7 || parts[6] != "runs")
      return error(res, 404, "not found");
    const std::string& owner = parts[3];
    const std::string& repo = parts[4];
    std::vector<const ShithubRun*> mine;
    for (const auto& r : runs)
      if (r.owner == owner && r.repo == repo) mine.push_back(&r);
    if (mine.empty()) return error(res, 404, "not found");
    if (parts.size() == 7) {
      std::vector<const ShithubRun*> keep;
      auto match = [&](const char* param, const std::string& value) {
        return !req.has_param(param) || req.get_param_value(param) == value;
      };
      for (const auto* r : mine)
        if (match("workflow_file", r->workflow_file) && match("head_ref", r->head_ref) && match("actor", r->actor_username) &&
            match("event", r->event) && match("status", r->status) && match("conclusion", r->conclusion))
          keep.push_back(r);
      return page(req, res, keep);
    }
    const ShithubRun* run = nullptr;
    for (const auto* r : mine)
      if (std::to_string(r->id) == parts[7]) run = r;
    if (!run) return error(res, 404, "not found");  // also a run id of another repository
    if (parts.size() == 8) return res.set_content(render(*run), "application/json");
    if (parts.size() == 9 && parts[8] == "jobs") {
      std::vector<const ShithubJob*> list;
      for (const auto& j : jobs)
        if (j.run_id == run->id) list.push_back(&j);
      std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->job_index < b->job_index; });
      return page(req, res, list);
    }
    error(res, 404, "not found");
  }
};

FakeShithub::FakeShithub(std::vector<ShithubRun> runs, std::vector<ShithubJob> jobs, std::string token)
    : impl_(std::make_unique<Impl>()) {
  impl_->runs = std::move(runs);
  impl_->jobs = std::move(jobs);
  impl_->token = std::move(token);
  impl_->server.Get(".*", [this](const httplib::Request& req, httplib::Response& res) { impl_->handle(req, res); });
  impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeShithub::~FakeShithub() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakeShithub::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/api/v1"; }

std::vector<RecordedRequest> FakeShithub::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->recorded;
}

void FakeShithub::split_link_headers(bool on) { impl_->split_link = on; }

void FakeShithub::clear_requests() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->recorded.clear();
}

void shithub_sample(const std::string& owner, const std::string& repo, int n, std::vector<ShithubRun>& runs,
                    std::vector<ShithubJob>& jobs) {
  const char* refs[] = {"trunk", "feature/x", "release/1.2"};
  const char* events[] = {"push", "pull_request", "workflow_dispatch"};
  const char* users[] = {"riverstone", "kmalik"};
  const char* states[][2] = {{"completed", "success"}, {"completed", "failure"}, {"running", ""}, {"queued", ""}};
  for (int i = n; i >= 1; --i) {  // newest first
    ShithubRun r;
    r.id = 1000 + i;
    r.owner = owner;
    r.repo = repo;
    r.run_number = i;
    r.workflow_file = i % 2 ? ".shithub/workflows/ci.yml" : ".shithub/workflows/lint.yml";
    r.workflow_name = i % 2 ? "CI" : "Lint";
    r.head_sha = std::string(32, 'c') + std::to_string(10000000 + i);
    r.head_ref = refs[i % 3];
    r.event = events[i % 3];
    r.status = states[i % 4][0];
    r.conclusion = states[i % 4][1];
    r.actor_id = 40 + i % 2;
    r.actor_username = users[i % 2];
    char ts[32];
    std::snprintf(ts, sizeof ts, "2026-05-%02dT%02d:%02d:00Z", 1 + i / 96 % 28, i / 4 % 24, i % 4 * 15);
    r.created_at = ts;
    r.started_at = r.status == "queued" ? "" : ts;
    r.completed_at = r.status == "completed" ? ts : "";
    r.updated_at = ts;
    runs.push_back(r);
    // Stored out of index order: the server must sort them.
    const char* keys[] = {"test", "build", "lint"};
    int order[] = {2, 0, 1};
    for (int k : order) {
      ShithubJob j;
      j.id = r.id * 10 + k;
      j.run_id = r.id;
      j.job_index = k;
      j.job_key = keys[(k + 1) % 3];
      j.job_name = std::string("Job ") + keys[(k + 1) % 3];
      j.runs_on = "linux-x64";
      j.status = r.status == "running" && k == 2 ? "queued" : r.status;
      j.conclusion = r.conclusion;
      j.cancel_requested = r.status == "running" && k == 2;
      if (k > 0) j.needs_jobs = {keys[1]};
      j.created_at = r.created_at;
      j.started_at = r.started_at;
      j.completed_at = r.completed_at;
      jobs.push_back(j);
    }
  }
}

}  // namespace stacklite::testserver
