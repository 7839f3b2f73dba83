// The run store and the generators: a simulated history of pushes, pull requests,
// schedules, dispatches and releases, replayed from a fixed seed with our own PRNG.
#include "dataset.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <tuple>

namespace stacklite::testserver {

// ---------------------------------------------------------------------------------------
// Time: civil date <-> days since 1970-01-01, so output does not depend on the C library.

namespace {

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool read_digits(const std::string& s, size_t pos, size_t n, int& value) {
  if (pos + n > s.size()) return false;
  value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

unsigned days_in_month(int y, int m) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

}  // namespace

std::string format_timestamp(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m, d,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

bool parse_timestamp(const std::string& s, int64_t& t) {
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!read_digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !read_digits(s, 5, 2, mo) || s[7] != '-' ||
      !read_digits(s, 8, 2, d))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo)) return false;
  if (s.size() != 10) {
    if (s.size() != 20 || s[10] != 'T' || !read_digits(s, 11, 2, h) || s[13] != ':' || !read_digits(s, 14, 2, mi) ||
        s[16] != ':' || !read_digits(s, 17, 2, se) || s[19] != 'Z')
      return false;
    if (h > 23 || mi > 59 || se > 59) return false;
  }
  t = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + se;
  return true;
}

// ---------------------------------------------------------------------------------------
// Dataset

namespace {

bool iequals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool older(const Run& a, const Run& b) { return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id); }

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

// ---------------------------------------------------------------------------------------
// Generators

namespace {

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

const std::vector<Person>& humans() {
  static const std::vector<Person> people = {
      {"riverstone", 583417},       {"marigold-k", 2918604},       {"quietloop", 480977},
      {"nightowl-dev", 31840337},   {"pixel-pusher", 18320942},    {"byte-wrangler", 7204112},
      {"cloud-gardener", 41237701}, {"test-pilot", 12771093},      {"lint-lover", 30219854},
      {"release-captain", 5562310}, {"merge-queue-fan", 66120345}, {"yaml-whisperer", 90431277},
  };
  return people;
}
const Person kDepsBot{"deps-bot[bot]", 49699517};
const Person kCiBot{"ci-bot[bot]", 41898406};

// End of the demo history: runs after it are "now" and still active.
const int64_t kEnd = days_from_civil(2026, 11, 20) * 86400 + 18 * 3600;
const int kFullSpanDays = 273;

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

const std::vector<Topic>& topics() {
  static const std::vector<Topic> t = {
      {"Add dark mode toggle", "dark-mode"},
      {"Speed up cold start by caching parsed schemas", "schema-cache"},
      {"Fix off-by-one in page parsing", "page-off-by-one"},
      {"Fix \"null\" handling in the JSON decoder", "null-decoding"},
      {"Escape backslashes in C:\\Users\\ style paths", "backslash-paths"},
      {"Mise à jour de la documentation ✨", "docs-fr"},
      {"Use ✓ and ✗ in status output", "status-glyphs"},
      {"Handle <script> & quotes in titles", "title-escaping"},
      {"Retry requests on 502 and 503", "retry-5xx"},
      {"Add structured logging", "structured-logging"},
      {"Bump minimum toolchain version", "toolchain-bump"},
      {"Refactor config loading", "config-refactor"},
      {"Add rate-limit aware backoff", "rate-limit-backoff"},
      {"Remove deprecated v1 endpoints", "drop-v1"},
      {"Improve error messages for bad tokens", "token-errors"},
      {"Support custom API base URLs", "custom-base-url"},
      {"Align\tcolumns in the CLI table", "cli-columns"},
      {"Add integration tests for pagination", "pagination-tests"},
      {"Cache build layers in CI", "layer-cache"},
      {"Migrate to the new release workflow", "release-workflow"},
      {"Fix race in connection pool shutdown", "pool-race"},
      {"Document the 1,000-result cap", "doc-result-cap"},
      {"WIP: streaming decoder", "streaming-decoder"},
      {"Reduce bundle size by 30%", "bundle-size"},
      {"Tidy up flaky snapshot tests", "flaky-snapshots"},
  };
  return t;
}

const std::vector<std::string>& commit_subjects() {
  static const std::vector<std::string> s = {
      "Update README.md",
      "Fix typo in contributing guide",
      "Bump version",
      "Refactor request builder",
      "Add missing license headers",
      "Fix flaky retry test",
      "Tighten timeouts in the HTTP client",
      "Revert \"Add retry jitter\"",
      "Regenerate API fixtures",
      "Update dependencies",
      "Improve logging around token refresh",
      "Fix \"status\" filter when empty",
      "chore: update generated API clients",
      "docs: explain the created=D1..D2 syntax",
      "Make CI faster ⚡",
  };
  return s;
}

const std::vector<std::string>& commit_bodies() {
  static const std::vector<std::string> b = {
      "Split the parser from the validator so each can be tested alone.",
      "The old code path is kept behind a flag for one release.",
      "Closes #42.\n\nCo-authored-by: quietloop <quietloop@example.com>",
      "See the discussion in the design doc; numbers below:\n\n  before: 120 ms\n  after:   45 ms",
      "This reverts commit 1f3e5a7c9b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a.",
  };
  return b;
}

struct Dependency {
  std::string ecosystem, package, from, to;
};

const std::vector<Dependency>& dependencies() {
  static const std::vector<Dependency> d = {
      {"packages", "quillkit", "4.17.20", "4.17.21"},
      {"packages", "tern-json", "5.94.0", "5.97.1"},
      {"packages", "@fernwork/core", "7.25.2", "7.26.0"},
      {"workflow_steps", "steps/fetch-source", "4", "5"},
      {"workflow_steps", "steps/setup-runtime", "4.0.4", "4.1.0"},
      {"modules", "example.org/x/wirenet", "0.23.0", "0.33.0"},
      {"libraries", "plumline", "2.31.0", "2.32.3"},
      {"base_images", "runtime-base", "20-slim", "22-slim"},
  };
  return d;
}

std::string to_lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One workflow run before ids, run numbers and check suites are handed out.
struct Draft {
  Run run;
  int64_t created = 0;
  int64_t order = 0;  // creation order, to break ties within a second
  const WorkflowPlan* plan = nullptr;
  bool from_fork = false;
};

struct OpenPr {
  int number;
  Topic topic;
  std::string branch;
  const Person* author;
};

// Replays a repository's history: trigger times first, then each trigger in time order,
// so pull requests open, get updated and merge in a believable sequence.
class RepoSimulation {
 public:
  RepoSimulation(const RepoPlan& plan, uint64_t seed, Dataset& forks_out)
      : plan_(plan), rng_(seed), forks_(forks_out), start_(kEnd - static_cast<int64_t>(plan.span_days) * 86400) {
    main_sha_ = rng_.hex(40);
    main_message_ = "Initial commit";
    next_pr_ = plan.first_pr;
    minor_ = plan.version_minor;
  }

