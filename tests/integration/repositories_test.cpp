// The repositories table: an organization's listing, a user's through the fallback when the
// organization listing answers 404, the token's own without owner, `type` sent to the API,
// name and full_name checked exactly, pagination over Link pages, and the errors.
#include <algorithm>
#include <set>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

using testserver::Repository;

const char* const kLanguages[] = {"Go", "Python", "", "Rust", "TypeScript"};

// bigcorp: 230 repositories (three pages of 100), created a day apart, every kind mixed in;
// the user octocat: two public repositories and a private one; acme/infra with runs.
Dataset inventory_dataset() {
  Dataset data = small_dataset("acme", "infra", 5);
  for (int i = 1; i <= 230; ++i) {
    Repository r;
    r.owner = "bigcorp";
    char name[16];
    std::snprintf(name, sizeof name, "svc-%03d", i);
    r.name = name;
    r.id = 700000 + i;
    r.owner_id = 77;
    r.is_fork = i % 7 == 0;
    r.is_private = i % 5 == 0;
    if (i % 13 == 0) r.visibility = "internal";
    r.archived = i % 11 == 0;
    r.language = kLanguages[i % 5];
    if (i % 3 == 0) r.topics = {"team-" + std::to_string(i % 4), "tier-1"};
    r.size_kb = 100 * i;
    r.stargazers = i % 17;
    r.open_issues = i % 9;
    r.created_at = testserver::format_timestamp(1600000000 + 86400LL * i);
    data.add_repository(r);
  }
  auto user_repo = [&](const char* name, int64_t id, bool is_private) {
    Repository r;
    r.owner = "octocat";
    r.name = name;
    r.id = id;
    r.owner_id = 583231;
    r.owner_type = "User";
    r.is_private = is_private;
    r.language = "Shell";
    data.add_repository(r);
  };
  user_repo("dotfiles", 900001, false);
  user_repo("Hello-World", 900002, false);
  user_repo("notes", 900003, true);
  return data;
}

std::string flag(bool b) { return b ? "1" : "0"; }

std::string topics_json(const Repository& r) {
  std::string out = "[";
  for (const auto& t : r.topics) out += (out.size() > 1 ? ",\"" : "\"") + t + "\"";
  return out + "]";
}

// The columns kSelect names, from the dataset.
std::vector<std::string> row_of(const Repository& r) {
  return {std::to_string(r.id),
          r.name,
          r.owner + "/" + r.name,
          r.owner,
          flag(r.is_private),
          r.visibility_or_default(),
          flag(r.archived),
          flag(r.is_fork),
          r.default_branch,
          r.language.empty() ? "NULL" : r.language,
          topics_json(r),
          std::to_string(r.size_kb),
          std::to_string(r.stargazers),
          std::to_string(r.open_issues),
          r.created_at,
          "https://github.com/" + r.owner + "/" + r.name};
}

const std::string kSelect =
    "SELECT id, name, full_name, owner_login, private, visibility, archived, fork, default_branch, language, "
    "topics, size, stargazers_count, open_issues_count, created_at, html_url FROM repositories ";

class RepositoriesTest : public ServerTest {
 protected:
  void SetUp() override {
    serve(inventory_dataset());
    db_ = connect();
  }
  // The repositories of the dataset that `keep` selects, in the order `before` sorts them.
  template <class Keep, class Before>
  Rows expected(Keep keep, Before before) const {
    std::vector<Repository> repos;
    const Dataset data = server_->snapshot();
    for (const auto& r : data.repositories())
      if (keep(r)) repos.push_back(r);
    std::sort(repos.begin(), repos.end(), before);
    Rows out;
    for (const auto& r : repos) out.push_back(row_of(r));
    return out;
  }
  static bool newest_first(const Repository& a, const Repository& b) { return a.created_at > b.created_at; }
  static bool by_full_name(const Repository& a, const Repository& b) {
    std::string x = a.owner + "/" + a.name, y = b.owner + "/" + b.name;
    std::transform(x.begin(), x.end(), x.begin(), ::tolower);
    std::transform(y.begin(), y.end(), y.begin(), ::tolower);
    return x < y;
  }
  // path?query of each request, sorted (pages after the first are fetched side by side).
  std::vector<std::string> targets() const {
    std::vector<std::string> out;
    for (const auto& r : api_requests()) out.push_back(r.path + (r.query.empty() ? "" : "?" + r.query));
    std::sort(out.begin(), out.end());
    return out;
  }
  std::unique_ptr<Db> db_;
};

