// The run and workflow listings: the query filters GitHub accepts for runs (as a table),
// GitHub's `created` date syntax, the result cap for filtered listings, and a cache of
// filtered listings so paging through a large result does not rescan it for each page.
#include <algorithm>

#include "github/api.hpp"
#include "server/listing.hpp"
#include "util/text.hpp"

namespace stacklite::testserver {

namespace {

// The created filter: GitHub's search date syntax, compared as text once expanded.
struct CreatedRange {
  std::string low, high;  // "" = open
  bool low_strict = false, high_strict = false;

  bool contains(const std::string& t) const {
    if (!low.empty() && (low_strict ? t <= low : t < low)) return false;
    if (!high.empty() && (high_strict ? t >= high : t > high)) return false;
    return true;
  }
};

bool day_start(const std::string& d, std::string& out) {
  int64_t ignored;
  if (!parse_timestamp(d, ignored)) return false;
  out = d.size() == 10 ? d + "T00:00:00Z" : d;
  return true;
}

bool day_end(const std::string& d, std::string& out) {
  int64_t ignored;
  if (!parse_timestamp(d, ignored)) return false;
  out = d.size() == 10 ? d + "T23:59:59Z" : d;
  return true;
}

bool parse_created(const std::string& text, CreatedRange& r) {
  const size_t dots = text.find("..");
  if (dots != std::string::npos) {
    const std::string a = text.substr(0, dots), b = text.substr(dots + 2);
    if (a != "*" && !day_start(a, r.low)) return false;
    if (b != "*" && !day_end(b, r.high)) return false;
    return true;
  }
  if (text.rfind(">=", 0) == 0) return day_start(text.substr(2), r.low);
  if (text.rfind("<=", 0) == 0) return day_end(text.substr(2), r.high);
  if (text.rfind(">", 0) == 0) return r.low_strict = true, day_end(text.substr(1), r.low);
  if (text.rfind("<", 0) == 0) return r.high_strict = true, day_start(text.substr(1), r.high);
  return day_start(text, r.low) && day_end(text, r.high);
}

using RunTest = std::function<bool(const Run&)>;

// The filters of "List workflow runs"; each one GitHub stops paging at the result cap for.
const std::vector<ListingFilter<Run>>& run_filters() {
  static const std::vector<ListingFilter<Run>> filters = {
      equals_filter<Run>("actor", true, [](const Run& r) { return r.actor_login; }),
      equals_filter<Run>("branch", true, [](const Run& r) { return r.head_branch; }),
      equals_filter<Run>("event", true, [](const Run& r) { return r.event; }),
      {"status", true,
       [](const std::string& v) -> RunTest {
         return [v](const Run& r) { return r.status == v || r.conclusion == v; };
       }},
      {"created", true,
       [](const std::string& v) -> RunTest {
         CreatedRange range;
         if (!parse_created(v, range)) return nullptr;
         return [range](const Run& r) { return range.contains(r.created_at); };
       }},
      equals_filter<Run>("head_sha", true, [](const Run& r) { return r.head_sha; }),
      equals_filter<Run>("check_suite_id", true, [](const Run& r) { return std::to_string(r.check_suite_id); }),
  };
  return filters;
}

}  // namespace

std::shared_ptr<const std::vector<const Run*>> GitHubApi::listing(const std::string& key,
                                                                  const std::vector<Run>& stored,
                                                                  const std::function<bool(const Run&)>& keep) {
  {
    std::lock_guard<std::mutex> lock(listing_mutex);
    for (const auto& l : listings)
      if (l.generation == generation && l.key == key) return l.runs;
  }
  auto runs = std::make_shared<std::vector<const Run*>>();
  for (auto it = stored.rbegin(); it != stored.rend(); ++it)
    if (keep(*it)) runs->push_back(&*it);
  std::lock_guard<std::mutex> lock(listing_mutex);
  listings.push_front({generation, key, runs});
  if (listings.size() > 16) listings.pop_back();
  return runs;
}

void GitHubApi::list_repository_runs(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  churn_busy_repository(args);
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  if (!data.stored_runs(args.owner, args.repo)) return send_error(ex, 404, "Not Found", anchor);
  list_runs(ex, args, anchor, nullptr);
}

void GitHubApi::list_workflow_runs(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  churn_busy_repository(args);
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  const Workflow* wf = data.find_workflow(args.owner, args.repo, args.workflow);
  if (!wf) return send_error(ex, 404, "Not Found", anchor);
  list_runs(ex, args, anchor, wf);
}

// Under the caller's shared lock; the repository exists.
void GitHubApi::list_runs(Exchange& ex, const PathArgs& args, const std::string& anchor, const Workflow* wf) {
  const std::vector<Run>& stored = *data.stored_runs(args.owner, args.repo);
  const CompiledFilters<Run> filters = compile_filters(run_filters(), ex, true);
  if (!filters.invalid.empty()) return send_validation_failed(ex, "WorkflowRun", filters.invalid, anchor);
  const int64_t workflow_id = wf ? wf->id : 0;
  const std::string key =
      to_lower(args.owner + "/" + args.repo) + '\n' + std::to_string(workflow_id) + '\n' + filters.key;
  auto runs =
      listing(key, stored, [&](const Run& r) { return (!wf || r.workflow_id == workflow_id) && filters.keeps(r); });

  const int64_t total = static_cast<int64_t>(runs->size());
  if (beyond_unfiltered_page_limit(ex, filters.capped)) return;
  int64_t visible = filters.capped ? std::min<int64_t>(total, opts.result_cap) : total;
  if (!filters.capped && opts.unfiltered_page_limit > 0)
    visible = std::min<int64_t>(visible, opts.unfiltered_page_limit);
  const PageWindow window = PageWindow::of(ex);
  const auto [first, last] = window.slice(visible);
  set_link(ex, window, visible);
  const std::string exclude = to_lower(ex.param("exclude_pull_requests"));
  const bool include_prs = !(exclude == "true" || exclude == "1");

  Renderer render(data, bases);
  PageBody body("workflow_runs", total, static_cast<size_t>(last - first) * 12000);
  for (int64_t i = first; i < last; ++i) render.run(body.next_item(), *(*runs)[static_cast<size_t>(i)], include_prs);
  ex.json(200, body.finish());
}

void GitHubApi::list_workflows(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  const Repository* r = data.find_repository(args.owner, args.repo);
  if (!r) return send_error(ex, 404, "Not Found", anchor);
  const int64_t total = static_cast<int64_t>(r->workflows.size());
  const PageWindow window = PageWindow::of(ex);
  const auto [first, last] = window.slice(total);
  set_link(ex, window, total);
  Renderer render(data, bases);
  PageBody body("workflows", total);
  for (int64_t i = first; i < last; ++i) {
    JsonWriter w(body.next_item());
    render.workflow(w, *r, r->workflows[static_cast<size_t>(i)]);
  }
  ex.json(200, body.finish());
}

void GitHubApi::get_workflow(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  const Repository* r = data.find_repository(args.owner, args.repo);
  const Workflow* wf = r ? data.find_workflow(args.owner, args.repo, args.workflow) : nullptr;
  if (!wf) return send_error(ex, 404, "Not Found", anchor);
  std::string body;
  JsonWriter w(body);
  Renderer(data, bases).workflow(w, *r, *wf);
  ex.json(200, std::move(body));
}

}  // namespace stacklite::testserver