  std::vector<Draft> run(int random_triggers) {
    struct Trigger {
      int64_t time;
      Kind kind;
      size_t workflow;
    };
    std::vector<Trigger> triggers;
    for (size_t w = 0; w < plan_.workflows.size(); ++w) {
      const auto& wp = plan_.workflows[w];
      if (!wp.schedule_every_days) continue;
      for (int day = 0; day < plan_.span_days; ++day) {
        int64_t midnight = (start_ / 86400 + day) * 86400;
        int64_t dow = (midnight / 86400 + 4) % 7;  // 0 = Sunday
        if (wp.schedule_every_days == 7 && dow != 1) continue;
        // Scheduled runs start a few minutes late, as they do under load.
        int64_t t = midnight + wp.schedule_minute * 60 + rng_.range(20, 900);
        if (t > start_ && t < kEnd) triggers.push_back({t, kSchedule, w});
      }
    }
    for (int i = 0; i < random_triggers; ++i) triggers.push_back({pick_time(), pick_kind(), 0});
    // A busy last hour, so that the newest runs are still queued, running or waiting.
    const std::pair<int64_t, Kind> burst[] = {{47 * 60, kPushDefault},    {22 * 60, kDispatch}, {9 * 60, kPullRequest},
                                              {3 * 60, kForkPullRequest}, {25, kPullRequest},   {12, kPushDefault},
                                              {4, kPullRequest}};
    for (const auto& [ago, kind] : burst)
      if (kEnd - ago > start_ && plan_.weights[kind] > 0) triggers.push_back({kEnd - ago, kind, 0});
    std::stable_sort(triggers.begin(), triggers.end(),
                     [](const Trigger& a, const Trigger& b) { return a.time < b.time; });
    for (const auto& t : triggers) fire(t.time, t.kind, t.workflow);
    return std::move(drafts_);
  }

