// The artifacts completed runs uploaded: what each run left behind (a build, its test
// results, sometimes a coverage report) drawn from the run's id, so every machine serves
// the same names, sizes, digests and expiry for the same runs.
#include <algorithm>

#include "dataset.hpp"
#include "dataset/history.hpp"

namespace stacklite::testserver {

namespace {

struct Kind {
  const char* name;
  int64_t min_bytes, max_bytes;
  bool on_failure;  // uploaded by failed runs as well
};

// upload-artifact's retention-days as repositories set it, in days.
constexpr int kRetentionDays[] = {1, 3, 30, 90};

}  // namespace

void add_run_artifacts(Dataset& data, const std::string& now) {
  static const Kind kinds[] = {{"dist", 2'000'000, 40'000'000, false},
                               {"test-results", 40'000, 2'000'000, true},
                               {"coverage-report", 300'000, 6'000'000, false}};
  int64_t now_s = 0;
  parse_timestamp(now, now_s);
  int64_t next_id = 8'000'001;
  for (const auto& repo : data.repositories())
    for (const auto& a : data.artifacts_for(repo.owner, repo.name)) next_id = std::max(next_id, a.id + 1);
  for (const auto& repo : data.repositories()) {
    for (const auto& run : *data.stored_runs(repo.owner, repo.name)) {
      const bool failed = run.conclusion == "failure";
      if (run.status != "completed" || (run.conclusion != "success" && !failed)) continue;
      history::Rng rng(0xA57F'AC75ULL ^ static_cast<uint64_t>(run.id));
      for (const Kind& k : kinds) {
        if (failed && !k.on_failure) continue;
        if (&k == &kinds[2] && !rng.chance(0.4)) continue;  // coverage, on some runs
        Artifact a;
        a.id = next_id++;
        a.owner = repo.owner;
        a.repo = repo.name;
        a.name = k.name;
        a.size_in_bytes = rng.range(k.min_bytes, k.max_bytes);
        a.run_id = run.id;
        a.head_branch = run.head_branch;
        a.head_sha = run.head_sha;
        a.repository_id = run.repository_id;
        a.head_repository_id = run.head_repository_id;
        a.created_at = a.updated_at = run.updated_at;
        int64_t created = 0;
        parse_timestamp(a.created_at, created);
        const int64_t expires = created + 86400LL * kRetentionDays[rng.range(0, 3)];
        a.expires_at = format_timestamp(expires);
        a.expired = expires <= now_s;
        if (!rng.chance(0.2)) a.digest = "sha256:" + rng.hex(64);
        data.add_artifact(std::move(a));
      }
    }
  }
}

}  // namespace stacklite::testserver
