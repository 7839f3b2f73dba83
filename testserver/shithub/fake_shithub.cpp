// The loopback shithub: its read-only Actions API (bare JSON arrays, Link pagination with
// next and first only, 404 for what a token cannot see, 403 without repo:read) on the same
// loopback server and listing mechanics as the fake GitHub.
#include "fake_shithub.hpp"

#include <algorithm>
#include <atomic>

#include "server/json_writer.hpp"
#include "server/listing.hpp"
#include "server/loopback_server.hpp"
#include "server/path_pattern.hpp"

namespace stacklite::testserver {

namespace {

void render(std::string& out, const ShithubRun& r) {
  JsonWriter w(out);
  w.begin_object();
  w.number("id", r.id);
  w.number("run_number", r.run_number);
  w.string_or_null("workflow_file", r.workflow_file);
  w.string_or_null("workflow_name", r.workflow_name);
  w.string_or_null("head_sha", r.head_sha);
  w.string_or_null("head_ref", r.head_ref);
  w.string_or_null("event", r.event);
  w.string_or_null("status", r.status);
  w.string_or_null("conclusion", r.conclusion);
  w.number("actor_id", r.actor_id);
  w.string_or_null("actor_username", r.actor_username);
  w.string_or_null("started_at", r.started_at);
  w.string_or_null("completed_at", r.completed_at);
  w.string_or_null("created_at", r.created_at);
  w.string_or_null("updated_at", r.updated_at);
  w.end_object();
}

void render(std::string& out, const ShithubJob& j) {
  JsonWriter w(out);
  w.begin_object();
  w.number("id", j.id);
  w.number("run_id", j.run_id);
  w.number("job_index", j.job_index);
  w.string_or_null("job_key", j.job_key);
  w.string_or_null("job_name", j.job_name);
  w.string_or_null("runs_on", j.runs_on);
  w.string_or_null("status", j.status);
  w.string_or_null("conclusion", j.conclusion);
  w.boolean("cancel_requested", j.cancel_requested);
  w.begin_array("needs_jobs");
  for (const auto& need : j.needs_jobs) w.string(nullptr, need);
  w.end_array();
  w.string_or_null("started_at", j.started_at);
  w.string_or_null("completed_at", j.completed_at);
  w.string_or_null("created_at", j.created_at);
  w.end_object();
}

// shithub filters runs by these parameters, each an exact match (an empty value too).
const std::vector<ListingFilter<ShithubRun>>& run_filters() {
  static const std::vector<ListingFilter<ShithubRun>> filters = {
      equals_filter<ShithubRun>("workflow_file", false, [](const ShithubRun& r) { return r.workflow_file; }),
      equals_filter<ShithubRun>("head_ref", false, [](const ShithubRun& r) { return r.head_ref; }),
      equals_filter<ShithubRun>("actor", false, [](const ShithubRun& r) { return r.actor_username; }),
      equals_filter<ShithubRun>("event", false, [](const ShithubRun& r) { return r.event; }),
      equals_filter<ShithubRun>("status", false, [](const ShithubRun& r) { return r.status; }),
      equals_filter<ShithubRun>("conclusion", false, [](const ShithubRun& r) { return r.conclusion; }),
  };
  return filters;
}

void send_error(Exchange& ex, int status, const std::string& message) { ex.json(status, error_body(message)); }

}  // namespace

struct FakeShithub::Impl {
  std::vector<ShithubRun> runs;
  std::vector<ShithubJob> jobs;
  std::string token;
  std::atomic<bool> split_link{false};
  LoopbackServer server{"FakeShithub", 0, 8};  // last: destroyed first

  template <typename T>
  void page(Exchange& ex, const std::vector<const T*>& items) {
    const PageWindow window = PageWindow::of(ex);
    const int64_t total = static_cast<int64_t>(items.size());
    const auto [first, last] = window.slice(total);
    std::vector<std::string> link = link_entries(server.origin(), ex, window, total, LinkRels::NextAndFirst);
    if (split_link) std::reverse(link.begin(), link.end());  // first, then next
    set_link_header(ex.res, link, split_link);
    PageBody body(nullptr, total);
    for (int64_t i = first; i < last; ++i) render(body.next_item(), *items[static_cast<size_t>(i)]);
    ex.json(200, body.finish());
  }

  void answer(Exchange& ex) {
    if (!token.empty() && ex.req.get_header_value("Authorization") != "Bearer " + token)
      return send_error(ex, 403, "token lacks repo:read");
    const std::vector<std::string> segments = path_segments(ex.raw_path);
    PathArgs args;
    const std::string runs_path = "/api/v1/repos/{owner}/{repo}/actions/runs";
    const bool list = match_path(runs_path, segments, args);
    if (ex.req.method != "GET" || !(list || match_path(runs_path + "/{run_id}", segments, args) ||
                                    match_path(runs_path + "/{run_id}/jobs", segments, args)))
      return send_error(ex, 404, "not found");
    std::vector<const ShithubRun*> mine;
    for (const auto& r : runs)
      if (r.owner == args.owner && r.repo == args.repo) mine.push_back(&r);
    if (mine.empty()) return send_error(ex, 404, "not found");
    if (list) {
      const CompiledFilters<ShithubRun> filters = compile_filters(run_filters(), ex, false);
      std::vector<const ShithubRun*> keep;
      for (const auto* r : mine)
        if (filters.keeps(*r)) keep.push_back(r);
      return page(ex, keep);
    }
    const ShithubRun* run = nullptr;
    for (const auto* r : mine)
      if (std::to_string(r->id) == args.run_id) run = r;
    if (!run) return send_error(ex, 404, "not found");  // also a run id of another repository
    if (args.action != "jobs") {
      std::string body;
      render(body, *run);
      return ex.json(200, std::move(body));
    }
    std::vector<const ShithubJob*> list_of_jobs;
    for (const auto& j : jobs)
      if (j.run_id == run->id) list_of_jobs.push_back(&j);
    std::sort(list_of_jobs.begin(), list_of_jobs.end(), [](auto* a, auto* b) { return a->job_index < b->job_index; });
    page(ex, list_of_jobs);
  }
};

FakeShithub::FakeShithub(std::vector<ShithubRun> runs, std::vector<ShithubJob> jobs, std::string token)
    : impl_(std::make_unique<Impl>()) {
  impl_->runs = std::move(runs);
  impl_->jobs = std::move(jobs);
  impl_->token = std::move(token);
  Impl& s = *impl_;
  s.server.start({[&s](Exchange& ex) { s.answer(ex); }, nullptr});
}

FakeShithub::~FakeShithub() = default;

std::string FakeShithub::base_url() const { return impl_->server.origin() + "/api/v1"; }

std::vector<RecordedRequest> FakeShithub::requests() const { return impl_->server.requests(); }

void FakeShithub::clear_requests() { impl_->server.clear_requests(); }

void FakeShithub::split_link_headers(bool on) { impl_->split_link = on; }

void FakeShithub::inject(Fault fault, int count, std::string path_contains) {
  impl_->server.faults().inject(std::move(fault), count, std::move(path_contains));
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