TEST_F(RepositoriesTest, AnOrganizationIsListedOverItsLinkPages) {
  Rows want = expected([](const Repository& r) { return r.owner == "bigcorp"; }, newest_first);
  ASSERT_EQ(want.size(), 230u);
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'bigcorp'"), want);
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"/orgs/bigcorp/repos?per_page=100", "/orgs/bigcorp/repos?per_page=100&page=2",
                                      "/orgs/bigcorp/repos?per_page=100&page=3"}));
  // The hidden input reports the value the query gave.
  EXPECT_EQ(db_->query("SELECT DISTINCT owner FROM repositories WHERE owner = 'BigCorp'"), (Rows{{"BigCorp"}}));
}

TEST_F(RepositoriesTest, AUserIsListedWhenTheOrganizationListingAnswers404) {
  Rows want = expected([](const Repository& r) { return r.owner == "octocat" && !r.is_private; }, by_full_name);
  ASSERT_EQ(want.size(), 2u);
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'octocat'"), want);
  std::vector<std::string> sent;
  for (const auto& r : api_requests()) sent.push_back(r.path + "?" + r.query);
  EXPECT_EQ(sent, (std::vector<std::string>{"/orgs/octocat/repos?per_page=100", "/users/octocat/repos?per_page=100"}));
}

// type = 'owner' is a user's type (its listing's default), which an organization's listing
// does not take: it was an error before any request, for a user too. Now the organization
// listing is asked without it, and its 404 hands the value to the user's listing.
TEST_F(RepositoriesTest, AUsersTypeGoesToTheUserListingAfterTheOrganizationListingAnswers404) {
  Rows want = expected([](const Repository& r) { return r.owner == "octocat" && !r.is_private; }, by_full_name);
  ASSERT_EQ(want.size(), 2u);
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'octocat' AND type = 'owner'"), want);
  EXPECT_EQ(targets(), (std::vector<std::string>{"/orgs/octocat/repos?per_page=100",
                                                 "/users/octocat/repos?type=owner&per_page=100"}));
  // Of an organization it is the error naming the organization's values, after one request.
  server_->clear_requests();
  const std::string err = db_->error("SELECT * FROM repositories WHERE owner = 'bigcorp' AND type = 'owner'");
  EXPECT_NE(err.find("GET /orgs/bigcorp/repos answered 200; type = 'owner' is not a value the API's "
                     "type parameter takes; valid values: all, public, private, forks, sources, member"),
            std::string::npos)
      << err;
  EXPECT_EQ(targets(), (std::vector<std::string>{"/orgs/bigcorp/repos?per_page=100"}));
}

TEST_F(RepositoriesTest, WithoutOwnerTheTokensOwnRepositoriesAreListed) {
  // Without a token there are none: the error says which variable to set.
  EXPECT_EQ(db_->error(kSelect),
            "repositories: GET /user/repos: 401 Unauthorized: Requires authentication (no token was sent: set "
            "GITHUB_TOKEN or GH_TOKEN)");
  server_->clear_requests();
  ScopedEnv token("GITHUB_TOKEN", std::string("ghp-own-repositories"));
  // The loopback server's token user is octocat, a member of every organization.
  Rows want = expected([](const Repository& r) { return r.owner == "octocat" || r.owner_type == "Organization"; },
                       by_full_name);
  ASSERT_EQ(want.size(), 3u + 230u + 1u);
  EXPECT_EQ(db_->query(kSelect), want);
  EXPECT_EQ(targets(), (std::vector<std::string>{"/user/repos?per_page=100", "/user/repos?per_page=100&page=2",
                                                 "/user/repos?per_page=100&page=3"}));
  // owner reads as the owner's login on rows of a listing without it, so it joins.
  server_->clear_requests();
  EXPECT_EQ(db_->query("SELECT owner, count(*) FROM repositories WHERE type = 'owner' GROUP BY owner"),
            (Rows{{"octocat", "3"}}));
  EXPECT_EQ(targets(), (std::vector<std::string>{"/user/repos?type=owner&per_page=100"}));
}

TEST_F(RepositoriesTest, TypeGoesToTheApi) {
  Rows want = expected([](const Repository& r) { return r.owner == "bigcorp" && r.is_fork; }, newest_first);
  ASSERT_EQ(want.size(), 32u);
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'bigcorp' AND type = 'forks'"), want);
  EXPECT_EQ(targets(), (std::vector<std::string>{"/orgs/bigcorp/repos?type=forks&per_page=100"}));

  // Each value of an IN list is its own listing.
  server_->clear_requests();
  EXPECT_EQ(db_->integer("SELECT count(*) FROM repositories WHERE owner = 'bigcorp' AND type IN ('public', 'private')"),
            230);
  EXPECT_EQ(targets(), (std::vector<std::string>{"/orgs/bigcorp/repos?type=private&per_page=100",
                                                 "/orgs/bigcorp/repos?type=public&per_page=100",
                                                 "/orgs/bigcorp/repos?type=public&per_page=100&page=2"}));
}

