// The words of the demo history: invented people and bots, pull-request topics (with the
// quotes, backslashes, tabs and non-ASCII text a renderer must escape), commit messages
// and dependency bumps. Names only; dataset/simulation.cpp decides who does what when.
#include "dataset/history.hpp"

namespace stacklite::testserver::history {

const std::vector<Person>& humans() {
  static const std::vector<Person> people = {
      {"riverstone", 583417},       {"marigold-k", 2918604},       {"quietloop", 480977},
      {"nightowl-dev", 31840337},   {"pixel-pusher", 18320942},    {"byte-wrangler", 7204112},
      {"cloud-gardener", 41237701}, {"test-pilot", 12771093},      {"lint-lover", 30219854},
      {"release-captain", 5562310}, {"merge-queue-fan", 66120345}, {"yaml-whisperer", 90431277},
  };
  return people;
}

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

}  // namespace stacklite::testserver::history
