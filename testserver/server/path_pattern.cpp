// Route patterns: splitting request paths and binding {names} to their segments.
#include "server/path_pattern.hpp"

#include <stdexcept>

#include "server/exchange.hpp"

namespace stacklite::testserver {

namespace {

std::vector<std::string> split(const std::string& path) {  // "/a/b" -> {"a", "b"}
  std::vector<std::string> out;
  size_t pos = path.empty() ? 0 : 1;
  for (;;) {
    const size_t slash = path.find('/', pos);
    out.push_back(path.substr(pos, slash - pos));
    if (slash == std::string::npos) return out;
    pos = slash + 1;
  }
}

}  // namespace

std::vector<std::string> path_segments(const std::string& raw_path) {
  std::vector<std::string> out = split(raw_path);
  for (auto& s : out) s = decode_path_segment(s);
  return out;
}

bool match_path(const std::string& pattern, const std::vector<std::string>& segments, PathArgs& args) {
  const std::vector<std::string> parts = split(pattern);
  if (parts.size() != segments.size()) return false;
  PathArgs bound;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p.empty() || p[0] != '{') {
      if (p != segments[i]) return false;
      continue;
    }
    const std::string name = p.substr(1, p.size() - 2);
    std::string* slot = name == "owner"         ? &bound.owner
                        : name == "repo"        ? &bound.repo
                        : name == "workflow"    ? &bound.workflow
                        : name == "run_id"      ? &bound.run_id
                        : name == "attempt"     ? &bound.attempt
                        : name == "job_id"      ? &bound.job_id
                        : name == "artifact_id" ? &bound.artifact_id
                                                : nullptr;
    if (!slot) throw std::logic_error("route pattern " + pattern + " binds an unknown name");
    *slot = segments[i];
  }
  bound.action = segments.back();
  args = std::move(bound);
  return true;
}

}  // namespace stacklite::testserver
