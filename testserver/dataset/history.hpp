// Internal to dataset/: the plans the history simulator replays (repositories, workflows,
// team, trigger mix), its PRNG, and the vocabulary it draws names and messages from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataset.hpp"

namespace stacklite::testserver::history {

// Days since 1970-01-01 of a proleptic Gregorian date (timestamp.cpp).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

// splitmix64: tiny, fast, and fully specified, unlike the standard distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int64_t range(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  bool chance(double p) { return unit() < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[next() % v.size()];
  }
  size_t weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = unit() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }
  std::string hex(int n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n);
    uint64_t bits = 0;
    for (int i = 0; i < n; ++i) {
      if (i % 16 == 0) bits = next();
      out += digits[bits & 15];
      bits >>= 4;
    }
    return out;
  }

 private:
  uint64_t state_;
};

struct Person {
  std::string login;
  int64_t id;
};

// The vocabulary (vocabulary.cpp): invented people, bots, pull-request topics, commit
// messages and dependency bumps.
const std::vector<Person>& humans();
inline const Person kDepsBot{"deps-bot[bot]", 49699517};
inline const Person kCiBot{"ci-bot[bot]", 41898406};

// End of the demo history: runs after it are "now" and still active.
inline const int64_t kEnd = days_from_civil(2026, 11, 20) * 86400 + 18 * 3600;
inline const int kFullSpanDays = 273;

struct WorkflowPlan {
  Workflow wf;
  int first_run_number = 1;
  bool on_push = false;
  bool on_pull_request = false;
  bool on_dispatch = false;
  bool on_release = false;
  int schedule_every_days = 0;  // 1 daily, 7 weekly (Mondays)
  int schedule_minute = 0;      // of the day, UTC
  int min_seconds = 120, max_seconds = 600;
  double failure_rate = 0.1;
  double skip_rate = 0.01;
  bool deploys = false;  // active runs wait for an environment
};

struct Topic {
  std::string title, slug;
};

struct RepoPlan {
  Repository repo;
  std::vector<WorkflowPlan> workflows;
  int target_runs = 0;
  int span_days = kFullSpanDays;
  std::vector<size_t> team;                 // indices into humans(); first ones are maintainers
  std::vector<std::string> other_branches;  // pushed to besides the default one
  // Trigger weights: push default, pull request, fork pull request, push other, dispatch,
  // dependency-bump bot, release.
  std::vector<double> weights = {40, 30, 3, 8, 6, 6, 2};
  int first_pr = 100;
  int version_major = 1, version_minor = 0;
};

enum Kind {
  kPushDefault,
  kPullRequest,
  kForkPullRequest,
  kPushOther,
  kDispatch,
  kDepsBotPullRequest,
  kRelease,
  kSchedule,
};

const std::vector<Topic>& topics();
const std::vector<std::string>& commit_subjects();
const std::vector<std::string>& commit_bodies();

struct Dependency {
  std::string ecosystem, package, from, to;
};
const std::vector<Dependency>& dependencies();

// Simulates every plan, then hands out ids in creation order across all repositories,
// as GitHub's global id sequence does, and run numbers per workflow (simulation.cpp).
Dataset assemble(const std::vector<RepoPlan>& plans, uint64_t seed);

}  // namespace stacklite::testserver::history
