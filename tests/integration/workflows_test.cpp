// The workflows table: a repository's workflows over Link pages, `id = ?` (or a file name)
// as one GET, filters SQLite applies, missing inputs and a missing repository as errors,
// and the join from repositories.
#include <algorithm>

#include "harness.hpp"

using ::testing::internal::CaptureStderr;
using ::testing::internal::GetCapturedStderr;

namespace stacklite::testing {
namespace {

using testserver::Repository;
using testserver::Workflow;

const char* const kStates[] = {"active", "disabled_manually", "disabled_inactivity", "active", "disabled_fork"};

// octo-org/octo-repo with runs and two workflows, and octo-org/monorepo with 130 workflows
// in every state (two pages of 100).
Dataset workflows_dataset() {
  Dataset data = small_dataset("octo-org", "octo-repo", 5);
  Repository mono;
  mono.owner = "octo-org";
  mono.name = "monorepo";
  mono.id = 2000;
  mono.default_branch = "trunk";
  for (int i = 1; i <= 130; ++i) {
    Workflow wf;
    wf.id = 300000 + i;
    wf.name = "Service " + std::to_string(i);
    wf.path = ".github/workflows/service-" + std::to_string(i) + ".yml";
    wf.state = kStates[i % 5];
    wf.created_at = testserver::format_timestamp(1700000000 + 3600LL * i);
    wf.updated_at = testserver::format_timestamp(1710000000 + 7200LL * i);
    mono.workflows.push_back(wf);
  }
  data.add_repository(mono);
  return data;
}

class WorkflowsTest : public ServerTest {
 protected:
  void SetUp() override {
    serve(workflows_dataset());
    db_ = connect();
  }
  // The columns kSelect names, for the workflows of owner/repo that `keep` selects.
  template <class Keep>
  Rows expected(const std::string& owner, const std::string& repo, Keep keep) const {
    const Dataset data = server_->snapshot();
    const Repository* r = data.find_repository(owner, repo);
    Rows out;
    for (const Workflow& wf : r->workflows)
      if (keep(wf))
        out.push_back(
            {std::to_string(wf.id), wf.name, wf.path, wf.state, wf.created_at, wf.updated_at,
             server_->base_url() + "/repos/" + owner + "/" + repo + "/actions/workflows/" + std::to_string(wf.id),
             "https://github.com/" + owner + "/" + repo + "/blob/" + r->default_branch + "/" + wf.path});
    return out;
  }
  std::vector<std::string> targets() const {
    std::vector<std::string> out;
    for (const auto& r : api_requests()) out.push_back(r.path + (r.query.empty() ? "" : "?" + r.query));
    std::sort(out.begin(), out.end());
    return out;
  }
  const std::string kSelect = "SELECT id, name, path, state, created_at, updated_at, url, html_url FROM workflows ";
  std::unique_ptr<Db> db_;
};

TEST_F(WorkflowsTest, ARepositorysWorkflowsAreListedOverItsPages) {
  Rows want = expected("octo-org", "monorepo", [](const Workflow&) { return true; });
  ASSERT_EQ(want.size(), 130u);
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'octo-org' AND repo = 'monorepo'"), want);
  EXPECT_EQ(targets(), (std::vector<std::string>{"/repos/octo-org/monorepo/actions/workflows?per_page=100",
                                                 "/repos/octo-org/monorepo/actions/workflows?per_page=100&page=2"}));
  // Every row has a node id and a badge.
  EXPECT_EQ(db_->integer("SELECT count(*) FROM workflows WHERE owner = 'octo-org' AND repo = 'monorepo' "
                         "AND node_id != '' AND badge_url LIKE 'https://github.com/octo-org/monorepo/%badge.svg' "
                         "AND deleted_at IS NULL"),
            130);
}

TEST_F(WorkflowsTest, StateAndPathAreCheckedBySqliteOverTheListing) {
  Rows want = expected("octo-org", "monorepo", [](const Workflow& wf) { return wf.state != "active"; });
  ASSERT_EQ(want.size(), 78u);
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'octo-org' AND repo = 'monorepo' AND state != 'active'"), want);
  server_->clear_requests();
  want =
      expected("octo-org", "monorepo", [](const Workflow& wf) { return wf.path == ".github/workflows/service-7.yml"; });
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'octo-org' AND repo = 'monorepo' AND "
                                 "path = '.github/workflows/service-7.yml'"),
            want);
  for (const auto& r : api_requests()) EXPECT_EQ(r.path, "/repos/octo-org/monorepo/actions/workflows");
}