  // Expected runs per random trigger, to size the number of triggers for a target.
  double runs_per_trigger() const {
    double total = 0, weight = 0;
    for (size_t k = 0; k < plan_.weights.size(); ++k) {
      double n = static_cast<double>(workflows_for(static_cast<Kind>(k)).size());
      if (k == kDispatch && n > 0) n = 1;
      total += plan_.weights[k] * n;
      weight += plan_.weights[k];
    }
    return weight > 0 ? total / weight : 1.0;
  }

  int scheduled_runs() const {
    int n = 0;
    for (const auto& wp : plan_.workflows)
      if (wp.schedule_every_days) n += plan_.span_days / wp.schedule_every_days;
    return n + 7;  // and the burst
  }

 private:
  int64_t pick_time() {
    for (;;) {
      int64_t t = rng_.range(start_, kEnd - 3600);
      int hour = static_cast<int>(t / 3600 % 24);
      int64_t dow = (t / 86400 + 4) % 7;
      double w = hour >= 13 && hour <= 21 ? 1.0 : hour >= 6 ? 0.45 : 0.12;
      if (dow == 0 || dow == 6) w *= 0.25;
      if (rng_.unit() < w) return t;
    }
  }

  Kind pick_kind() { return static_cast<Kind>(rng_.weighted(plan_.weights)); }

  std::vector<const WorkflowPlan*> workflows_for(Kind kind) const {
    std::vector<const WorkflowPlan*> out;
    for (const auto& wp : plan_.workflows) {
      bool on = false;
      switch (kind) {
        case kPushDefault:
          on = wp.on_push;
          break;
        case kPushOther:
          on = wp.on_push && !plan_.other_branches.empty();
          break;
        case kPullRequest:
        case kForkPullRequest:
        case kDepsBotPullRequest:
          on = wp.on_pull_request;
          break;
        case kDispatch:
          on = wp.on_dispatch;
          break;
        case kRelease:
          on = wp.on_release;
          break;
        case kSchedule:
          break;
      }
      if (on) out.push_back(&wp);
    }
    return out;
  }

  const Person& team_member(bool maintainer) {
    size_t n = maintainer ? std::min<size_t>(3, plan_.team.size()) : plan_.team.size();
    // Earlier team members are more active.
    size_t i = static_cast<size_t>(rng_.range(0, static_cast<int64_t>(n) - 1));
    if (!maintainer && rng_.chance(0.4)) i = i / 2;
    return humans()[plan_.team[i]];
  }

  std::string new_commit_message(const std::string& subject) {
    if (rng_.chance(0.3)) return subject + "\n\n" + rng_.pick(commit_bodies());
    return subject;
  }

