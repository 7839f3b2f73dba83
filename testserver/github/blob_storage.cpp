// The stand-in for blob storage that log downloads redirect to: another origin
// (localhost, not 127.0.0.1), signed URLs only, no API headers, no token needed.
#include <cstdio>

#include "github/api.hpp"
#include "github/identifiers.hpp"
#include "github/zip_archive.hpp"

namespace stacklite::testserver {

std::string GitHubApi::blob_url(const std::string& path) const {
  char sig[24];
  std::snprintf(sig, sizeof sig, "%016llx", static_cast<unsigned long long>(fnv1a("blob-secret:" + path)));
  return "http://localhost:" + std::to_string(server.port()) + path + "?sig=" + sig;
}

void GitHubApi::serve_blob(Exchange& ex) {
  auto fail = [&](int status, const char* code) {
    std::string body =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + std::string(code) + "</Code></Error>";
    ex.res.status = status;
    ex.res.set_content(body, "application/xml");
  };
  const std::string expected = blob_url(ex.raw_path);
  if (ex.param("sig").empty() || expected.substr(expected.find("?sig=") + 5) != ex.param("sig"))
    return fail(403, "AuthenticationFailed");
  const std::string name = ex.raw_path.substr(ex.raw_path.rfind('/') + 1);
  int64_t id = 0;
  if (!parse_id(name.substr(0, name.find('.')), id)) return fail(404, "BlobNotFound");
  const bool job_log = ex.raw_path.rfind("/blob/job-logs/", 0) == 0;
  const int64_t run_id = job_log ? id / 10 : id;

  std::shared_lock<std::shared_mutex> lock(data_mutex);
  const Run* run = nullptr;
  for (const auto& repo : data.repositories())
    if ((run = data.find_run(repo.owner, repo.name, run_id))) break;
  if (!run) return fail(404, "BlobNotFound");
  auto log_text = [&](int k) {
    static const char* const names[] = {"build", "test", "lint"};
    return run->run_started_at + " ##[group]Run task " + names[k - 1] + "\n" + run->run_started_at + " task " +
           names[k - 1] + "\n" + run->updated_at + " ##[endgroup]\n" + run->updated_at + " Job " + names[k - 1] +
           " finished for " + run->head_sha + "\n";
  };
  ex.res.status = 200;
  if (job_log) return ex.res.set_content(log_text(static_cast<int>(id % 10)), "text/plain; charset=utf-8");
  ex.res.set_content(make_zip({{"0_build.txt", log_text(1)}, {"1_test.txt", log_text(2)}, {"2_lint.txt", log_text(3)}}),
                     "application/zip");
}

}  // namespace stacklite::testserver
