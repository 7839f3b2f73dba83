// The run store: repositories and their runs, looked up case-insensitively as on GitHub
// and kept oldest first, so that GitHub's newest-first listing is the stored order reversed.
#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <tuple>

#include "dataset.hpp"

namespace stacklite::testserver {

namespace {

bool iequals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool older(const Run& a, const Run& b) { return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id); }
bool older_artifact(const Artifact& a, const Artifact& b) {
  return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
}

}  // namespace

size_t Dataset::index_of(const std::string& owner, const std::string& repo) const {
  for (size_t i = 0; i < repos_.size(); ++i)
    if (iequals(repos_[i].owner, owner) && iequals(repos_[i].name, repo)) return i;
  return std::string::npos;
}

void Dataset::add_repository(Repository repo) {
  size_t i = index_of(repo.owner, repo.name);
  if (i != std::string::npos) {
    repos_[i] = std::move(repo);
    return;
  }
  repos_.push_back(std::move(repo));
  runs_.emplace_back();
  artifacts_.emplace_back();
}

void Dataset::add_run(Run run) {
  size_t i = index_of(run.owner, run.repo);
  if (i == std::string::npos) throw std::invalid_argument("add_run: unknown repository " + run.owner + "/" + run.repo);
  if (run.repository_id == 0) run.repository_id = repos_[i].id;
  if (run.head_repository_id == 0) run.head_repository_id = run.repository_id;
  auto& runs = runs_[i];
  if (runs.empty() || !older(run, runs.back())) {
    runs.push_back(std::move(run));
  } else {
    runs.insert(std::upper_bound(runs.begin(), runs.end(), run, older), std::move(run));
  }
}

const Repository* Dataset::find_repository(const std::string& owner, const std::string& repo) const {
  size_t i = index_of(owner, repo);
  return i == std::string::npos ? nullptr : &repos_[i];
}

const Repository* Dataset::find_repository(int64_t id) const {
  for (const auto& r : repos_)
    if (r.id == id) return &r;
  return nullptr;
}

const Workflow* Dataset::find_workflow(const std::string& owner, const std::string& repo,
                                       const std::string& id_or_file) const {
  const Repository* r = find_repository(owner, repo);
  if (!r || id_or_file.empty()) return nullptr;
  const bool numeric = std::all_of(id_or_file.begin(), id_or_file.end(),
                                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  for (const auto& w : r->workflows) {
    if (numeric) {
      if (std::to_string(w.id) == id_or_file) return &w;
    } else {
      size_t slash = w.path.rfind('/');
      if (w.path.compare(slash == std::string::npos ? 0 : slash + 1, std::string::npos, id_or_file) == 0) return &w;
    }
  }
  return nullptr;
}

std::vector<Run> Dataset::runs_for(const std::string& owner, const std::string& repo) const {
  const auto* runs = stored_runs(owner, repo);
  if (!runs) return {};
  return std::vector<Run>(runs->rbegin(), runs->rend());
}

const std::vector<Run>* Dataset::stored_runs(const std::string& owner, const std::string& repo) const {
  size_t i = index_of(owner, repo);
  return i == std::string::npos ? nullptr : &runs_[i];
}

const Run* Dataset::find_run(const std::string& owner, const std::string& repo, int64_t id) const {
  return const_cast<Dataset*>(this)->find_run(owner, repo, id);
}

Run* Dataset::find_run(const std::string& owner, const std::string& repo, int64_t id) {
  size_t i = index_of(owner, repo);
  if (i == std::string::npos) return nullptr;
  for (auto& run : runs_[i])
    if (run.id == id) return &run;
  return nullptr;
}

bool Dataset::remove_run(const std::string& owner, const std::string& repo, int64_t id) {
  size_t i = index_of(owner, repo);
  if (i == std::string::npos) return false;
  auto& runs = runs_[i];
  auto it = std::find_if(runs.begin(), runs.end(), [id](const Run& r) { return r.id == id; });
  if (it == runs.end()) return false;
  runs.erase(it);
  // As on GitHub, a run's artifacts go with it.
  auto& artifacts = artifacts_[i];
  artifacts.erase(
      std::remove_if(artifacts.begin(), artifacts.end(), [id](const Artifact& a) { return a.run_id == id; }),
      artifacts.end());
  return true;
}

void Dataset::sort_runs() {
  for (auto& runs : runs_)
    if (!std::is_sorted(runs.begin(), runs.end(), older)) std::stable_sort(runs.begin(), runs.end(), older);
}

size_t Dataset::run_count() const {
  size_t n = 0;
  for (const auto& runs : runs_) n += runs.size();
  return n;
}

int64_t Dataset::max_run_id() const {
  int64_t id = 0;
  for (const auto& runs : runs_)
    for (const auto& r : runs) id = std::max(id, r.id);
  return id;
}

void Dataset::add_artifact(Artifact artifact) {
  size_t i = index_of(artifact.owner, artifact.repo);
  if (i == std::string::npos)
    throw std::invalid_argument("add_artifact: unknown repository " + artifact.owner + "/" + artifact.repo);
  auto& artifacts = artifacts_[i];
  artifacts.insert(std::upper_bound(artifacts.begin(), artifacts.end(), artifact, older_artifact), std::move(artifact));
}

std::vector<Artifact> Dataset::artifacts_for(const std::string& owner, const std::string& repo) const {
  size_t i = index_of(owner, repo);
  if (i == std::string::npos) return {};
  return std::vector<Artifact>(artifacts_[i].rbegin(), artifacts_[i].rend());
}

const Artifact* Dataset::find_artifact(const std::string& owner, const std::string& repo, int64_t id) const {
  size_t i = index_of(owner, repo);
  if (i == std::string::npos) return nullptr;
  for (const auto& a : artifacts_[i])
    if (a.id == id) return &a;
  return nullptr;
}

bool Dataset::remove_artifact(const std::string& owner, const std::string& repo, int64_t id) {
  size_t i = index_of(owner, repo);
  if (i == std::string::npos) return false;
  auto& artifacts = artifacts_[i];
  auto it = std::find_if(artifacts.begin(), artifacts.end(), [id](const Artifact& a) { return a.id == id; });
  if (it == artifacts.end()) return false;
  artifacts.erase(it);
  return true;
}

size_t Dataset::artifact_count() const {
  size_t n = 0;
  for (const auto& artifacts : artifacts_) n += artifacts.size();
  return n;
}

}  // namespace stacklite::testserver