  void fire(int64_t t, Kind kind, size_t scheduled_workflow) {
    std::vector<const WorkflowPlan*> wfs;
    if (kind == kSchedule) {
      wfs.push_back(&plan_.workflows[scheduled_workflow]);
    } else if (kind == kDispatch) {
      auto all = workflows_for(kind);
      if (!all.empty()) wfs.push_back(all[rng_.next() % all.size()]);
    } else {
      wfs = workflows_for(kind);
    }
    if (wfs.empty()) return;
    if (kind == kPushOther && plan_.other_branches.empty()) kind = kPushDefault;

    Draft base;
    Run& r = base.run;
    r.owner = plan_.repo.owner;
    r.repo = plan_.repo.name;
    r.repository_id = plan_.repo.id;
    r.head_repository_id = plan_.repo.id;
    const Person* actor = nullptr;
    const std::string& default_branch = plan_.repo.default_branch;

    switch (kind) {
      case kPushDefault: {
        std::string message;
        if (!open_prs_.empty() && rng_.chance(0.55)) {
          size_t i = rng_.next() % open_prs_.size();
          OpenPr pr = open_prs_[i];
          open_prs_.erase(open_prs_.begin() + static_cast<std::ptrdiff_t>(i));
          actor = rng_.chance(0.7) ? pr.author : &team_member(true);
          if (rng_.chance(0.5)) {
            message = "Merge pull request #" + std::to_string(pr.number) + " from " + plan_.repo.owner + "/" +
                      pr.branch + "\n\n" + pr.topic.title;
          } else {
            message = pr.topic.title + " (#" + std::to_string(pr.number) + ")";
          }
        } else if (rng_.chance(0.06)) {
          actor = &kCiBot;
          message = "chore: update generated API clients";
        } else {
          actor = &team_member(false);
          message = new_commit_message(rng_.pick(commit_subjects()));
        }
        main_sha_ = rng_.hex(40);
        main_message_ = message;
        r.event = "push";
        r.head_branch = default_branch;
        r.head_sha = main_sha_;
        r.head_commit_message = message;
        break;
      }
      case kPushOther: {
        actor = &team_member(true);
        r.event = "push";
        r.head_branch = rng_.pick(plan_.other_branches);
        r.head_sha = rng_.hex(40);
        r.head_commit_message = new_commit_message(rng_.pick(commit_subjects()));
        // A release branch usually has its merge-back pull requests open.
        if (r.head_branch.rfind("release/", 0) == 0 && rng_.chance(0.4)) {
          r.pull_request_numbers.push_back(next_pr_++);
          if (rng_.chance(0.3)) r.pull_request_numbers.push_back(next_pr_++);
        }
        break;
      }
      case kPullRequest:
      case kForkPullRequest: {
        OpenPr* pr = nullptr;
        if (kind == kPullRequest && !open_prs_.empty() && rng_.chance(0.4)) {
          pr = &open_prs_[rng_.next() % open_prs_.size()];
        } else {
          const Topic& topic = rng_.pick(topics());
          static const std::vector<std::string> prefixes = {"feature/", "fix/", "chore/", "docs/"};
          OpenPr fresh{next_pr_++, topic, rng_.pick(prefixes) + topic.slug, &team_member(false)};
          if (kind == kForkPullRequest) {
            fresh.author = &humans()[static_cast<size_t>(rng_.range(0, static_cast<int64_t>(humans().size()) - 1))];
            fresh.branch = "patch-" + std::to_string(rng_.range(1, 4));
          } else {
            open_prs_.push_back(fresh);
            if (open_prs_.size() > 8) open_prs_.erase(open_prs_.begin());
            pr = &open_prs_.back();
          }
          if (!pr) {
            actor = fresh.author;
            r.head_branch = fresh.branch;
            r.display_title = fresh.topic.title;
          }
        }
        if (pr) {
          actor = pr->author;
          r.head_branch = pr->branch;
          r.display_title = pr->topic.title;
          r.pull_request_numbers.push_back(pr->number);
        }
        r.event = "pull_request";
        r.head_sha = rng_.hex(40);
        r.head_commit_message = new_commit_message(rng_.chance(0.5) ? r.display_title : rng_.pick(commit_subjects()));
        if (kind == kForkPullRequest) {
          base.from_fork = true;
          r.head_repository_id = fork_of(*actor);
        }
        break;
      }
      case kDepsBotPullRequest: {
        const Dependency& dep = rng_.pick(dependencies());
        actor = &kDepsBot;
        r.event = "pull_request";
        r.head_branch = "deps/" + dep.ecosystem + "/" + dep.package + "-" + dep.to;
        r.head_sha = rng_.hex(40);
        r.display_title = "Bump " + dep.package + " from " + dep.from + " to " + dep.to;
        r.head_commit_message = r.display_title + "\n\nBumps " + dep.package + " from " + dep.from + " to " + dep.to +
                                ".\n\nSigned-off-by: deps-bot[bot] <deps-bot@example.com>";
        r.pull_request_numbers.push_back(next_pr_++);
        break;
      }
      case kDispatch: {
        actor = rng_.chance(0.1) ? &kCiBot : &team_member(true);
        r.event = "workflow_dispatch";
        r.head_branch =
            !plan_.other_branches.empty() && rng_.chance(0.1) ? rng_.pick(plan_.other_branches) : default_branch;
        r.head_sha = main_sha_;
        r.head_commit_message = main_message_;
        break;
      }
      case kRelease: {
        actor = rng_.chance(0.3) ? &kCiBot : &team_member(true);
        if (rng_.chance(0.3)) {
          ++minor_;
          patch_ = 0;
        } else {
          ++patch_;
        }
        std::string tag =
            "v" + std::to_string(plan_.version_major) + "." + std::to_string(minor_) + "." + std::to_string(patch_);
        r.event = "release";
        r.head_branch = tag;
        r.display_title = tag;
        r.head_sha = main_sha_;
        r.head_commit_message = main_message_;
        break;
      }
      case kSchedule: {
        // Scheduled runs belong to whoever last edited the cron line.
        actor = &humans()[plan_.team.front()];
        r.event = "schedule";
        r.head_branch = default_branch;
        r.head_sha = main_sha_;
        r.head_commit_message = main_message_;
        break;
      }
    }
    if (r.event == "push") r.display_title = r.head_commit_message.substr(0, r.head_commit_message.find('\n'));
    r.actor_login = actor->login;
    r.actor_id = actor->id;
    r.triggering_actor_login = actor->login;
    r.triggering_actor_id = actor->id;

    for (const WorkflowPlan* wp : wfs) {
      Draft d = base;
      d.plan = wp;
      d.run.name = wp->wf.name;
      d.run.workflow_id = wp->wf.id;
      d.run.workflow_path = wp->wf.path;
      if (kind == kSchedule || kind == kDispatch) d.run.display_title = wp->wf.name;
      // One push starts all its workflows within a second or two.
      d.created = t + (rng_.chance(0.2) ? rng_.range(1, 2) : 0);
      d.order = order_++;
      settle(d);
      drafts_.push_back(std::move(d));
    }
  }

