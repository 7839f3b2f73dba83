// GitHub's Artifact object, member by member in the order GitHub sends them, with the
// summary of the run that uploaded it.
#include "github/identifiers.hpp"
#include "github/render.hpp"

namespace stacklite::testserver {

void Renderer::artifact(JsonWriter& w, const Artifact& a) {
  const std::string url =
      bases_.api + "/repos/" + a.owner + "/" + a.repo + "/actions/artifacts/" + std::to_string(a.id);
  w.begin_object();
  w.number("id", a.id);
  w.string("node_id", node_id("Artifact", a.id));
  w.string("name", a.name);
  w.number("size_in_bytes", a.size_in_bytes);
  w.string("url", url);
  w.string("archive_download_url", url + "/zip");
  w.boolean("expired", a.expired);
  w.string("created_at", a.created_at);
  w.string("expires_at", a.expires_at);
  w.string("updated_at", a.updated_at);
  w.string_or_null("digest", a.digest);
  w.begin_object("workflow_run");
  w.number("id", a.run_id);
  w.number("repository_id", a.repository_id);
  w.number("head_repository_id", a.head_repository_id);
  w.string("head_branch", a.head_branch);
  w.string("head_sha", a.head_sha);
  w.end_object();
  w.end_object();
}

}  // namespace stacklite::testserver