TEST_F(WorkflowsTest, IdIsOneGetByNumberOrFileName) {
  Rows want = expected("octo-org", "monorepo", [](const Workflow& wf) { return wf.id == 300042; });
  ASSERT_EQ(want.size(), 1u);
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'octo-org' AND repo = 'monorepo' AND id = 300042"), want);
  EXPECT_EQ(targets(), (std::vector<std::string>{"/repos/octo-org/monorepo/actions/workflows/300042"}));

  // A file name or its path reads the workflow by name; the row carries the numeric id.
  for (const char* where :
       {"id = 'service-42.yml'", "workflow = 'service-42.yml'", "workflow = '.github/workflows/service-42.yml'"}) {
    SCOPED_TRACE(where);
    server_->clear_requests();
    EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'octo-org' AND repo = 'monorepo' AND " + where), want);
    EXPECT_EQ(targets(), (std::vector<std::string>{"/repos/octo-org/monorepo/actions/workflows/service-42.yml"}));
  }

  // An id list reads each; an unknown id is no row.
  server_->clear_requests();
  want = expected("octo-org", "monorepo", [](const Workflow& wf) { return wf.id == 300001 || wf.id == 300130; });
  EXPECT_EQ(db_->query(kSelect + "WHERE owner = 'octo-org' AND repo = 'monorepo' AND id IN (300130, 300001, 1) "
                                 "ORDER BY id"),
            want);
  EXPECT_EQ(targets(), (std::vector<std::string>{"/repos/octo-org/monorepo/actions/workflows/1",
                                                 "/repos/octo-org/monorepo/actions/workflows/300001",
                                                 "/repos/octo-org/monorepo/actions/workflows/300130"}));
}

// Two values naming the workflow (a file name and an id, the same file twice) was "no query
// solution": now the name is read and the id checked on its row (a name goes to the API, a
// number cannot be told from a file name); a pair that disagrees is no row.
TEST_F(WorkflowsTest, AFileNameAndAnIdTogetherAreOneGetCheckedAgainstEachOther) {
  Rows want = expected("octo-org", "monorepo", [](const Workflow& wf) { return wf.id == 300042; });
  ASSERT_EQ(want.size(), 1u);
  const std::string from = kSelect + "WHERE owner = 'octo-org' AND repo = 'monorepo' AND ";
  for (const char* where :
       {"workflow = 'service-42.yml' AND id = 300042", "id = 300042 AND workflow = 'service-42.yml'",
        "workflow = '.github/workflows/service-42.yml' AND id = 'service-42.yml'"}) {
    SCOPED_TRACE(where);
    server_->clear_requests();
    EXPECT_EQ(db_->query(from + where), want);
    EXPECT_EQ(targets(), (std::vector<std::string>{"/repos/octo-org/monorepo/actions/workflows/service-42.yml"}));
  }
  // With an id list, the workflow is read once for each id (each checked on its row).
  server_->clear_requests();
  EXPECT_EQ(db_->query(from + "workflow = 'service-42.yml' AND id IN (300042, 300043)"), want);
  EXPECT_EQ(api_requests().size(), 2u);
  EXPECT_EQ(db_->query(from + "workflow = 'service-42.yml' AND id = 300043"), Rows{});
  server_->clear_requests();
  EXPECT_EQ(db_->query(from + "workflow = 'service-42.yml' AND id = 'service-43.yml'"), Rows{});
  EXPECT_TRUE(api_requests().empty());
  // The input reports the value given.
  EXPECT_EQ(db_->query("SELECT workflow FROM workflows WHERE owner = 'octo-org' AND repo = 'monorepo' AND workflow = "
                       "'service-42.yml' AND id = 300042"),
            (Rows{{"service-42.yml"}}));
}

