// The history simulator: replays each repository plan from a fixed seed (trigger times,
// then pushes, pull requests from branches and forks, bot bumps, schedules, dispatches and
// releases in time order), then assembles the runs with GitHub-like ids and run numbers.
// One class tells one repository's story top to bottom, which is why this file runs past
// 400 lines: cut in two, the state it threads through every trigger would be scattered.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <tuple>

#include "dataset/history.hpp"

namespace stacklite::testserver::history {

namespace {

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
      r.approval_seconds = approval;
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
        r.approval_seconds = 0;  // the re-run's span is its jobs' alone
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

}  // namespace

// assemble(): see history.hpp.
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

}  // namespace stacklite::testserver::history
