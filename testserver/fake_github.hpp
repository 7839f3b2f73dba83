// The loopback GitHub: answers like GitHub's Actions REST API (workflow runs, jobs,
// workflows, logs, the write endpoints) for the integration tests, the benchmarks and the
// demo server, with request recording, fault injection and state changes.
// The parts live in github/ (API surface, listings, writes, rendering), server/ (the HTTP
// host, faults, listing mechanics shared with fake_shithub) and dataset/ (what exists).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dataset.hpp"
#include "server/fault.hpp"
#include "server/recorded_request.hpp"

namespace stacklite::testserver {

// A repository whose runs change while a client pages through them: before answering each
// listing of it, the server creates `inserts` new runs (the newest, each a copy of a random
// run under a new id) and deletes `deletes` random runs. Ids only grow, so a run with an
// id above the largest at the start is one created meanwhile.
struct BusyRepository {
  std::string owner, repo;  // "" for none
  int inserts = 0;
  int deletes = 0;
  uint64_t seed = 1;
};

// Hostile pagination: rel="next" that leads back instead of on.
enum class LinkLoop {
  None,
  SameUrl,      // every page's next is the URL just requested
  EarlierPage,  // from page 3 on, next points to the page before
};

struct Options {
  int port = 0;                          // 0: an ephemeral port
  std::string path_prefix;               // "" or GitHub Enterprise style "/api/v3"
  std::string required_token;            // when set: 401 unless "Authorization: Bearer <token>"
  std::string viewer_login = "octocat";  // the token's user: /user/repos lists its own and its organizations'
  int result_cap = 1000;                 // filtered listings page no further than this
  std::string link_base_override;        // origin for Link URLs, e.g. "http://127.0.0.2:9"
  int rate_limit = 5000;                 // x-ratelimit-limit
  bool enforce_rate_limit = false;       // 403 "API rate limit exceeded" once the budget is spent
  int threads = 8;                       // connections served at once (each kept-alive connection holds one)
  int latency_ms = 0;                    // every request waits this long before it is answered (network latency)
  // Unfiltered listings page no further than this many results (page x per_page), as
  // github.com stops at about 40,000: rel="last" ends there, total_count still counts every
  // run, and a page beyond answers 422 "... pagination is limited for this resource.". 0: no limit.
  int unfiltered_page_limit = 0;
  BusyRepository busy;
  LinkLoop link_loop = LinkLoop::None;
};

class FakeGitHub {
 public:
  // Listening on 127.0.0.1 before the constructor returns; throws std::runtime_error when
  // the port cannot be bound.
  explicit FakeGitHub(Dataset data, Options opts = {});
  // Stops promptly: interrupts stalls and drops idle keep-alive connections.
  ~FakeGitHub();
  FakeGitHub(const FakeGitHub&) = delete;
  FakeGitHub& operator=(const FakeGitHub&) = delete;

  int port() const;
  std::string origin() const;    // "http://127.0.0.1:PORT"
  std::string base_url() const;  // origin() + path_prefix: what GITHUB_API_URL would hold

  std::vector<RecordedRequest> requests() const;
  void clear_requests();

  // The next `count` requests whose target (path?query, as received) contains
  // path_contains get the fault; rules apply in the order they were injected.
  void inject(Fault fault, int count = 1, std::string path_contains = "");
  void clear_faults();

  // A copy of what is being served, to compute expected results from.
  Dataset snapshot() const;
  // Edits the served data in place (under the server's lock).
  void with_dataset(const std::function<void(Dataset&)>& edit);

  int connections_accepted() const;  // TCP connections accepted so far
  int rate_limit_remaining() const;
  int max_in_flight() const;  // the most requests handled at once so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One run as GitHub's workflow-run JSON, with API URLs under api_base (as in
// base_url()) and web URLs under html_base.
std::string render_workflow_run(const Dataset& data, const Run& run, const std::string& api_base,
                                bool include_pull_requests = true, const std::string& html_base = "https://github.com");

}  // namespace stacklite::testserver
