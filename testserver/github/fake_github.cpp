// FakeGitHub, the public face of the loopback GitHub: wires the options, the dataset and
// the API surface (github/) to a loopback server (server/), and offers what tests need
// besides HTTP: the request log, fault injection, the data, the rate-limit budget.
#include <ctime>

#include "github/api.hpp"

namespace stacklite::testserver {

GitHubApi::GitHubApi(Dataset d, Options o)
    : opts(std::move(o)),
      data(std::move(d)),
      server("FakeGitHub", opts.port, opts.threads, std::chrono::milliseconds(opts.latency_ms)) {
  origin = server.origin();
  base = origin + opts.path_prefix;
  // Web URLs: github.com beside api.github.com; the same host under /api/v3 on Enterprise.
  bases = make_bases(base, opts.path_prefix.empty() ? "https://github.com" : origin);
  rate_reset = static_cast<int64_t>(std::time(nullptr)) + 3600;
}

struct FakeGitHub::Impl : GitHubApi {
  using GitHubApi::GitHubApi;
};

FakeGitHub::FakeGitHub(Dataset data, Options opts) : impl_(std::make_unique<Impl>(std::move(data), std::move(opts))) {
  Impl& api = *impl_;
  api.server.start({[&api](Exchange& ex) { api.answer(ex); }, [&api](Exchange& ex) { api.finish(ex); }});
}

FakeGitHub::~FakeGitHub() = default;

int FakeGitHub::port() const { return impl_->server.port(); }
std::string FakeGitHub::origin() const { return impl_->origin; }
std::string FakeGitHub::base_url() const { return impl_->base; }

std::vector<RecordedRequest> FakeGitHub::requests() const { return impl_->server.requests(); }
void FakeGitHub::clear_requests() { impl_->server.clear_requests(); }

void FakeGitHub::inject(Fault fault, int count, std::string path_contains) {
  impl_->server.faults().inject(std::move(fault), count, std::move(path_contains));
}
void FakeGitHub::clear_faults() { impl_->server.faults().clear(); }

Dataset FakeGitHub::snapshot() const {
  std::shared_lock<std::shared_mutex> lock(impl_->data_mutex);
  return impl_->data;
}

void FakeGitHub::with_dataset(const std::function<void(Dataset&)>& edit) {
  std::unique_lock<std::shared_mutex> lock(impl_->data_mutex);
  ++impl_->generation;
  edit(impl_->data);
  impl_->data.sort_runs();
}

int FakeGitHub::connections_accepted() const { return impl_->server.connections_accepted(); }

int FakeGitHub::max_in_flight() const { return impl_->server.max_in_flight(); }

int FakeGitHub::rate_limit_remaining() const { return std::max(0, impl_->opts.rate_limit - impl_->used.load()); }

}  // namespace stacklite::testserver