  int64_t fork_of(const Person& who) {
    if (const Repository* existing = forks_.find_repository(who.login, plan_.repo.name)) return existing->id;
    Repository fork;
    fork.owner = who.login;
    fork.name = plan_.repo.name;
    fork.id = plan_.repo.id + 1000003 + static_cast<int64_t>(rng_.range(1, 900000)) * 17;
    fork.is_fork = true;
    fork.owner_type = "User";
    fork.owner_id = who.id;
    fork.description = plan_.repo.description;
    forks_.add_repository(fork);
    return fork.id;
  }

  std::string pick_conclusion(const WorkflowPlan& wp) {
    double x = rng_.unit();
    if ((x -= wp.failure_rate) < 0) return "failure";
    if ((x -= 0.035) < 0) return "cancelled";
    if ((x -= wp.skip_rate) < 0) return "skipped";
    if ((x -= 0.008) < 0) return "timed_out";
    if ((x -= 0.004) < 0) return "neutral";
    if ((x -= 0.002) < 0) return "stale";
    return "success";
  }

  // Decides status, conclusion, attempts and timestamps from where the run stands at kEnd.
  void settle(Draft& d) {
    Run& r = d.run;
    const WorkflowPlan& wp = *d.plan;
    const int64_t c = d.created;
    const int64_t delay = rng_.range(2, 40);
    const int64_t duration = rng_.range(wp.min_seconds, wp.max_seconds);
    const std::string conclusion = pick_conclusion(wp);
    const int64_t length = conclusion == "skipped"     ? rng_.range(1, 5)
                           : conclusion == "cancelled" ? duration * rng_.range(5, 90) / 100
                           : conclusion == "timed_out" ? static_cast<int64_t>(wp.max_seconds) * 2
                                                       : duration;
    // Deployments wait for a reviewer before their last job, for minutes or hours.
    const int64_t approval = wp.deploys && conclusion != "skipped" ? rng_.range(60, 4 * 3600) : 0;
    int64_t started = c, updated = c;
    if (d.from_fork && c > kEnd - 3 * 86400) {
      r.status = "action_required";  // a first-time contributor waits for approval
    } else if (kEnd - c < 8) {
      r.status = "requested";
    } else if (c + delay > kEnd) {
      r.status = "queued";
    } else if (c + delay + length + approval > kEnd) {
      started = c + delay;
      if (wp.deploys) {
        r.status = "waiting";
        updated = std::min(kEnd, started + 45);
      } else {
        r.status = "in_progress";
        updated = started + rng_.range(0, kEnd - started);
      }
    } else {
      r.status = "completed";
      r.conclusion = conclusion;
      started = c + delay;
      updated = started + length + approval;
      const bool rerunnable = r.conclusion == "failure" || r.conclusion == "cancelled" || r.conclusion == "timed_out";
      int attempts = 1;
      if (rerunnable && rng_.chance(0.22))
        attempts = rng_.chance(0.25) ? 3 : 2;
      else if (r.conclusion == "success" && rng_.chance(0.01))
        attempts = 2;
      int64_t t = updated;
      for (int a = 2; a <= attempts; ++a) {
        int64_t rerun_at = t + rng_.range(300, 6 * 3600);
        int64_t end = rerun_at + delay + duration;
        if (end > kEnd - 60) break;
        started = rerun_at + delay;
        t = updated = end;
        r.run_attempt = a;
        r.conclusion = a == attempts && rng_.chance(0.7) ? "success" : "failure";
        const Person& who = team_member(true);
        if (rng_.chance(0.6) || r.actor_login == kDepsBot.login) {
          r.triggering_actor_login = who.login;
          r.triggering_actor_id = who.id;
        }
      }
    }
    r.run_started_at = format_timestamp(started);
    r.updated_at = format_timestamp(updated);
    r.created_at = format_timestamp(c);
  }

