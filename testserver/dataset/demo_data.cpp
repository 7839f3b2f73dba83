// What the server serves by default: the demo organisation's repositories (their
// workflows, teams and trigger mix, replayed by dataset/simulation.cpp) and the one-repository
// synthetic sets of any size for benchmarks and result-cap tests.
#include <algorithm>
#include <functional>

#include "dataset.hpp"
#include "dataset/history.hpp"

namespace stacklite::testserver {

namespace {

using namespace history;

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

// What repository listings show of the demo repositories, and repositories without runs:
// more of the octo-org organization (archived, internal, a fork) and the user octocat's.
void add_inventory(Dataset& d) {
  auto edit = [&d](const char* owner, const char* name, const std::function<void(Repository&)>& change) {
    Repository r = *d.find_repository(owner, name);
    change(r);
    d.add_repository(std::move(r));
  };
  edit("octo-org", "octo-repo", [](Repository& r) {
    r.language = "Go";
    r.topics = {"service", "grpc"};
    r.size_kb = 48213;
    r.stargazers = 312;
    r.forks = 41;
    r.open_issues = 27;
    r.created_at = "2019-08-14T09:21:07Z";
  });
  edit("octo-org", "api-server", [](Repository& r) {
    r.language = "Java";
    r.topics = {"api", "rest", "streaming"};
    r.size_kb = 30877;
    r.stargazers = 88;
    r.forks = 9;
    r.open_issues = 14;
    r.created_at = "2021-02-03T14:45:51Z";
  });
  edit("octo-org", "web-frontend", [](Repository& r) {
    r.language = "TypeScript";
    r.topics = {"dashboard", "web"};
    r.homepage = "https://octo.example.com";
    r.size_kb = 22540;
    r.stargazers = 140;
    r.forks = 12;
    r.open_issues = 33;
    r.created_at = "2022-05-30T08:02:19Z";
    r.workflows[1].state = "disabled_manually";
    r.workflows[1].updated_at = "2026-06-02T11:20:45Z";
  });
  // Run by hand only, and never yet.
  edit("octo-org", "api-server", [](Repository& r) {
    r.workflows.push_back({160516, "Benchmarks", ".github/workflows/benchmarks.yml", "active", "2025-02-10T15:31:09Z",
                           "2025-02-10T15:31:09Z"});
  });
  edit("acme", "infra", [](Repository& r) {
    r.language = "HCL";
    r.topics = {"terraform"};
    r.size_kb = 1877;
    r.open_issues = 3;
    r.created_at = "2023-09-18T16:30:00Z";
  });
  auto extra = [&d](const char* owner, const char* name, int64_t id, int64_t owner_id, const char* owner_type,
                    const std::function<void(Repository&)>& fill) {
    Repository r;
    r.owner = owner;
    r.name = name;
    r.id = id;
    r.owner_id = owner_id;
    r.owner_type = owner_type;
    fill(r);
    d.add_repository(std::move(r));
  };
  extra("octo-org", "legacy-portal", 98116043, 6811672, "Organization", [](Repository& r) {
    r.description = "The portal before web-frontend.";
    r.archived = true;
    r.language = "PHP";
    r.size_kb = 120551;
    r.stargazers = 7;
    r.created_at = "2017-06-01T12:00:00Z";
    r.updated_at = "2024-01-09T10:00:00Z";
    r.pushed_at = "2023-12-20T15:41:02Z";
  });
  extra("octo-org", "handbook", 455002871, 6811672, "Organization", [](Repository& r) {
    r.description = "How the octo org works.";
    r.visibility = "internal";
    r.is_private = true;
    r.language = "";
    r.topics = {"docs"};
    r.size_kb = 655;
    r.created_at = "2024-10-21T07:15:33Z";
    r.workflows = {{455100001, "Links", ".github/workflows/links.yml", "disabled_inactivity", "2024-10-21T07:20:00Z",
                    "2025-09-02T00:00:00Z"},
                   {455100002, "Publish", ".github/workflows/publish.yml", "active", "2025-03-04T10:02:51Z",
                    "2025-03-04T10:02:51Z"}};
  });
  extra("octo-org", "grpc-gateway", 470338120, 6811672, "Organization", [](Repository& r) {
    r.description = "Fork of the gRPC to JSON proxy, with our patches.";
    r.is_fork = true;
    // GitHub turns a fork's workflows off until someone turns them on.
    r.workflows = {
        {470400011, "CI", ".github/workflows/ci.yml", "disabled_fork", "2025-03-12T13:03:10Z", "2025-03-12T13:03:10Z"}};
    r.language = "Go";
    r.size_kb = 9100;
    r.stargazers = 2;
    r.created_at = "2025-03-12T13:03:10Z";
  });
  extra("octocat", "Hello-World", 1296269, 583231, "User", [](Repository& r) {
    r.description = "My first repository on GitHub!";
    r.default_branch = "master";
    r.language = "";
    r.size_kb = 108;
    r.stargazers = 2700;
    r.forks = 2400;
    r.open_issues = 1400;
    r.created_at = "2011-01-26T19:01:12Z";
    r.pushed_at = "2011-01-26T19:06:43Z";
  });
  extra("octocat", "dotfiles", 302117455, 583231, "User", [](Repository& r) {
    r.language = "Shell";
    r.topics = {"dotfiles", "zsh"};
    r.size_kb = 41;
    r.created_at = "2020-11-02T21:00:00Z";
  });
  extra("octocat", "notes", 611004387, 583231, "User", [](Repository& r) {
    r.is_private = true;
    r.language = "Markdown";
    r.size_kb = 12;
    r.created_at = "2025-01-05T06:30:00Z";
  });
}

// The handbook's Publish workflow, run by hand twice in the spring and not since (after the
// artifacts: it uploads none).
void add_handbook_runs(Dataset& d) {
  const struct {
    int64_t id;
    int number;
    const char* created;
    int seconds;
    const char* sha;
    const char* message;
  } runs[] = {{15081722410, 1, "2026-05-12T09:40:17Z", 214, "0b9d3c1e5a7f2468ace13579bdf02468ace13579",
               "Publish the on-call guide"},
              {15391045532, 2, "2026-06-03T14:05:52Z", 187, "7e2a4c6b8d0f1357924680ace13579bdf0246813",
               "Onboarding: first week checklist"}};
  for (const auto& spec : runs) {
    Run r;
    r.id = spec.id;
    r.owner = "octo-org";
    r.repo = "handbook";
    r.name = "Publish";
    r.display_title = "Publish";
    r.head_branch = "main";
    r.head_sha = spec.sha;
    r.event = "workflow_dispatch";
    r.status = "completed";
    r.conclusion = "success";
    r.workflow_id = 455100002;
    r.workflow_path = ".github/workflows/publish.yml";
    r.check_suite_id = spec.id * 3 + 1;
    r.run_number = spec.number;
    r.actor_login = r.triggering_actor_login = "mona";
    r.actor_id = r.triggering_actor_id = 4810412;
    r.created_at = r.run_started_at = spec.created;
    int64_t created = 0;
    parse_timestamp(spec.created, created);
    r.updated_at = format_timestamp(created + spec.seconds);
    r.head_commit_message = spec.message;
    d.add_run(std::move(r));
  }
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
  Dataset data = assemble(plans, 20261120);
  add_inventory(data);
  add_run_artifacts(data, format_timestamp(kEnd));
  add_handbook_runs(data);
  return data;
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
