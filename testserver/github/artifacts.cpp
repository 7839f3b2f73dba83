// Artifacts: a repository's listing (name filter), a run's listing (name filter, direction),
// one artifact by id, and its deletion, which removes it from what is served.
#include <algorithm>

#include "github/api.hpp"
#include "server/listing.hpp"

namespace stacklite::testserver {

namespace {

const std::vector<ListingFilter<Artifact>>& artifact_filters() {
  static const std::vector<ListingFilter<Artifact>> filters = {
      equals_filter<Artifact>("name", false, [](const Artifact& a) { return a.name; }),
  };
  return filters;
}

}  // namespace

// Under the caller's shared lock; `items` newest first.
void GitHubApi::list_artifacts(Exchange& ex, std::vector<Artifact> items, const std::string& anchor) {
  const CompiledFilters<Artifact> filters = compile_filters(artifact_filters(), ex, true);
  items.erase(std::remove_if(items.begin(), items.end(), [&](const Artifact& a) { return !filters.keeps(a); }),
              items.end());
  const std::string direction = ex.param("direction");
  if (!direction.empty() && direction != "asc" && direction != "desc")
    return send_validation_failed(ex, "Artifact", "direction", anchor);
  if (direction == "asc") std::reverse(items.begin(), items.end());
  const int64_t total = static_cast<int64_t>(items.size());
  const PageWindow window = PageWindow::of(ex);
  const auto [first, last] = window.slice(total);
  set_link(ex, window, total);
  Renderer render(data, bases);
  PageBody body("artifacts", total);
  for (int64_t i = first; i < last; ++i) {
    JsonWriter w(body.next_item());
    render.artifact(w, items[static_cast<size_t>(i)]);
  }
  ex.json(200, body.finish());
}

void GitHubApi::list_repository_artifacts(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  if (!data.find_repository(args.owner, args.repo)) return send_error(ex, 404, "Not Found", anchor);
  list_artifacts(ex, data.artifacts_for(args.owner, args.repo), anchor);
}

void GitHubApi::list_run_artifacts(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  int64_t run_id = 0;
  if (!parse_id(args.run_id, run_id) || !data.find_run(args.owner, args.repo, run_id))
    return send_error(ex, 404, "Not Found", anchor);
  std::vector<Artifact> items = data.artifacts_for(args.owner, args.repo);
  items.erase(std::remove_if(items.begin(), items.end(), [&](const Artifact& a) { return a.run_id != run_id; }),
              items.end());
  list_artifacts(ex, std::move(items), anchor);
}

void GitHubApi::get_artifact(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  int64_t id = 0;
  const Artifact* a = parse_id(args.artifact_id, id) ? data.find_artifact(args.owner, args.repo, id) : nullptr;
  if (!a) return send_error(ex, 404, "Not Found", anchor);
  std::string body;
  JsonWriter w(body);
  Renderer(data, bases).artifact(w, *a);
  ex.json(200, std::move(body));
}

void GitHubApi::delete_artifact(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::unique_lock<std::shared_mutex> lock(data_mutex);
  int64_t id = 0;
  if (!parse_id(args.artifact_id, id) || !data.remove_artifact(args.owner, args.repo, id))
    return send_error(ex, 404, "Not Found", anchor);
  ++generation;
  ex.empty(204);
}

}  // namespace stacklite::testserver