  const RepoPlan& plan_;
  Rng rng_;
  Dataset& forks_;
  int64_t start_;
  std::vector<Draft> drafts_;
  std::vector<OpenPr> open_prs_;
  std::string main_sha_, main_message_;
  int next_pr_ = 1;
  int minor_ = 0, patch_ = 0;
  int64_t order_ = 0;
};

// Simulates every plan, then hands out ids in creation order across all repositories,
// as GitHub's global id sequence does, and run numbers per workflow.
Dataset assemble(const std::vector<RepoPlan>& plans, uint64_t seed) {
  Dataset forks;
  std::vector<Draft> all;
  int64_t total_span = 0;
  for (size_t p = 0; p < plans.size(); ++p) {
    const RepoPlan& plan = plans[p];
    total_span = std::max<int64_t>(total_span, plan.span_days);
    std::vector<Draft> drafts;
    for (int attempt = 0;; ++attempt) {
      Dataset attempt_forks;
      RepoSimulation sim(plan, seed * 0x100000001B3ULL + p * 7919 + static_cast<uint64_t>(attempt), attempt_forks);
      double wanted = std::max(0, plan.target_runs - sim.scheduled_runs()) * (1.0 + 0.03 * attempt);
      drafts = sim.run(static_cast<int>(std::ceil(wanted / sim.runs_per_trigger())));
      if (static_cast<int>(drafts.size()) >= plan.target_runs || attempt > 20) {
        for (const auto& f : attempt_forks.repositories()) forks.add_repository(f);
        break;
      }
    }
    std::stable_sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
      return std::tie(a.created, a.order) < std::tie(b.created, b.order);
    });
    if (static_cast<int>(drafts.size()) > plan.target_runs)
      drafts.erase(drafts.begin(), drafts.end() - plan.target_runs);
    for (auto& d : drafts) d.order += static_cast<int64_t>(p) << 40;
    all.insert(all.end(), std::make_move_iterator(drafts.begin()), std::make_move_iterator(drafts.end()));
  }
  std::stable_sort(all.begin(), all.end(), [](const Draft& a, const Draft& b) {
    return std::tie(a.created, a.order) < std::tie(b.created, b.order);
  });

  Rng rng(seed ^ 0xC0FFEE);
  // GitHub hands out roughly ten million run ids a day; keep that density whatever n is.
  const int64_t id_budget = total_span * 10000000;
  const int64_t max_gap = std::max<int64_t>(2, id_budget / std::max<int64_t>(1, static_cast<int64_t>(all.size())) * 2);
  int64_t id = 17800000000 + (total_span < kFullSpanDays ? id_budget / 2 : 0);
  int64_t suite = 46300000000;
  std::vector<std::pair<std::string, int>> run_numbers;  // "repo\nworkflow id" -> last number
  Dataset out;
  for (const auto& plan : plans) out.add_repository(plan.repo);
  for (const auto& f : forks.repositories()) out.add_repository(f);
  int64_t previous_created = -1;
  for (auto& d : all) {
    id += d.created == previous_created ? rng.range(1, 4) : rng.range(1, max_gap);
    suite += rng.range(1, max_gap * 2);
    previous_created = d.created;
    d.run.id = id;
    d.run.check_suite_id = suite;
    std::string key = to_lower_ascii(d.run.owner + "/" + d.run.repo) + "\n" + std::to_string(d.run.workflow_id);
    auto it = std::find_if(run_numbers.begin(), run_numbers.end(), [&](const auto& e) { return e.first == key; });
    if (it == run_numbers.end()) {
      run_numbers.emplace_back(key, d.plan->first_run_number - 1);
      it = run_numbers.end() - 1;
    }
    d.run.run_number = ++it->second;
    out.add_run(std::move(d.run));
  }
  // Deployments queue behind one another: only the oldest waits for approval.
  for (const auto& plan : plans) {
    bool waiting_seen = false;
    auto runs = out.runs_for(plan.repo.owner, plan.repo.name);
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
      if (it->status != "waiting") continue;
      if (waiting_seen) out.find_run(plan.repo.owner, plan.repo.name, it->id)->status = "pending";
      waiting_seen = true;
    }
  }
  return out;
}

