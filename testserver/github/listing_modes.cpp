// Listings that change or misbehave on purpose (Options::busy, unfiltered_page_limit,
// link_loop): a busy repository whose runs are created and deleted between page requests,
// github.com's limit on paging unfiltered listings (422 past it), and rel="next" links
// that lead back instead of on. Every GitHub listing sets its Link header here.
#include "github/api.hpp"
#include "util/text.hpp"

namespace stacklite::testserver {

void GitHubApi::churn_busy_repository(const PathArgs& args) {
  const BusyRepository& busy = opts.busy;
  if (busy.owner.empty() || to_lower(args.owner) != to_lower(busy.owner) || to_lower(args.repo) != to_lower(busy.repo))
    return;
  std::unique_lock<std::shared_mutex> lock(data_mutex);
  const std::vector<Run>* stored = data.stored_runs(args.owner, args.repo);
  if (!stored || stored->empty()) return;
  if (busy_rng == 0) busy_rng = busy.seed * 0x9e3779b97f4a7c15ULL + 1;
  auto random = [&](size_t n) {  // xorshift64
    busy_rng ^= busy_rng << 13;
    busy_rng ^= busy_rng >> 7;
    busy_rng ^= busy_rng << 17;
    return static_cast<size_t>(busy_rng % n);
  };
  ++generation;
  for (int k = 0; k < busy.deletes && !stored->empty(); ++k) {
    const Run& victim = (*stored)[random(stored->size())];
    data.remove_run(args.owner, args.repo, victim.id);
  }
  for (int k = 0; k < busy.inserts && !stored->empty(); ++k) {
    Run fresh = (*stored)[random(stored->size())];
    int64_t newest = 0;
    parse_timestamp(stored->back().created_at, newest);
    fresh.id = data.max_run_id() + 1;
    fresh.run_number = stored->back().run_number + 1;
    fresh.check_suite_id += 1000000;
    fresh.created_at = fresh.updated_at = fresh.run_started_at = format_timestamp(newest + 1);
    data.add_run(std::move(fresh));
  }
}

bool GitHubApi::beyond_unfiltered_page_limit(Exchange& ex, bool capped) {
  if (capped || opts.unfiltered_page_limit <= 0) return false;
  const PageWindow w = PageWindow::of(ex);
  if (w.page <= 1 || w.page - 1 < (opts.unfiltered_page_limit + w.per_page - 1) / w.per_page) return false;
  ex.json(422, error_body("In order to keep the API fast for everyone, pagination is limited for this resource.",
                          std::string(kDocs) + "workflow-runs#list-workflow-runs-for-a-repository"));
  return true;
}

void GitHubApi::set_link(Exchange& ex, const PageWindow& window, int64_t visible) {
  std::string looping_next;
  if (opts.link_loop == LinkLoop::SameUrl)
    looping_next = link_origin() + ex.req.target;
  else if (opts.link_loop == LinkLoop::EarlierPage)
    looping_next = page_url(link_origin(), ex, window.page >= 3 ? window.page - 1 : window.page + 1);
  set_link_header(ex.res, link_entries(link_origin(), ex, window, visible, LinkRels::All,
                                       opts.link_loop == LinkLoop::None ? nullptr : &looping_next));
}

}  // namespace stacklite::testserver
