// Repository listings: an organization's (/orgs/{org}/repos, newest first), a user's public
// ones (/users/{username}/repos, by full name) and the token's own (/user/repos, by full
// name): bare arrays with Link pagination, narrowed by `type` as GitHub's are.
#include <algorithm>

#include "github/api.hpp"
#include "server/listing.hpp"
#include "util/text.hpp"

namespace stacklite::testserver {

namespace {

using RepoTest = bool (*)(const Repository&);

struct TypeValue {
  const char* name;
  RepoTest keep;
};

bool any(const Repository&) { return true; }
bool none(const Repository&) { return false; }
bool is_public(const Repository& r) { return !r.is_private; }
bool is_private(const Repository& r) { return r.is_private; }
bool is_fork(const Repository& r) { return r.is_fork; }
bool is_source(const Repository& r) { return !r.is_fork; }

// The type values each listing takes (the first is its default) and what each keeps among
// the repositories the listing covers.
const std::vector<TypeValue> kOrgTypes = {{"all", any},       {"public", is_public},  {"private", is_private},
                                          {"forks", is_fork}, {"sources", is_source}, {"member", any}};
const std::vector<TypeValue> kUserTypes = {{"owner", any}, {"all", any}, {"member", none}};

bool same_login(const std::string& a, const std::string& b) { return to_lower(a) == to_lower(b); }

bool by_full_name(const Repository* a, const Repository* b) {
  return to_lower(a->owner + "/" + a->name) < to_lower(b->owner + "/" + b->name);
}

// Looks the type parameter up; false after answering 422 for a value the listing does not take.
bool type_filter(Exchange& ex, const std::vector<TypeValue>& types, RepoTest& keep, const std::string& anchor) {
  keep = types.front().keep;
  if (!ex.has_param("type")) return true;
  const std::string value = ex.param("type");
  for (const auto& t : types)
    if (value == t.name) return keep = t.keep, true;
  send_validation_failed(ex, "Repository", "type", anchor);
  return false;
}

}  // namespace

void GitHubApi::list_repositories(Exchange& ex, std::vector<const Repository*> repos) {
  const int64_t total = static_cast<int64_t>(repos.size());
  const PageWindow window = PageWindow::of(ex);
  const auto [first, last] = window.slice(total);
  set_link(ex, window, total);
  Renderer render(data, bases);
  PageBody body(nullptr, total);
  for (int64_t i = first; i < last; ++i) render.repository_item(body.next_item(), *repos[static_cast<size_t>(i)]);
  ex.json(200, body.finish());
}

void GitHubApi::list_org_repos(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  bool exists = false;
  std::vector<const Repository*> repos;
  RepoTest keep;
  for (const auto& r : data.repositories())
    if (same_login(r.owner, args.owner) && r.owner_type == "Organization") exists = true;
  if (!exists) return send_error(ex, 404, "Not Found", anchor);
  if (!type_filter(ex, kOrgTypes, keep, anchor)) return;
  for (const auto& r : data.repositories())
    if (same_login(r.owner, args.owner) && keep(r)) repos.push_back(&r);
  // Newest first: GitHub's default sort for an organization is created, descending.
  std::sort(repos.begin(), repos.end(), [](const Repository* a, const Repository* b) {
    return a->created_at != b->created_at ? a->created_at > b->created_at : a->id > b->id;
  });
  list_repositories(ex, std::move(repos));
}

void GitHubApi::list_user_repos(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  bool exists = same_login(args.owner, opts.viewer_login);
  for (const auto& r : data.repositories())
    if (same_login(r.owner, args.owner) && r.owner_type == "User") exists = true;
  if (!exists) return send_error(ex, 404, "Not Found", anchor);
  RepoTest keep;
  if (!type_filter(ex, kUserTypes, keep, anchor)) return;
  std::vector<const Repository*> repos;
  for (const auto& r : data.repositories())  // a user's public repositories
    if (same_login(r.owner, args.owner) && !r.is_private && keep(r)) repos.push_back(&r);
  std::sort(repos.begin(), repos.end(), by_full_name);
  list_repositories(ex, std::move(repos));
}

void GitHubApi::list_own_repos(Exchange& ex, const PathArgs&, const std::string& anchor) {
  // Only a token has repositories of its own: without one GitHub answers 401.
  if (ex.req.get_header_value("Authorization").empty()) return send_error(ex, 401, "Requires authentication", anchor);
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  // The token's user owns its repositories and is a member of every organization.
  const std::string value = ex.has_param("type") ? ex.param("type") : "all";
  const bool owner = value == "all" || value == "owner" || value == "public" || value == "private";
  const bool member = value == "all" || value == "member" || value == "public" || value == "private";
  if (!owner && !member) return send_validation_failed(ex, "Repository", "type", anchor);
  std::vector<const Repository*> repos;
  for (const auto& r : data.repositories()) {
    const bool own = same_login(r.owner, opts.viewer_login);
    if (!(own ? owner : member && r.owner_type == "Organization")) continue;
    if ((value == "public" && r.is_private) || (value == "private" && !r.is_private)) continue;
    repos.push_back(&r);
  }
  std::sort(repos.begin(), repos.end(), by_full_name);
  list_repositories(ex, std::move(repos));
}

// GET /repos/{owner}/{repo}: the repository (its listing item's fields).
void GitHubApi::get_repository(Exchange& ex, const PathArgs& args, const std::string& anchor) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  const Repository* r = data.find_repository(args.owner, args.repo);
  if (!r) return send_error(ex, 404, "Not Found", anchor);
  std::string body;
  Renderer(data, bases).repository_item(body, *r);
  ex.json(200, std::move(body));
}

}  // namespace stacklite::testserver