WorkflowPlan workflow(int64_t id, std::string name, std::string file, int first_run_number) {
  WorkflowPlan wp;
  wp.wf.id = id;
  wp.wf.name = std::move(name);
  wp.wf.path = ".github/workflows/" + std::move(file);
  wp.first_run_number = first_run_number;
  return wp;
}

WorkflowPlan ci(int64_t id, int first) {
  auto wp = workflow(id, "CI", "ci.yml", first);
  wp.on_push = wp.on_pull_request = true;
  wp.min_seconds = 240;
  wp.max_seconds = 720;
  return wp;
}

WorkflowPlan code_scan(int64_t id, int first) {
  auto wp = workflow(id, "Code Scan", "code-scan.yml", first);
  wp.on_push = wp.on_pull_request = true;
  wp.schedule_every_days = 7;
  wp.schedule_minute = 5 * 60 + 31;
  wp.min_seconds = 300;
  wp.max_seconds = 900;
  wp.failure_rate = 0.03;
  return wp;
}

WorkflowPlan nightly(int64_t id, int first) {
  auto wp = workflow(id, "Nightly", "nightly.yml", first);
  wp.schedule_every_days = 1;
  wp.schedule_minute = 3 * 60 + 17;
  wp.min_seconds = 1500;
  wp.max_seconds = 3000;
  wp.failure_rate = 0.18;
  return wp;
}

WorkflowPlan deploy(int64_t id, int first, bool on_push) {
  auto wp = workflow(id, "Deploy", "deploy.yml", first);
  wp.on_dispatch = true;
  wp.on_push = on_push;
  wp.min_seconds = 180;
  wp.max_seconds = 480;
  wp.failure_rate = 0.05;
  wp.skip_rate = 0.15;
  wp.deploys = true;
  return wp;
}

WorkflowPlan release(int64_t id, int first) {
  auto wp = workflow(id, "Release", "release.yml", first);
  wp.on_release = true;
  wp.min_seconds = 400;
  wp.max_seconds = 900;
  wp.failure_rate = 0.08;
  return wp;
}

Repository repository(std::string owner, std::string name, int64_t id, int64_t owner_id, std::string description,
                      const std::vector<WorkflowPlan>& workflows) {
  Repository r;
  r.owner = std::move(owner);
  r.name = std::move(name);
  r.id = id;
  r.owner_id = owner_id;
  r.description = std::move(description);
  for (const auto& wp : workflows) r.workflows.push_back(wp.wf);
  return r;
}

}  // namespace

