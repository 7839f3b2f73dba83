// Repository and user objects as GitHub embeds them in a run (the base repository, the
// head repository: same fields, another order), users (actors, owners, creators), and the
// full repository object of repository listings.
#include <stdexcept>

#include "github/identifiers.hpp"
#include "github/render.hpp"
#include "http/url.hpp"

namespace stacklite::testserver {

namespace {

// Key order of the two repository objects in the workflow-run example; besides a few
// scalar fields, every key is a URL under the repository's API URL (kUrlSuffixes).
// clang-format off
const char* const kRepositoryKeys[] = {
    "id", "node_id", "name", "full_name", "owner", "private", "html_url", "description", "fork", "url",
    "archive_url", "assignees_url", "blobs_url", "branches_url", "collaborators_url", "comments_url",
    "commits_url", "compare_url", "contents_url", "contributors_url", "deployments_url", "downloads_url",
    "events_url", "forks_url", "git_commits_url", "git_refs_url", "git_tags_url", "git_url",
    "issue_comment_url", "issue_events_url", "issues_url", "keys_url", "labels_url", "languages_url",
    "merges_url", "milestones_url", "notifications_url", "pulls_url", "releases_url", "ssh_url",
    "stargazers_url", "statuses_url", "subscribers_url", "subscription_url", "tags_url", "teams_url",
    "trees_url", "hooks_url",
};

const char* const kHeadRepositoryKeys[] = {
    "id", "node_id", "name", "full_name", "private", "owner", "html_url", "description", "fork", "url",
    "forks_url", "keys_url", "collaborators_url", "teams_url", "hooks_url", "issue_events_url", "events_url",
    "assignees_url", "branches_url", "tags_url", "blobs_url", "git_tags_url", "git_refs_url", "trees_url",
    "statuses_url", "languages_url", "stargazers_url", "contributors_url", "subscribers_url",
    "subscription_url", "commits_url", "git_commits_url", "comments_url", "issue_comment_url", "contents_url",
    "compare_url", "merges_url", "archive_url", "downloads_url", "issues_url", "pulls_url", "milestones_url",
    "notifications_url", "labels_url", "releases_url", "deployments_url",
};

const std::pair<const char*, const char*> kUrlSuffixes[] = {
    {"archive_url", "/{archive_format}{/ref}"}, {"assignees_url", "/assignees{/user}"},
    {"blobs_url", "/git/blobs{/sha}"}, {"branches_url", "/branches{/branch}"},
    {"collaborators_url", "/collaborators{/collaborator}"}, {"comments_url", "/comments{/number}"},
    {"commits_url", "/commits{/sha}"}, {"compare_url", "/compare/{base}...{head}"},
    {"contents_url", "/contents/{+path}"}, {"contributors_url", "/contributors"},
    {"deployments_url", "/deployments"}, {"downloads_url", "/downloads"}, {"events_url", "/events"},
    {"forks_url", "/forks"}, {"git_commits_url", "/git/commits{/sha}"}, {"git_refs_url", "/git/refs{/sha}"},
    {"git_tags_url", "/git/tags{/sha}"}, {"issue_comment_url", "/issues/comments{/number}"},
    {"issue_events_url", "/issues/events{/number}"}, {"issues_url", "/issues{/number}"},
    {"keys_url", "/keys{/key_id}"}, {"labels_url", "/labels{/name}"}, {"languages_url", "/languages"},
    {"merges_url", "/merges"}, {"milestones_url", "/milestones{/number}"},
    {"notifications_url", "/notifications{?since,all,participating}"}, {"pulls_url", "/pulls{/number}"},
    {"releases_url", "/releases{/id}"}, {"stargazers_url", "/stargazers"}, {"statuses_url", "/statuses/{sha}"},
    {"subscribers_url", "/subscribers"}, {"subscription_url", "/subscription"}, {"tags_url", "/tags"},
    {"teams_url", "/teams"}, {"trees_url", "/git/trees{/sha}"}, {"hooks_url", "/hooks"},
};
// clang-format on

const char* url_suffix(const std::string& key) {
  for (const auto& [name, suffix] : kUrlSuffixes)
    if (key == name) return suffix;
  throw std::logic_error("no URL suffix for repository key " + key);
}

}  // namespace

UrlBases make_bases(const std::string& api, const std::string& html) {
  UrlBases b{api, html, html};
  const size_t scheme = b.git_host.find("://");
  if (scheme != std::string::npos) b.git_host.erase(0, scheme + 3);
  return b;
}

void Renderer::user(JsonWriter& w, const char* key, const std::string& login, int64_t id, const std::string& type) {
  const std::string url = bases_.api + "/users/" + percent_encode(login);
  w.begin_object(key);
  w.string("login", login);
  w.number("id", id);
  w.string("node_id", node_id(type, id));
  w.string("avatar_url", "https://avatars.githubusercontent.com/u/" + std::to_string(id) + "?v=4");
  w.string("gravatar_id", "");
  w.string("url", url);
  w.string("html_url",
           type == "Bot" ? bases_.html + "/apps/" + login.substr(0, login.size() - 5) : bases_.html + "/" + login);
  w.string("followers_url", url + "/followers");
  w.string("following_url", url + "/following{/other_user}");
  w.string("gists_url", url + "/gists{/gist_id}");
  w.string("starred_url", url + "/starred{/owner}{/repo}");
  w.string("subscriptions_url", url + "/subscriptions");
  w.string("organizations_url", url + "/orgs");
  w.string("repos_url", url + "/repos");
  w.string("events_url", url + "/events{/privacy}");
  w.string("received_events_url", url + "/received_events");
  w.string("type", type);
  w.boolean("site_admin", false);
  w.end_object();
}

const Repository& Renderer::repository_of(const Run& r) {
  if (last_repo_ && last_repo_->name == r.repo && last_repo_->owner == r.owner) return *last_repo_;
  const Repository* repo = data_.find_repository(r.owner, r.repo);
  if (!repo) throw std::logic_error("run " + std::to_string(r.id) + " has no repository");
  return *(last_repo_ = repo);
}

const std::string& Renderer::repository_json(const Repository& repo, bool head_style) {
  for (const auto& c : repo_cache_)
    if (c.id == repo.id && c.head_style == head_style) return c.json;
  std::string out;
  JsonWriter w(out);
  const std::string full_name = repo.owner + "/" + repo.name;
  const std::string url = bases_.api + "/repos/" + full_name;
  w.begin_object();
  auto emit = [&](const std::string& key) {
    if (key == "id") {
      w.number("id", repo.id);
    } else if (key == "node_id") {
      w.string("node_id", node_id("Repository", repo.id));
    } else if (key == "name") {
      w.string("name", repo.name);
    } else if (key == "full_name") {
      w.string("full_name", full_name);
    } else if (key == "owner") {
      user(w, "owner", repo.owner, owner_id_of(repo), repo.owner_type);
    } else if (key == "private") {
      w.boolean("private", repo.is_private);
    } else if (key == "html_url") {
      w.string("html_url", bases_.html + "/" + full_name);
    } else if (key == "description") {
      w.string_or_null("description", repo.description);
    } else if (key == "fork") {
      w.boolean("fork", repo.is_fork);
    } else if (key == "url") {
      w.string("url", url);
    } else if (key == "git_url") {
      w.string("git_url", "git://" + bases_.git_host + "/" + full_name + ".git");
    } else if (key == "ssh_url") {
      w.string("ssh_url", "git@" + bases_.git_host + ":" + full_name + ".git");
    } else {
      w.string(key.c_str(), url + url_suffix(key));
    }
  };
  if (head_style)
    for (const char* key : kHeadRepositoryKeys) emit(key);
  else
    for (const char* key : kRepositoryKeys) emit(key);
  w.end_object();
  repo_cache_.push_back({repo.id, head_style, std::move(out)});
  return repo_cache_.back().json;
}

void Renderer::repository_item(std::string& out, const Repository& repo) {
  // The embedded object's members, then those only listings carry, in GitHub's order.
  // The cached embedded object is reopened: its closing brace left off, a comma added, and
  // the writer told it is inside an object (whose '{' it wrote and is taken back).
  const std::string& embedded = repository_json(repo, false);
  out.append(embedded, 0, embedded.size() - 1);
  JsonWriter w(out);
  w.begin_object();
  out.back() = ',';
  const std::string full_name = repo.owner + "/" + repo.name;
  w.string("clone_url", bases_.html + "/" + full_name + ".git");
  w.null("mirror_url");
  w.string("svn_url", bases_.html + "/" + full_name);
  w.string_or_null("homepage", repo.homepage);
  w.string_or_null("language", repo.language);
  w.number("forks_count", repo.forks);
  w.number("stargazers_count", repo.stargazers);
  w.number("watchers_count", repo.stargazers);
  w.number("size", repo.size_kb);
  w.string("default_branch", repo.default_branch);
  w.number("open_issues_count", repo.open_issues);
  w.boolean("is_template", repo.is_template);
  w.begin_array("topics");
  for (const auto& topic : repo.topics) w.string(nullptr, topic);
  w.end_array();
  w.boolean("has_issues", true);
  w.boolean("has_projects", true);
  w.boolean("has_wiki", !repo.is_private);
  w.boolean("has_pages", false);
  w.boolean("has_downloads", true);
  w.boolean("has_discussions", false);
  w.boolean("archived", repo.archived);
  w.boolean("disabled", repo.disabled);
  w.string("visibility", repo.visibility_or_default());
  w.string("pushed_at", repo.pushed_at);
  w.string("created_at", repo.created_at);
  w.string("updated_at", repo.updated_at);
  w.begin_object("permissions");
  w.boolean("admin", false);
  w.boolean("maintain", false);
  w.boolean("push", true);
  w.boolean("triage", true);
  w.boolean("pull", true);
  w.end_object();
  w.boolean("allow_forking", !repo.is_private);
  w.boolean("web_commit_signoff_required", false);
  w.number("forks", repo.forks);
  w.number("open_issues", repo.open_issues);
  w.number("watchers", repo.stargazers);
  if (repo.is_private) {
    w.null("license");
  } else {
    w.begin_object("license");
    w.string("key", "mit");
    w.string("name", "MIT License");
    w.string("spdx_id", "MIT");
    w.string("url", bases_.api + "/licenses/mit");
    w.string("node_id", "MDc6TGljZW5zZTEz");
    w.end_object();
  }
  w.end_object();
}

}  // namespace stacklite::testserver
