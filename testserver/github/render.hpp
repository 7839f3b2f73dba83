// Internal to github/: GitHub's JSON for runs, jobs, workflows, users, repositories and
// deployments, member by member in the order GitHub sends them.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "dataset.hpp"
#include "server/json_writer.hpp"

namespace stacklite::testserver {

struct UrlBases {
  std::string api;   // "http://127.0.0.1:PORT/api/v3"
  std::string html;  // "https://github.com"
  std::string git_host;
};
UrlBases make_bases(const std::string& api, const std::string& html);

// One per request: caches the repository objects, identical for every run of a
// repository and two thirds of each run's bytes.
class Renderer {
 public:
  Renderer(const Dataset& data, const UrlBases& bases) : data_(data), bases_(bases) {}

  // render_run.cpp
  void run(std::string& out, const Run& r, bool include_prs);
  void job(std::string& out, const Run& r, int k);  // k: 1 build, 2 test, 3 lint
  void workflow(JsonWriter& w, const Repository& repo, const Workflow& wf);
  void deployment(JsonWriter& w, const Run& run, int64_t environment_id, const std::string& comment,
                  const std::string& now);

  // render_artifact.cpp
  void artifact(JsonWriter& w, const Artifact& a);

  // render_repository.cpp
  void user(JsonWriter& w, const char* key, const std::string& login, int64_t id, const std::string& type);
  const Repository& repository_of(const Run& r);
  // A repository as repository listings show it (GitHub's minimal-repository).
  void repository_item(std::string& out, const Repository& repo);

 private:
  void pull_request(JsonWriter& w, const Repository& repo, const Repository& head, const Run& r, int number);
  void small_repo(JsonWriter& w, const Repository& repo);
  void head_commit(JsonWriter& w, const Run& r);
  const std::string& repository_json(const Repository& repo, bool head_style);
  std::string api_url_of(const Repository& repo) const { return bases_.api + "/repos/" + repo.owner + "/" + repo.name; }

  struct CachedRepository {
    int64_t id;
    bool head_style;
    std::string json;
  };
  const Dataset& data_;
  const UrlBases& bases_;
  std::deque<CachedRepository> repo_cache_;  // deque: references stay valid as it grows
  const Repository* last_repo_ = nullptr;
};

}  // namespace stacklite::testserver