TEST_F(WorkflowsTest, MissingInputsAndAMissingRepositoryAreErrors) {
  std::string err = db_->error("SELECT * FROM workflows WHERE owner = 'octo-org'");
  EXPECT_EQ(err,
            "workflows: owner and repo are required: add them to the WHERE clause, e.g. SELECT * FROM workflows "
            "WHERE owner = 'octo-org' AND repo = 'octo-repo'");
  EXPECT_TRUE(api_requests().empty());
  err = db_->error("SELECT * FROM workflows WHERE owner = 'octo-org' AND repo = 'gone'");
  EXPECT_NE(err.find("workflows: GET /repos/octo-org/gone/actions/workflows: 404 Not Found: Not Found"),
            std::string::npos)
      << err;
}

TEST_F(WorkflowsTest, OwnerAndRepoListsAreOneListingEach) {
  Rows want = expected("octo-org", "octo-repo", [](const Workflow&) { return true; });
  for (const auto& row : expected("octo-org", "monorepo", [](const Workflow& wf) { return wf.state == "active"; }))
    want.push_back(row);
  std::sort(want.begin(), want.end());
  ASSERT_EQ(want.size(), 2u + 52u);
  for (const std::string& where :
       {std::string("owner = 'octo-org' AND repo IN ('octo-repo', 'monorepo')"),
        std::string("owner IN ('octo-org') AND (repo = 'monorepo' OR repo = 'octo-repo')"),
        std::string("owner = 'octo-org' AND repo IN (SELECT name FROM repositories WHERE owner = 'octo-org')")}) {
    SCOPED_TRACE(where);
    server_->clear_requests();
    Rows got = db_->query(kSelect + "WHERE " + where + " AND state = 'active'");
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
    std::vector<std::string> listed;
    for (const auto& r : api_requests())
      if (r.path.find("/actions/workflows") != std::string::npos) listed.push_back(r.path + "?" + r.query);
    std::sort(listed.begin(), listed.end());
    EXPECT_EQ(listed, (std::vector<std::string>{"/repos/octo-org/monorepo/actions/workflows?per_page=100",
                                                "/repos/octo-org/monorepo/actions/workflows?per_page=100&page=2",
                                                "/repos/octo-org/octo-repo/actions/workflows?per_page=100"}));
  }
}

TEST_F(WorkflowsTest, AGoneRepositoryInAListFailsOrIsSkippedAsOnMissingSays) {
  const std::string sql = kSelect + "WHERE owner = 'octo-org' AND repo IN ('octo-repo', 'gone', 'monorepo')";
  std::string err = db_->error(sql);
  EXPECT_EQ(err.rfind("workflows: GET /repos/octo-org/gone/actions/workflows: 404 Not Found: Not Found", 0), 0u) << err;
  EXPECT_NE(err.find("SELECT stacklite_config('on_missing', 'skip')"), std::string::npos) << err;

  db_->query("SELECT stacklite_config('on_missing', 'skip')");
  Rows want = expected("octo-org", "octo-repo", [](const Workflow&) { return true; });
  for (const auto& row : expected("octo-org", "monorepo", [](const Workflow&) { return true; })) want.push_back(row);
  std::sort(want.begin(), want.end());
  CaptureStderr();
  Rows got = db_->query(sql);
  const std::string said = GetCapturedStderr();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(said,
            "stacklite: workflows: skipped octo-org/gone: GET /repos/octo-org/gone/actions/workflows: 404 Not Found: "
            "Not Found (on_missing is 'skip')\n");
}

TEST_F(WorkflowsTest, RepositoriesJoinTheirWorkflows) {
  // Disabled workflows across an organization, as a join from its repositories.
  Rows want;
  const Dataset data = server_->snapshot();
  for (const auto& repo : data.repositories())
    for (const Workflow& wf : repo.workflows)
      if (repo.owner == "octo-org" && wf.state.rfind("disabled", 0) == 0) want.push_back({repo.name, wf.path});
  std::sort(want.begin(), want.end());
  ASSERT_EQ(want.size(), 78u);
  EXPECT_EQ(db_->query("SELECT r.name, w.path FROM repositories r JOIN workflows w "
                       "ON w.owner = r.owner_login AND w.repo = r.name "
                       "WHERE r.owner = 'octo-org' AND w.state LIKE 'disabled%' ORDER BY 1, 2"),
            want);
}

}  // namespace
}  // namespace stacklite::testing
