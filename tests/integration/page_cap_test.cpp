// The page cap: a page of up to 32 MiB (decoded) arrives whole, however large one cell of
// it is; a larger one is an error naming the cap, never a short or truncated row.
#include "harness.hpp"

namespace stacklite::testing {
namespace {

class PageCapTest : public ServerTest {};

TEST_F(PageCapTest, AHugeCellArrivesWholeAndAPageOverTheCapIsAnError) {
  Dataset data = small_dataset("octo-org", "octo-repo", 3);
  auto runs = data.runs_for("octo-org", "octo-repo");
  ASSERT_EQ(runs.size(), 3u);
  const int64_t big = runs[0].id, too_big = runs[1].id;
  const std::string title = std::string(31u << 20, 'x') + "end";
  data.find_run("octo-org", "octo-repo", big)->display_title = title;
  data.find_run("octo-org", "octo-repo", too_big)->display_title = std::string(33u << 20, 'y');
  serve(std::move(data));
  auto db = connect();
  std::string where = " FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = ";
  EXPECT_EQ(
      db->query(
          "SELECT length(display_title), substr(display_title, -4), display_title = 'x' || substr(display_title, 2)" +
          where + std::to_string(big)),
      (Rows{{std::to_string(title.size()), "xend", "1"}}));
  // The default retries stand: a page over the cap is asked for once, not downloaded again.
  server_->clear_requests();
  std::string err = db->error("SELECT length(display_title)" + where + std::to_string(too_big));
  EXPECT_EQ(api_requests().size(), 1u);
  EXPECT_NE(err.find("workflow_runs: GET /repos/octo-org/octo-repo/actions/runs/" + std::to_string(too_big) +
                     ": response larger than 32 MiB"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace stacklite::testing