Dataset demo_dataset() {
  std::vector<RepoPlan> plans(4);
  {
    RepoPlan& p = plans[0];
    p.workflows = {ci(159038, 1204), code_scan(159039, 611), nightly(159040, 402), deploy(159041, 318, true),
                   release(159042, 57)};
    p.repo =
        repository("octo-org", "octo-repo", 217723378, 6811672, "The flagship service of the octo org.", p.workflows);
    p.target_runs = 1950;
    p.team = {0, 1, 9, 3, 4, 5, 6, 7};
    p.other_branches = {"release/3.4", "release/3.5"};
    p.weights = {48, 22, 3, 5, 6, 5, 2};
    p.first_pr = 1800;
    p.version_major = 3;
    p.version_minor = 3;
  }
  {
    RepoPlan& p = plans[1];
    p.workflows = {ci(160511, 988), workflow(160512, "Integration Tests", "integration.yml", 731),
                   workflow(160513, "Image Publish", "image-publish.yml", 412), deploy(160514, 199, false),
                   code_scan(160515, 254)};
    p.workflows[1].on_pull_request = true;
    p.workflows[1].on_push = true;
    p.workflows[1].min_seconds = 600;
    p.workflows[1].max_seconds = 1500;
    p.workflows[1].failure_rate = 0.14;
    p.workflows[2].on_release = true;
    p.workflows[2].on_dispatch = true;
    p.repo = repository("octo-org", "api-server", 318520147, 6811672, "REST and streaming API for \"octo\" apps.",
                        p.workflows);
    p.repo.default_branch = "main";
    p.target_runs = 800;
    p.team = {3, 1, 10, 2, 8, 11};
    p.other_branches = {"develop", "release/2026.09", "release/2026.10"};
    p.first_pr = 640;
    p.version_major = 2;
    p.version_minor = 11;
  }
  {
    RepoPlan& p = plans[2];
    p.workflows = {workflow(171220, "Build & Test", "build.yml", 2210),
                   workflow(171221, "Page Speed", "page-speed.yml", 1402),
                   workflow(171222, "Preview Deploy", "preview.yml", 1388), release(171223, 96)};
    p.workflows[0].on_push = p.workflows[0].on_pull_request = true;
    p.workflows[0].min_seconds = 150;
    p.workflows[0].max_seconds = 420;
    p.workflows[1].on_pull_request = true;
    p.workflows[1].failure_rate = 0.12;
    p.workflows[2].on_pull_request = true;
    p.workflows[2].deploys = true;
    p.workflows[2].on_dispatch = true;
    p.repo =
        repository("octo-org", "web-frontend", 402177863, 6811672, "Web UI — à la carte dashboards ✨", p.workflows);
    p.target_runs = 600;
    p.team = {6, 5, 4, 7, 11, 0};
    p.weights = {30, 40, 4, 0, 4, 10, 2};
    p.first_pr = 2950;
  }
  {
    RepoPlan& p = plans[3];
    p.workflows = {workflow(188004, "Infra Plan", "infra-plan.yml", 840),
                   workflow(188005, "Infra Apply", "infra-apply.yml", 512), workflow(188006, "Lint", "lint.yml", 1290)};
    p.workflows[0].on_pull_request = true;
    p.workflows[0].min_seconds = 90;
    p.workflows[0].max_seconds = 300;
    p.workflows[1].on_push = true;
    p.workflows[1].on_dispatch = true;
    p.workflows[1].deploys = true;
    p.workflows[1].failure_rate = 0.07;
    p.workflows[2].on_push = p.workflows[2].on_pull_request = true;
    p.workflows[2].min_seconds = 30;
    p.workflows[2].max_seconds = 120;
    p.workflows[2].failure_rate = 0.06;
    p.repo = repository("acme", "infra", 155238904, 2314501, "", p.workflows);
    p.repo.is_private = true;
    p.target_runs = 300;
    p.team = {7, 9, 2};
    p.weights = {35, 40, 0, 0, 10, 15, 0};
    p.first_pr = 410;
  }
  return assemble(plans, 20261120);
}

namespace {

RepoPlan synthetic_plan(const std::string& owner, const std::string& repo, int index, int n_runs) {
  RepoPlan p;
  const int64_t w = 200001 + 10 * index;
  p.workflows = {ci(w, 1), code_scan(w + 1, 1), nightly(w + 2, 1), deploy(w + 3, 1, true), release(w + 4, 1)};
  p.repo = repository(owner, repo, 500000001 + index, 9000001, "Synthetic repository for benchmarks.", p.workflows);
  p.target_runs = std::max(0, n_runs);
  // About eight runs a day, so that small sets still look like recent history.
  p.span_days = std::clamp(n_runs / 8, 1, kFullSpanDays);
  p.team = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  p.other_branches = {"develop", "release/1.0"};
  return p;
}

}  // namespace

Dataset synthetic_dataset(const std::string& owner, const std::string& repo, int n_runs, uint64_t seed) {
  return assemble({synthetic_plan(owner, repo, 0, n_runs)}, seed);
}

Dataset synthetic_inventory(const std::string& owner, const std::string& repo, int repos, int n_runs, uint64_t seed) {
  std::vector<RepoPlan> plans;
  for (int i = 1; i <= repos; ++i) plans.push_back(synthetic_plan(owner, repo + "-" + std::to_string(i), i, n_runs));
  return assemble(plans, seed);
}

}  // namespace stacklite::testserver
