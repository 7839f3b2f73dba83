// Route patterns shared by the fakes' route tables: "/repos/{owner}/{repo}/actions/runs"
// matched against a request path, binding each {name} to its percent-decoded segment.
#pragma once

#include <string>
#include <vector>

namespace stacklite::testserver {

// The path parameters a pattern binds; "" when the pattern has none of that name.
struct PathArgs {
  std::string owner, repo, workflow, run_id, attempt, job_id, artifact_id;
  std::string action;  // the path's last segment, e.g. "cancel" or "rerun-failed-jobs"
};

// "/a/b" -> {"a", "b"}; every segment percent-decoded.
std::vector<std::string> path_segments(const std::string& raw_path);
// Binds the pattern's {names} (owner, repo, workflow, run_id, attempt, job_id, artifact_id) to the
// segments; false, leaving args alone, when the path has another shape.
bool match_path(const std::string& pattern, const std::vector<std::string>& segments, PathArgs& args);

}  // namespace stacklite::testserver
