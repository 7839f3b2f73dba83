// stacklite-demo-server: the loopback fake the tests use, as a process for the demo, the
// SQL examples and the benchmark. Serves the demo (or a synthetic) dataset on 127.0.0.1,
// prints its base URL on one line, and runs until SIGINT/SIGTERM or its stdin pipe closes.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "fake_github.hpp"
#include "fake_shithub.hpp"

namespace {

const char kUsage[] =
    "usage: stacklite-demo-server [--port N] [--prefix /api/v3] [--token T]\n"
    "                             [--synthetic N [--owner O] [--repo R] [--repos K]]\n"
    "                             [--latency-ms MS] [--threads N]\n"
    "                             [--result-cap N] [--rate-limit N] [--provider github|shithub]\n"
    "Serves a GitHub-like Actions API on 127.0.0.1 (port 0: any free port), prints the\n"
    "base URL on one line, and stops on SIGINT/SIGTERM or when a piped stdin closes.\n"
    "  --result-cap N   filtered listings page no further than N results (GitHub: 1000)\n"
    "  --rate-limit N   answer 403 \"API rate limit exceeded\" after N requests\n"
    "  --provider shithub  serve shithub's API instead (runs of --owner/--repo, --synthetic\n"
    "                   of them, default 130; any free port, no prefix)\n";

int fail(const std::string& message) {
  std::cerr << "stacklite-demo-server: " << message << "\n" << kUsage;
  return 2;
}

bool parse_count(const char* text, int& out) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (!*text || *end || v < 0 || v > 10000000) return false;
  out = static_cast<int>(v);
  return true;
}

// Only a pipe, socket or terminal says something by closing; /dev/null or a file given
// to a background job would end the server at once.
bool stdin_can_signal_eof() {
  struct stat st {};
  if (fstat(STDIN_FILENO, &st) != 0) return false;
  return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(STDIN_FILENO);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace stacklite::testserver;
  Options opts;
  int synthetic = -1, repos = 0;
  std::string owner = "octo-org", repo = "synthetic", provider = "github";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) return fail("missing value for " + arg);
    const char* value = argv[++i];
    if (arg == "--port") {
      if (!parse_count(value, opts.port) || opts.port > 65535) return fail("bad port: " + std::string(value));
    } else if (arg == "--prefix") {
      opts.path_prefix = value;
      if (!opts.path_prefix.empty() && (opts.path_prefix[0] != '/' || opts.path_prefix.back() == '/'))
        return fail("the prefix starts with '/' and does not end with one, e.g. /api/v3");
    } else if (arg == "--token") {
      opts.required_token = value;
    } else if (arg == "--synthetic") {
      if (!parse_count(value, synthetic)) return fail("bad run count: " + std::string(value));
    } else if (arg == "--latency-ms") {
      if (!parse_count(value, opts.latency_ms) || opts.latency_ms > 600000)
        return fail("bad latency: " + std::string(value));
    } else if (arg == "--threads") {
      if (!parse_count(value, opts.threads) || opts.threads < 1 || opts.threads > 1024)
        return fail("bad thread count: " + std::string(value));
    } else if (arg == "--repos") {
      if (!parse_count(value, repos) || repos < 1 || repos > 1000)
        return fail("bad repository count: " + std::string(value));
    } else if (arg == "--owner") {
      owner = value;
    } else if (arg == "--repo") {
      repo = value;
    } else if (arg == "--result-cap") {
      if (!parse_count(value, opts.result_cap)) return fail("bad result cap: " + std::string(value));
    } else if (arg == "--rate-limit") {
      if (!parse_count(value, opts.rate_limit)) return fail("bad rate limit: " + std::string(value));
      opts.enforce_rate_limit = true;
    } else if (arg == "--provider") {
      provider = value;
      if (provider != "github" && provider != "shithub") return fail("unknown provider " + provider);
    } else {
      return fail("unknown option " + arg);
    }
  }

  // Blocked before the server starts its threads, so that only signalfd sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  const int signal_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
  if (signal_fd < 0) return fail("signalfd failed");

  try {
    std::unique_ptr<FakeGitHub> github;
    std::unique_ptr<FakeShithub> shithub;
    if (provider == "shithub") {
      std::vector<ShithubRun> runs;
      std::vector<ShithubJob> jobs;
      shithub_sample(owner, repo, synthetic >= 0 ? synthetic : 130, runs, jobs);
      shithub = std::make_unique<FakeShithub>(std::move(runs), std::move(jobs), opts.required_token);
    } else {
      github = std::make_unique<FakeGitHub>(synthetic < 0 ? demo_dataset()
                                            : repos > 0   ? synthetic_inventory(owner, repo, repos, synthetic)
                                                          : synthetic_dataset(owner, repo, synthetic),
                                            opts);
    }
    std::printf("%s\n", github ? github->base_url().c_str() : shithub->base_url().c_str());
    std::fflush(stdout);

    pollfd fds[2] = {{signal_fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    const nfds_t watched = stdin_can_signal_eof() ? 2 : 1;
    for (;;) {
      if (poll(fds, watched, -1) < 0) continue;  // EINTR
      if (fds[0].revents) break;
      if (watched == 2 && fds[1].revents) {
        char buf[256];
        const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) break;  // the parent closed our stdin
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "stacklite-demo-server: " << e.what() << "\n";
    return 1;
  }
  close(signal_fd);
  return 0;
}