TEST_F(RepositoriesTest, ATypeTheListingDoesNotTakeIsAnErrorNamingTheValues) {
  std::string err = db_->error("SELECT * FROM repositories WHERE owner = 'bigcorp' AND type = 'fork'");
  EXPECT_NE(err.find("type = 'fork' is not a value the API's type parameter takes; valid values: all, public, "
                     "private, forks, sources, member"),
            std::string::npos)
      << err;
  EXPECT_TRUE(api_requests().empty());
  // A value only organizations take fails once the owner turns out to be a user.
  err = db_->error("SELECT * FROM repositories WHERE owner = 'octocat' AND type = 'forks'");
  EXPECT_NE(err.find("GET /orgs/octocat/repos answered 404; type = 'forks' is not a value the API's type parameter "
                     "takes; valid values: all, owner, member"),
            std::string::npos)
      << err;
  EXPECT_EQ(api_requests().size(), 1u);
}

TEST_F(RepositoriesTest, NameAndFullNameAreExact) {
  Rows want = expected([](const Repository& r) { return r.owner == "bigcorp" && r.name == "svc-042"; }, newest_first);
  ASSERT_EQ(want.size(), 1u);
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'bigcorp' AND name = 'svc-042'"), want);
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'bigcorp' AND full_name = 'bigcorp/svc-042'"), want);
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'bigcorp' AND name IN ('svc-042', 'svc-999')"), want);
  // Checked by SQLite over the owner's listing: no request of their own.
  for (const auto& r : api_requests()) EXPECT_EQ(r.path, "/orgs/bigcorp/repos");
  EXPECT_TRUE(db_->query(kSelect + "WHERE owner = 'bigcorp' AND name = 'svc-42'").empty());
}

TEST_F(RepositoriesTest, OwnerListsMixOrganizationsAndUsers) {
  db_->query("SELECT stacklite_config('max_concurrency', 1)");
  EXPECT_EQ(db_->query("SELECT owner, full_name FROM repositories WHERE owner IN ('octocat', 'acme') "
                       "ORDER BY full_name"),
            (Rows{{"acme", "acme/infra"}, {"octocat", "octocat/Hello-World"}, {"octocat", "octocat/dotfiles"}}));
  std::vector<std::string> sent;
  for (const auto& r : api_requests()) sent.push_back(r.path);
  EXPECT_EQ(sent, (std::vector<std::string>{"/orgs/acme/repos", "/orgs/octocat/repos", "/users/octocat/repos"}));
  // Side by side (the next owner's listing asked for ahead), the same rows and requests.
  db_->query("SELECT stacklite_config('max_concurrency', 4)");
  server_->clear_requests();
  EXPECT_EQ(db_->query("SELECT owner, full_name FROM repositories WHERE owner IN ('octocat', 'acme', 'bigcorp') "
                       "AND name IN ('infra', 'dotfiles', 'svc-001') ORDER BY full_name"),
            (Rows{{"acme", "acme/infra"}, {"bigcorp", "bigcorp/svc-001"}, {"octocat", "octocat/dotfiles"}}));
  EXPECT_EQ(targets(), (std::vector<std::string>{
                           "/orgs/acme/repos?per_page=100", "/orgs/bigcorp/repos?per_page=100",
                           "/orgs/bigcorp/repos?per_page=100&page=2", "/orgs/bigcorp/repos?per_page=100&page=3",
                           "/orgs/octocat/repos?per_page=100", "/users/octocat/repos?per_page=100"}));
}

TEST_F(RepositoriesTest, AnOwnerThatIsNeitherIsAnErrorNamingBothRequests) {
  std::string err = db_->error("SELECT * FROM repositories WHERE owner = 'nobody'");
  EXPECT_NE(err.find("repositories: GET /users/nobody/repos: 404 Not Found"), std::string::npos) << err;
  EXPECT_NE(err.find("(after GET /orgs/nobody/repos answered 404)"), std::string::npos) << err;
  // No token would have found it: the hint about private repositories is not given.
  EXPECT_EQ(err.find("no token was sent"), std::string::npos) << err;
}

TEST_F(RepositoriesTest, ReportsJoinRepositoriesToTheirRuns) {
  // Runs per repository of an organization, written as a join and as an IN subquery.
  const Rows want = {{"infra", "5"}};
  EXPECT_EQ(db_->query("SELECT r.name, count(w.id) FROM repositories r JOIN workflow_runs w "
                       "ON w.owner = r.owner_login AND w.repo = r.name WHERE r.owner = 'acme' GROUP BY r.name"),
            want);
  EXPECT_EQ(db_->query("SELECT repo, count(*) FROM workflow_runs WHERE owner = 'acme' "
                       "AND repo IN (SELECT name FROM repositories WHERE owner = 'acme') GROUP BY repo"),
            want);
}

}  // namespace
}  // namespace stacklite::testing
