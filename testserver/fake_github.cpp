// The loopback GitHub: routes, filters, the result cap, Link headers, write endpoints,
// rendering in GitHub's key order, request recording and fault injection.
#include "fake_github.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <thread>

namespace stacklite::testserver {

// ---------------------------------------------------------------------------------------
// Text helpers

void append_json_string(std::string& out, const std::string& text) {
  out += '"';
  size_t run_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text, run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
  }
  out.append(text, run_start, std::string::npos);
  out += '"';
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every byte but RFC 3986 unreserved characters is encoded.
std::string percent_encode(const std::string& s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(const std::string& s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

using QueryList = std::vector<std::pair<std::string, std::string>>;

QueryList parse_query(const std::string& raw) {
  QueryList out;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t amp = raw.find('&', pos);
    if (amp == std::string::npos) amp = raw.size();
    std::string part = raw.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string::npos) {
        out.emplace_back(percent_decode(part, true), "");
      } else {
        out.emplace_back(percent_decode(part.substr(0, eq), true), percent_decode(part.substr(eq + 1), true));
      }
    }
    pos = amp + 1;
  }
  return out;
}

std::string base64(const std::string& in) {
  static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// GitHub's legacy global node ids: base64("0<len>:<Type><id>").
std::string node_id(const std::string& type, int64_t id) {
  return base64("0" + std::to_string(type.size()) + ":" + type + std::to_string(id));
}

uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// A stable 40-hex "sha" derived from a seed text.
std::string derived_sha(const std::string& seed) {
  const uint64_t a = fnv1a(seed);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%016llx%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(fnv1a(seed, a)), static_cast<unsigned long long>(fnv1a(seed + "#", a)));
  return std::string(buf, 40);
}

bool parse_int64(const std::string& s, int64_t& v) {
  if (s.empty() || s.size() > 18) return false;
  v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  return true;
}

int64_t now_epoch() { return static_cast<int64_t>(std::time(nullptr)); }

bool is_bot(const std::string& login) { return login.size() > 5 && login.compare(login.size() - 5, 5, "[bot]") == 0; }

// ---------------------------------------------------------------------------------------
// A minimal JSON reader for request bodies of the write endpoints.

struct JsonValue {
  enum Type { Null, Bool, Number, String, Array, Object } type = Null;
  bool boolean = false;
  double number = 0;
  bool integral = false;
  std::string text;
  std::vector<JsonValue> items;
  std::vector<std::pair<std::string, JsonValue>> members;

  const JsonValue* get(const std::string& key) const {
    for (const auto& m : members)
      if (m.first == key) return &m.second;
    return nullptr;
  }
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& s) : s_(s) {}
  bool parse(JsonValue& out) {
    if (!value(out, 0)) return false;
    skip_ws();
    return pos_ == s_.size();
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool literal(const char* word) {
    size_t n = std::strlen(word);
    if (s_.compare(pos_, n, word) != 0) return false;
    pos_ += n;
    return true;
  }
  bool string(std::string& out) {
    if (pos_ >= s_.size() || s_[pos_] != '"') return false;
    ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return false;
      char e = s_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return false;
          unsigned cp = 0;
          for (int i = 0; i < 4; ++i) {
            int h = hex_value(s_[pos_++]);
            if (h < 0) return false;
            cp = cp * 16 + static_cast<unsigned>(h);
          }
          // Enough for validation: surrogates are kept as two 3-byte sequences.
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  bool value(JsonValue& v, int depth) {
    if (depth > 64) return false;
    skip_ws();
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '{') {
      v.type = JsonValue::Object;
      ++pos_;
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      for (;;) {
        skip_ws();
        std::string key;
        if (!string(key)) return false;
        skip_ws();
        if (pos_ >= s_.size() || s_[pos_++] != ':') return false;
        JsonValue member;
        if (!value(member, depth + 1)) return false;
        v.members.emplace_back(std::move(key), std::move(member));
        skip_ws();
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_++] == '}') return true;
        return false;
      }
    }
    if (c == '[') {
      v.type = JsonValue::Array;
      ++pos_;
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      for (;;) {
        JsonValue item;
        if (!value(item, depth + 1)) return false;
        v.items.push_back(std::move(item));
        skip_ws();
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_++] == ']') return true;
        return false;
      }
    }
    if (c == '"') {
      v.type = JsonValue::String;
      return string(v.text);
    }
    if (literal("true")) {
      v.type = JsonValue::Bool;
      v.boolean = true;
      return true;
    }
    if (literal("false")) {
      v.type = JsonValue::Bool;
      return true;
    }
    if (literal("null")) return true;
    size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    v.integral = pos_ > start && !(pos_ == start + 1 && s_[start] == '-');
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E')) {
      v.integral = false;
      ++pos_;
      while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '+' ||
                                  s_[pos_] == '-' || s_[pos_] == 'e' || s_[pos_] == 'E'))
        ++pos_;
    }
    if (pos_ == start) return false;
    v.type = JsonValue::Number;
    try {
      v.number = std::stod(s_.substr(start, pos_ - start));
    } catch (const std::exception&) {
      return false;
    }
    return true;
  }

  const std::string& s_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------
// Rendering

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  void begin_object(const char* key = nullptr) {
    field(key);
    out_ += '{';
    first_.push_back(true);
  }
  void end_object() {
    out_ += '}';
    first_.pop_back();
  }
  void begin_array(const char* key = nullptr) {
    field(key);
    out_ += '[';
    first_.push_back(true);
  }
  void end_array() {
    out_ += ']';
    first_.pop_back();
  }
  void string(const char* key, const std::string& v) {
    field(key);
    append_json_string(out_, v);
  }
  void string_or_null(const char* key, const std::string& v) {
    if (v.empty())
      null(key);
    else
      string(key, v);
  }
  void number(const char* key, int64_t v) {
    field(key);
    out_ += std::to_string(v);
  }
  void boolean(const char* key, bool v) {
    field(key);
    out_ += v ? "true" : "false";
  }
  void null(const char* key) {
    field(key);
    out_ += "null";
  }
  void raw(const char* key, const std::string& json) {
    field(key);
    out_ += json;
  }

 private:
  void field(const char* key) {
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
    if (key) {
      out_ += '"';
      out_ += key;
      out_ += "\":";
    }
  }
  std::string& out_;
  std::vector<bool> first_;
};

struct UrlBases {
  std::string api;   // "http://127.0.0.1:PORT/api/v3"
  std::string html;  // "https://github.com"
  std::string git_host;
};

UrlBases make_bases(const std::string& api, const std::string& html) {
  UrlBases b{api, html, html};
  size_t scheme = b.git_host.find("://");
  if (scheme != std::string::npos) b.git_host.erase(0, scheme + 3);
  return b;
}

// Key order of the two repository objects in the workflow-run example; only the URL
// templates below and a few scalar fields appear in them.
const char* const kRepositoryKeys[] = {"id",
                                       "node_id",
                                       "name",
                                       "full_name",
                                       "owner",
                                       "private",
                                       "html_url",
                                       "description",
                                       "fork",
                                       "url",
                                       "archive_url",
                                       "assignees_url",
                                       "blobs_url",
                                       "branches_url",
                                       "collaborators_url",
                                       "comments_url",
                                       "commits_url",
                                       "compare_url",
                                       "contents_url",
                                       "contributors_url",
                                       "deployments_url",
                                       "downloads_url",
                                       "events_url",
                                       "forks_url",
                                       "git_commits_url",
                                       "git_refs_url",
                                       "git_tags_url",
                                       "git_url",
                                       "issue_comment_url",
                                       "issue_events_url",
                                       "issues_url",
                                       "keys_url",
                                       "labels_url",
                                       "languages_url",
                                       "merges_url",
                                       "milestones_url",
                                       "notifications_url",
                                       "pulls_url",
                                       "releases_url",
                                       "ssh_url",
                                       "stargazers_url",
                                       "statuses_url",
                                       "subscribers_url",
                                       "subscription_url",
                                       "tags_url",
                                       "teams_url",
                                       "trees_url",
                                       "hooks_url"};
const char* const kHeadRepositoryKeys[] = {"id",
                                           "node_id",
                                           "name",
                                           "full_name",
                                           "private",
                                           "owner",
                                           "html_url",
                                           "description",
                                           "fork",
                                           "url",
                                           "forks_url",
                                           "keys_url",
                                           "collaborators_url",
                                           "teams_url",
                                           "hooks_url",
                                           "issue_events_url",
                                           "events_url",
                                           "assignees_url",
                                           "branches_url",
                                           "tags_url",
                                           "blobs_url",
                                           "git_tags_url",
                                           "git_refs_url",
                                           "trees_url",
                                           "statuses_url",
                                           "languages_url",
                                           "stargazers_url",
                                           "contributors_url",
                                           "subscribers_url",
                                           "subscription_url",
                                           "commits_url",
                                           "git_commits_url",
                                           "comments_url",
                                           "issue_comment_url",
                                           "contents_url",
                                           "compare_url",
                                           "merges_url",
                                           "archive_url",
                                           "downloads_url",
                                           "issues_url",
                                           "pulls_url",
                                           "milestones_url",
                                           "notifications_url",
                                           "labels_url",
                                           "releases_url",
                                           "deployments_url"};

const char* repository_url_suffix(const std::string& key) {
  static const std::pair<const char*, const char*> suffixes[] = {
      {"archive_url", "/{archive_format}{/ref}"},
      {"assignees_url", "/assignees{/user}"},
      {"blobs_url", "/git/blobs{/sha}"},
      {"branches_url", "/branches{/branch}"},
      {"collaborators_url", "/collaborators{/collaborator}"},
      {"comments_url", "/comments{/number}"},
      {"commits_url", "/commits{/sha}"},
      {"compare_url", "/compare/{base}...{head}"},
      {"contents_url", "/contents/{+path}"},
      {"contributors_url", "/contributors"},
      {"deployments_url", "/deployments"},
      {"downloads_url", "/downloads"},
      {"events_url", "/events"},
      {"forks_url", "/forks"},
      {"git_commits_url", "/git/commits{/sha}"},
      {"git_refs_url", "/git/refs{/sha}"},
      {"git_tags_url", "/git/tags{/sha}"},
      {"issue_comment_url", "/issues/comments{/number}"},
      {"issue_events_url", "/issues/events{/number}"},
      {"issues_url", "/issues{/number}"},
      {"keys_url", "/keys{/key_id}"},
      {"labels_url", "/labels{/name}"},
      {"languages_url", "/languages"},
      {"merges_url", "/merges"},
      {"milestones_url", "/milestones{/number}"},
      {"notifications_url", "/notifications{?since,all,participating}"},
      {"pulls_url", "/pulls{/number}"},
      {"releases_url", "/releases{/id}"},
      {"stargazers_url", "/stargazers"},
      {"statuses_url", "/statuses/{sha}"},
      {"subscribers_url", "/subscribers"},
      {"subscription_url", "/subscription"},
      {"tags_url", "/tags"},
      {"teams_url", "/teams"},
      {"trees_url", "/git/trees{/sha}"},
      {"hooks_url", "/hooks"},
  };
  for (const auto& s : suffixes)
    if (key == s.first) return s.second;
  return nullptr;
}

int64_t owner_id_of(const Repository& repo) {
  return repo.owner_id ? repo.owner_id : static_cast<int64_t>(fnv1a(lower(repo.owner)) % 90000000) + 1000000;
}

// Shared by listings, single runs and jobs of one request; caches repository objects,
// which are identical for every run of a repository.
class Renderer {
 public:
  Renderer(const Dataset& data, const UrlBases& bases) : data_(data), bases_(bases) {}

  void run(std::string& out, const Run& r, bool include_prs) {
    const Repository& repo = repository_of(r);
    const Repository* head = r.head_repository_id == repo.id ? &repo : data_.find_repository(r.head_repository_id);
    if (!head) head = &repo;
    const std::string repo_url = bases_.api + "/repos/" + repo.owner + "/" + repo.name;
    const std::string id = std::to_string(r.id);
    const std::string run_url = repo_url + "/actions/runs/" + id;

    JsonWriter w(out);
    w.begin_object();
    w.number("id", r.id);
    w.string("name", r.name);
    w.string("node_id", node_id("Workflow Run", r.id));
    w.number("check_suite_id", r.check_suite_id);
    w.string("check_suite_node_id", node_id("CheckSuite", r.check_suite_id));
    w.string("head_branch", r.head_branch);
    w.string("head_sha", r.head_sha);
    w.string("path", r.workflow_path + "@" + r.head_branch);
    w.number("run_number", r.run_number);
    w.string("event", r.event);
    w.string("display_title", r.display_title);
    w.string("status", r.status);
    w.string_or_null("conclusion", r.conclusion);
    w.number("workflow_id", r.workflow_id);
    w.string("url", run_url);
    w.string("html_url", bases_.html + "/" + repo.owner + "/" + repo.name + "/actions/runs/" + id);
    w.begin_array("pull_requests");
    if (include_prs)
      for (int number : r.pull_request_numbers) pull_request(w, repo, *head, r, number);
    w.end_array();
    w.string("created_at", r.created_at);
    w.string("updated_at", r.updated_at);
    user(w, "actor", r.actor_login, r.actor_id, is_bot(r.actor_login) ? "Bot" : "User");
    w.number("run_attempt", r.run_attempt);
    w.begin_array("referenced_workflows");
    w.end_array();
    w.string("run_started_at", r.run_started_at);
    user(w, "triggering_actor", r.triggering_actor_login, r.triggering_actor_id,
         is_bot(r.triggering_actor_login) ? "Bot" : "User");
    w.string("jobs_url", run_url + "/jobs");
    w.string("logs_url", run_url + "/logs");
    w.string("check_suite_url", repo_url + "/check-suites/" + std::to_string(r.check_suite_id));
    w.string("artifacts_url", run_url + "/artifacts");
    w.string("cancel_url", run_url + "/cancel");
    w.string("rerun_url", run_url + "/rerun");
    if (r.run_attempt > 1)
      w.string("previous_attempt_url", run_url + "/attempts/" + std::to_string(r.run_attempt - 1));
    else
      w.null("previous_attempt_url");
    w.string("workflow_url", repo_url + "/actions/workflows/" + std::to_string(r.workflow_id));
    head_commit(w, r);
    w.raw("repository", repository_json(repo, false));
    w.raw("head_repository", repository_json(*head, true));
    w.end_object();
  }

  void job(std::string& out, const Run& r, int k) {
    static const char* const names[] = {"build", "test", "lint"};
    const std::string name = names[k - 1];
    const int64_t job_id = r.id * 10 + k;
    const Repository& repo = repository_of(r);
    const std::string repo_url = bases_.api + "/repos/" + repo.owner + "/" + repo.name;

    // The run's state spread over its three jobs: test is the one that fails.
    std::string status = "queued", conclusion;
    bool started = false;
    if (r.status == "completed") {
      status = "completed";
      started = true;
      const std::string& c = r.conclusion;
      if (c == "skipped")
        conclusion = "skipped";
      else if (c == "failure" || c == "timed_out")
        conclusion = k == 2 ? c : "success";
      else if (c == "cancelled")
        conclusion = k == 1 ? "success" : "cancelled";
      else
        conclusion = "success";
    } else if (r.status == "in_progress" || r.status == "waiting") {
      if (k == 1 || (k == 2 && r.status == "waiting")) {
        status = "completed";
        conclusion = "success";
        started = true;
      } else if (k == 2) {
        status = "in_progress";
        started = true;
      } else {
        status = r.status == "waiting" ? "waiting" : "queued";
      }
    }
    int64_t t0 = 0, t1 = 0;
    parse_timestamp(r.run_started_at, t0);
    parse_timestamp(r.updated_at, t1);
    t1 = std::max(t1, t0 + 3);
    const int64_t job_start = std::min(t0 + k, t1);
    const int64_t job_end = k == 2 ? t1 : job_start + (t1 - job_start) * (k == 1 ? 40 : 30) / 100;

    JsonWriter w(out);
    w.begin_object();
    w.number("id", job_id);
    w.number("run_id", r.id);
    w.string("run_url", repo_url + "/actions/runs/" + std::to_string(r.id));
    w.number("run_attempt", r.run_attempt);
    w.string("node_id", node_id("Workflow Job", job_id));
    w.string("head_sha", r.head_sha);
    w.string("url", repo_url + "/actions/jobs/" + std::to_string(job_id));
    w.string("html_url", bases_.html + "/" + repo.owner + "/" + repo.name + "/actions/runs/" + std::to_string(r.id) +
                             "/job/" + std::to_string(job_id));
    w.string("status", status);
    w.string_or_null("conclusion", conclusion);
    w.string("created_at", r.run_started_at);
    w.string("started_at", format_timestamp(job_start));
    if (status == "completed")
      w.string("completed_at", format_timestamp(job_end));
    else
      w.null("completed_at");
    w.string("name", name);
    w.begin_array("steps");
    if (started && conclusion != "skipped") {
      const std::string step_names[] = {"Set up job", "Check out sources", "Run task " + name, "Complete job"};
      const int64_t span = std::max<int64_t>(4, job_end - job_start);
      for (int s = 0; s < 4; ++s) {
        const int64_t s_start = job_start + span * s / 4, s_end = job_start + span * (s + 1) / 4;
        std::string s_status = "completed", s_conclusion = s == 2 ? conclusion : "success";
        if (status == "in_progress" && s >= 2) {
          s_status = s == 2 ? "in_progress" : "queued";
          s_conclusion.clear();
        }
        w.begin_object();
        w.string("name", step_names[s]);
        w.string("status", s_status);
        w.string_or_null("conclusion", s_conclusion);
        w.number("number", s + 1);
        if (s_status == "queued")
          w.null("started_at");
        else
          w.string("started_at", format_timestamp(s_start));
        if (s_status == "completed")
          w.string("completed_at", format_timestamp(s_end));
        else
          w.null("completed_at");
        w.end_object();
      }
    }
    w.end_array();
    w.string("check_run_url", repo_url + "/check-runs/" + std::to_string(job_id));
    w.begin_array("labels");
    w.string(nullptr, "hosted-standard");
    w.end_array();
    if (started) {
      w.number("runner_id", 1000 + r.id % 97 * 3 + k);
      w.string("runner_name", "GitHub Actions " + std::to_string(1000 + r.id % 97 * 3 + k));
      w.number("runner_group_id", 0);
      w.string("runner_group_name", "GitHub Actions");
    } else {
      w.null("runner_id");
      w.null("runner_name");
      w.null("runner_group_id");
      w.null("runner_group_name");
    }
    w.string("workflow_name", r.name);
    w.string("head_branch", r.head_branch);
    w.end_object();
  }

  void user(JsonWriter& w, const char* key, const std::string& login, int64_t id, const std::string& type) {
    const std::string url = bases_.api + "/users/" + percent_encode(login);
    w.begin_object(key);
    w.string("login", login);
    w.number("id", id);
    w.string("node_id", node_id(type, id));
    w.string("avatar_url", "https://avatars.githubusercontent.com/u/" + std::to_string(id) + "?v=4");
    w.string("gravatar_id", "");
    w.string("url", url);
    w.string("html_url",
             type == "Bot" ? bases_.html + "/apps/" + login.substr(0, login.size() - 5) : bases_.html + "/" + login);
    w.string("followers_url", url + "/followers");
    w.string("following_url", url + "/following{/other_user}");
    w.string("gists_url", url + "/gists{/gist_id}");
    w.string("starred_url", url + "/starred{/owner}{/repo}");
    w.string("subscriptions_url", url + "/subscriptions");
    w.string("organizations_url", url + "/orgs");
    w.string("repos_url", url + "/repos");
    w.string("events_url", url + "/events{/privacy}");
    w.string("received_events_url", url + "/received_events");
    w.string("type", type);
    w.boolean("site_admin", false);
    w.end_object();
  }

  const Repository& repository_of(const Run& r) {
    if (last_repo_ && last_repo_->name == r.repo && last_repo_->owner == r.owner) return *last_repo_;
    const Repository* repo = data_.find_repository(r.owner, r.repo);
    if (!repo) throw std::logic_error("run " + std::to_string(r.id) + " has no repository");
    return *(last_repo_ = repo);
  }

 private:
  void pull_request(JsonWriter& w, const Repository& repo, const Repository& head, const Run& r, int number) {
    const std::string repo_url = bases_.api + "/repos/" + repo.owner + "/" + repo.name;
    w.begin_object();
    w.string("url", repo_url + "/pulls/" + std::to_string(number));
    w.number("id", 1500000000 + repo.id % 100000 * 10000 + number);
    w.number("number", number);
    w.begin_object("head");
    w.string("ref", r.head_branch);
    w.string("sha", r.head_sha);
    small_repo(w, head);
    w.end_object();
    w.begin_object("base");
    w.string("ref", repo.default_branch);
    w.string("sha", derived_sha(repo.owner + "/" + repo.name + "#" + std::to_string(number)));
    small_repo(w, repo);
    w.end_object();
    w.end_object();
  }

  void small_repo(JsonWriter& w, const Repository& repo) {
    w.begin_object("repo");
    w.number("id", repo.id);
    w.string("url", bases_.api + "/repos/" + repo.owner + "/" + repo.name);
    w.string("name", repo.name);
    w.end_object();
  }

  void head_commit(JsonWriter& w, const Run& r) {
    int64_t created = 0;
    parse_timestamp(r.created_at, created);
    // The commit predates the run by a little: pushes, merges and tags are not instant.
    const int64_t committed = created - 4 - static_cast<int64_t>(fnv1a(r.head_sha) % 600);
    w.begin_object("head_commit");
    w.string("id", r.head_sha);
    w.string("tree_id", derived_sha("tree:" + r.head_sha));
    w.string("message", r.head_commit_message);
    w.string("timestamp", format_timestamp(committed));
    w.begin_object("author");
    w.string("name", r.actor_login);
    w.string("email", std::to_string(r.actor_id) + "+" + r.actor_login + "@users.noreply.github.com");
    w.end_object();
    w.begin_object("committer");
    w.string("name", "GitHub");
    w.string("email", "noreply@github.com");
    w.end_object();
    w.end_object();
  }

  const std::string& repository_json(const Repository& repo, bool head_style) {
    for (const auto& c : repo_cache_)
      if (c.id == repo.id && c.head_style == head_style) return c.json;
    std::string out;
    JsonWriter w(out);
    const std::string full_name = repo.owner + "/" + repo.name;
    const std::string url = bases_.api + "/repos/" + full_name;
    w.begin_object();
    auto emit = [&](const std::string& key) {
      if (key == "id") {
        w.number("id", repo.id);
      } else if (key == "node_id") {
        w.string("node_id", node_id("Repository", repo.id));
      } else if (key == "name") {
        w.string("name", repo.name);
      } else if (key == "full_name") {
        w.string("full_name", full_name);
      } else if (key == "owner") {
        user(w, "owner", repo.owner, owner_id_of(repo), repo.owner_type);
      } else if (key == "private") {
        w.boolean("private", repo.is_private);
      } else if (key == "html_url") {
        w.string("html_url", bases_.html + "/" + full_name);
      } else if (key == "description") {
        w.string_or_null("description", repo.description);
      } else if (key == "fork") {
        w.boolean("fork", repo.is_fork);
      } else if (key == "url") {
        w.string("url", url);
      } else if (key == "git_url") {
        w.string("git_url", "git://" + bases_.git_host + "/" + full_name + ".git");
      } else if (key == "ssh_url") {
        w.string("ssh_url", "git@" + bases_.git_host + ":" + full_name + ".git");
      } else {
        w.string(key.c_str(), url + repository_url_suffix(key));
      }
    };
    if (head_style)
      for (const char* key : kHeadRepositoryKeys) emit(key);
    else
      for (const char* key : kRepositoryKeys) emit(key);
    w.end_object();
    repo_cache_.push_back({repo.id, head_style, std::move(out)});
    return repo_cache_.back().json;
  }

  struct CachedRepository {
    int64_t id;
    bool head_style;
    std::string json;
  };
  const Dataset& data_;
  const UrlBases& bases_;
  std::deque<CachedRepository> repo_cache_;  // deque: references stay valid as it grows
  const Repository* last_repo_ = nullptr;
};

// The run as it looked at an earlier attempt: finished, and failed (or it would not
// have been re-run).
Run as_of_attempt(const Run& r, int attempt) {
  Run out = r;
  if (attempt >= r.run_attempt) return out;
  int64_t created = 0, latest_start = 0;
  parse_timestamp(r.created_at, created);
  parse_timestamp(r.run_started_at, latest_start);
  const int64_t slot = std::max<int64_t>(2, (latest_start - created) / (r.run_attempt - 1));
  const int64_t start = created + slot * (attempt - 1);
  out.run_attempt = attempt;
  out.status = "completed";
  out.conclusion = "failure";
  out.run_started_at = format_timestamp(attempt == 1 ? created : start);
  out.updated_at = format_timestamp(start + slot / 2);
  return out;
}

// ---------------------------------------------------------------------------------------
// The created filter: GitHub's search date syntax, compared as text once expanded.

struct CreatedRange {
  std::string low, high;  // "" = open
  bool low_strict = false, high_strict = false;

  bool contains(const std::string& t) const {
    if (!low.empty() && (low_strict ? t <= low : t < low)) return false;
    if (!high.empty() && (high_strict ? t >= high : t > high)) return false;
    return true;
  }
};

bool day_start(const std::string& d, std::string& out) {
  int64_t ignored;
  if (!parse_timestamp(d, ignored)) return false;
  out = d.size() == 10 ? d + "T00:00:00Z" : d;
  return true;
}

bool day_end(const std::string& d, std::string& out) {
  int64_t ignored;
  if (!parse_timestamp(d, ignored)) return false;
  out = d.size() == 10 ? d + "T23:59:59Z" : d;
  return true;
}

bool parse_created(const std::string& text, CreatedRange& r) {
  size_t dots = text.find("..");
  if (dots != std::string::npos) {
    const std::string a = text.substr(0, dots), b = text.substr(dots + 2);
    if (a != "*" && !day_start(a, r.low)) return false;
    if (b != "*" && !day_end(b, r.high)) return false;
    return true;
  }
  if (text.rfind(">=", 0) == 0) return day_start(text.substr(2), r.low);
  if (text.rfind("<=", 0) == 0) return day_end(text.substr(2), r.high);
  if (text.rfind(">", 0) == 0) return r.low_strict = true, day_end(text.substr(1), r.low);
  if (text.rfind("<", 0) == 0) return r.high_strict = true, day_start(text.substr(1), r.high);
  return day_start(text, r.low) && day_end(text, r.high);
}

// ---------------------------------------------------------------------------------------
// Connections, located by their ports: how the server drops keep-alive connections on
// shutdown and resets one on demand (the HTTP library does not expose its sockets).

template <class Fn>
void for_each_connection(int local_port, Fn fn) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
  const int dir_fd = dirfd(dir);
  while (dirent* entry = readdir(dir)) {
    if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) continue;
    const int fd = std::atoi(entry->d_name);
    if (fd == dir_fd) continue;
    sockaddr_in self{}, peer{};
    socklen_t len = sizeof self;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&self), &len) != 0 || self.sin_family != AF_INET) continue;
    if (ntohs(self.sin_port) != local_port) continue;
    len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) continue;
    fn(fd, static_cast<int>(ntohs(peer.sin_port)));
  }
  closedir(dir);
}

// Sends a TCP reset and leaves the descriptor pointing at /dev/null, so the library's own
// later writes fail quietly and its close() does not hit a reused descriptor.
void reset_connection(int local_port, int remote_port) {
  for_each_connection(local_port, [&](int fd, int peer_port) {
    if (peer_port != remote_port) return;
    linger abort_on_close{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) return;
    dup2(devnull, fd);
    close(devnull);
  });
}

// Counts accepted connections: the server hands each one to its task queue.
class CountingThreadPool : public httplib::ThreadPool {
 public:
  CountingThreadPool(size_t n, std::atomic<int>& counter) : ThreadPool(n), counter_(counter) {}
  void enqueue(std::function<void()> fn) override {
    ++counter_;
    ThreadPool::enqueue(std::move(fn));
  }

 private:
  std::atomic<int>& counter_;
};

// A stored-method zip archive, as GitHub's log downloads are zips.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  auto crc32 = [](const std::string& data) {
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char c : data) {
      crc ^= c;
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
  };
  auto u16 = [](std::string& out, uint32_t v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>((v >> 8) & 0xFF);
  };
  auto u32 = [&](std::string& out, uint32_t v) {
    u16(out, v & 0xFFFF);
    u16(out, v >> 16);
  };
  std::string body, directory;
  for (const auto& [name, data] : files) {
    const uint32_t crc = crc32(data), offset = static_cast<uint32_t>(body.size());
    const uint32_t size = static_cast<uint32_t>(data.size()), name_len = static_cast<uint32_t>(name.size());
    u32(body, 0x04034b50);
    u16(body, 20);
    u16(body, 0);
    u16(body, 0);
    u16(body, 0);
    u16(body, 0x21);  // 1980-01-01
    u32(body, crc);
    u32(body, size);
    u32(body, size);
    u16(body, name_len);
    u16(body, 0);
    body += name;
    body += data;
    u32(directory, 0x02014b50);
    u16(directory, 20);
    u16(directory, 20);
    u16(directory, 0);
    u16(directory, 0);
    u16(directory, 0);
    u16(directory, 0x21);
    u32(directory, crc);
    u32(directory, size);
    u32(directory, size);
    u16(directory, name_len);
    u16(directory, 0);
    u16(directory, 0);
    u16(directory, 0);
    u16(directory, 0);
    u32(directory, 0);
    u32(directory, offset);
    directory += name;
  }
  const uint32_t dir_offset = static_cast<uint32_t>(body.size());
  body += directory;
  u32(body, 0x06054b50);
  u16(body, 0);
  u16(body, 0);
  u16(body, static_cast<uint32_t>(files.size()));
  u16(body, static_cast<uint32_t>(files.size()));
  u32(body, static_cast<uint32_t>(directory.size()));
  u32(body, dir_offset);
  u16(body, 0);
  return body;
}

const char kJson[] = "application/json; charset=utf-8";
const char kDocs[] = "https://docs.github.com/rest/actions/";

// Replaces status and body; a body starting with '<' goes out as HTML, as from a proxy.
void set_fault_body(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.headers.erase("Content-Type");
  res.set_content(body, !body.empty() && body[0] == '<' ? "text/html; charset=utf-8" : kJson);
}

std::string error_body(const std::string& message, const std::string& doc) {
  std::string out = "{\"message\":";
  append_json_string(out, message);
  out += ",\"documentation_url\":";
  append_json_string(out, doc);
  out += '}';
  return out;
}

// What one request carries through the routes.
struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  std::string raw_path;   // as received, without the query
  std::string raw_query;  // as received, without '?'
  QueryList query;        // decoded, in order

  std::string param(const char* name) const {
    for (const auto& [k, v] : query)
      if (k == name) return v;
    return "";
  }
  void json(int status, std::string body) {
    res.status = status;
    res.set_content(std::move(body), kJson);
  }
  void empty(int status) {
    res.status = status;
    res.set_header("Content-Type", kJson);
  }
  // anchor: "workflow-runs#get-a-workflow-run"; "" for GitHub's generic page.
  void error(int status, const std::string& message, const std::string& anchor) {
    json(status, error_body(message, anchor.empty() ? "https://docs.github.com/rest" : kDocs + anchor));
  }
  void validation_failed(const std::string& resource, const std::string& field, const std::string& anchor) {
    std::string body = "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":";
    append_json_string(body, resource);
    body += ",\"field\":";
    append_json_string(body, field);
    body += ",\"code\":\"invalid\"}],\"documentation_url\":";
    append_json_string(body, kDocs + anchor);
    body += '}';
    json(422, std::move(body));
  }
};

// The filters that make GitHub stop paging at the result cap.
const char* const kCappingFilters[] = {"actor", "branch", "check_suite_id", "created", "event", "head_sha", "status"};

}  // namespace

// ---------------------------------------------------------------------------------------
// RecordedRequest and Fault

std::string RecordedRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}
bool RecordedRequest::has_header(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
std::string RecordedRequest::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}
bool RecordedRequest::has_param(const std::string& name) const { return params.count(name) > 0; }

Fault Fault::status(int code, std::string body) {
  Fault f;
  f.kind = Kind::Status;
  f.http_status = code;
  f.response_body = std::move(body);
  return f;
}
Fault Fault::reset() {
  Fault f;
  f.kind = Kind::Reset;
  return f;
}
Fault Fault::stall(std::chrono::milliseconds how_long) {
  Fault f;
  f.kind = Kind::Stall;
  f.stall_for = how_long;
  return f;
}
Fault Fault::truncate() {
  Fault f;
  f.kind = Kind::Truncate;
  return f;
}
Fault Fault::body(std::string body, int status) {
  Fault f;
  f.kind = Kind::Body;
  f.http_status = status;
  f.response_body = std::move(body);
  return f;
}
Fault& Fault::for_method(std::string method) {
  only_method = std::move(method);
  return *this;
}

Fault& Fault::with_header(std::string name, std::string value) {
  extra_headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

// ---------------------------------------------------------------------------------------
// The server

struct FakeGitHub::Impl {
  Options opts;
  httplib::Server server;
  std::thread listener;
  int port = 0;
  std::string origin, base;
  UrlBases bases;
  int64_t rate_reset = 0;

  mutable std::shared_mutex data_mutex;
  Dataset data;
  uint64_t generation = 0;  // bumped on every change to data, under data_mutex

  mutable std::mutex log_mutex;
  std::vector<RecordedRequest> log;

  struct FaultRule {
    Fault fault;
    int remaining;
    std::string path_contains;
  };
  std::mutex fault_mutex;
  std::deque<FaultRule> faults;

  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopping = false;

  std::atomic<int> connections{0};
  std::atomic<int> used{0};
  std::atomic<int> admitted{0};  // requests let past the enforced rate limit
  std::atomic<uint64_t> request_counter{0};
  std::atomic<int> requests_in_flight{0}, most_in_flight{0};

  // Filtered, sorted listings, reused while the data is unchanged so paging through a
  // large result does not rescan it for every page.
  struct Listing {
    uint64_t generation;
    std::string key;
    std::shared_ptr<const std::vector<const Run*>> runs;
  };
  std::mutex listing_mutex;
  std::deque<Listing> listings;

  Impl(Dataset d, Options o) : opts(std::move(o)), data(std::move(d)) {}

  void handle(const httplib::Request& req, httplib::Response& res);
  void record(const Call& call, int in_flight);
  bool take_fault(const std::string& method, const std::string& target, Fault& out);
  void route(Call& call);
  void serve_blob(Call& call);
  void finish(Call& call);

  void list_runs(Call& call, const std::string& owner, const std::string& repo, const std::string* workflow);
  void list_workflows(Call& call, const std::string& owner, const std::string& repo, const std::string* workflow);
  void run_read(Call& call, const std::string& owner, const std::string& repo, const std::vector<std::string>& rest);
  void run_write(Call& call, const std::string& owner, const std::string& repo, const std::vector<std::string>& rest);
  void job_route(Call& call, const std::string& owner, const std::string& repo, const std::vector<std::string>& rest);

  std::shared_ptr<const std::vector<const Run*>> listing(const std::string& key, const std::vector<Run>& stored,
                                                         const std::function<bool(const Run&)>& keep);
  std::pair<int64_t, int64_t> paginate(Call& call, int64_t visible);
  // Server modes for listings that change or misbehave (see Options).
  void churn_busy_repository(const std::string& owner, const std::string& repo);
  bool beyond_unfiltered_page_limit(Call& call, bool capped);
  std::string looping_next(const Call& call, int64_t page, const std::function<std::string(int64_t)>& url) const;
  uint64_t busy_rng = 0;
  std::string blob_url(const std::string& path) const;
  void stall(std::chrono::milliseconds how_long);
  void shutdown_connections();
};

void FakeGitHub::Impl::record(const Call& call, int in_flight) {
  RecordedRequest r;
  r.in_flight = in_flight;
  r.method = call.req.method;
  r.path = call.raw_path;
  r.query = call.raw_query;
  for (const auto& [k, v] : call.query) r.params.emplace(k, v);
  for (const auto& [k, v] : call.req.headers) {
    // The library adds the socket addresses as pseudo-headers; they were not sent.
    if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT") continue;
    r.headers.emplace(lower(k), v);
  }
  r.body = call.req.body;
  r.remote_port = call.req.remote_port;
  std::lock_guard<std::mutex> lock(log_mutex);
  log.push_back(std::move(r));
}

bool FakeGitHub::Impl::take_fault(const std::string& method, const std::string& target, Fault& out) {
  std::lock_guard<std::mutex> lock(fault_mutex);
  for (auto it = faults.begin(); it != faults.end(); ++it) {
    if (target.find(it->path_contains) == std::string::npos) continue;
    if (!it->fault.only_method.empty() && it->fault.only_method != method) continue;
    out = it->fault;
    if (--it->remaining <= 0) faults.erase(it);
    return true;
  }
  return false;
}

void FakeGitHub::Impl::stall(std::chrono::milliseconds how_long) {
  std::unique_lock<std::mutex> lock(stop_mutex);
  stop_cv.wait_for(lock, how_long, [&] { return stopping; });
}

std::string FakeGitHub::Impl::blob_url(const std::string& path) const {
  // "localhost", not 127.0.0.1: another origin, as blob storage is on GitHub.
  char sig[24];
  std::snprintf(sig, sizeof sig, "%016llx", static_cast<unsigned long long>(fnv1a("blob-secret:" + path)));
  return "http://localhost:" + std::to_string(port) + path + "?sig=" + sig;
}

void FakeGitHub::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  const size_t q = req.target.find('?');
  Call call{req, res, req.target.substr(0, q), q == std::string::npos ? "" : req.target.substr(q + 1), {}};
  call.query = parse_query(call.raw_query);
  // Counted while the request is handled: how many a client keeps in flight at once.
  struct InFlight {
    std::atomic<int>& count;
    ~InFlight() { --count; }
  } in_flight{requests_in_flight};
  const int now_in_flight = ++requests_in_flight;
  for (int seen = most_in_flight.load(); now_in_flight > seen && !most_in_flight.compare_exchange_weak(seen, now_in_flight);) {
  }
  record(call, now_in_flight);
  if (opts.latency_ms > 0) stall(std::chrono::milliseconds(opts.latency_ms));

  Fault fault;
  const bool faulted = take_fault(req.method, req.target, fault);
  if (faulted && fault.kind == Fault::Kind::Stall) stall(fault.stall_for);
  if (faulted && fault.kind == Fault::Kind::Reset) {
    reset_connection(req.local_port, req.remote_port);
    res.status = 500;
    return;
  }

  const bool blob = call.raw_path.rfind("/blob/", 0) == 0;
  if (faulted && fault.kind == Fault::Kind::Status) {
    set_fault_body(res, fault.http_status, fault.response_body);
  } else if (blob) {
    serve_blob(call);
  } else {
    route(call);
  }
  if (!blob) finish(call);

  if (!faulted) return;
  // A name given twice is sent on two lines (e.g. a Link header split in two).
  for (const auto& [name, value] : fault.extra_headers) res.headers.erase(name);
  for (const auto& [name, value] : fault.extra_headers) res.set_header(name, value);
  if (fault.kind == Fault::Kind::Body) {
    set_fault_body(res, fault.http_status, fault.response_body);
  } else if (fault.kind == Fault::Kind::Truncate) {
    auto body = std::make_shared<std::string>(std::move(res.body));
    res.body.clear();
    const size_t declared = body->empty() ? 64 : body->size();
    const size_t sent = body->size() / 2;
    const std::string type = res.get_header_value("Content-Type");
    res.headers.erase("Content-Type");
    res.set_content_provider(declared, type.empty() ? kJson : type,
                             [body, sent](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset == 0 && sent > 0) return sink.write(body->data(), sent);
                               return false;  // the library closes the connection
                             });
  }
}

void FakeGitHub::Impl::route(Call& call) {
  const httplib::Request& req = call.req;
  if (req.get_header_value("User-Agent").empty()) {
    call.json(403,
              "{\"message\":\"Request forbidden by administrative rules. Please make sure your request has a "
              "User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-"
              "required). Check https://developer.github.com for other possible causes.\"}");
    return;
  }
  if (!opts.required_token.empty() && req.get_header_value("Authorization") != "Bearer " + opts.required_token) {
    call.json(401, "{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com/rest\"}");
    return;
  }
  // Counted as the request is admitted, so that requests in flight together cannot all pass.
  if (opts.enforce_rate_limit && admitted++ >= opts.rate_limit) {
    call.json(403, error_body("API rate limit exceeded for 127.0.0.1.",
                              "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"));
    return;
  }

  const std::string& prefix = opts.path_prefix;
  if (call.raw_path.compare(0, prefix.size(), prefix) != 0) return call.error(404, "Not Found", "");
  std::vector<std::string> seg;
  {
    const std::string rest = call.raw_path.substr(prefix.size());
    if (rest.empty() || rest[0] != '/') return call.error(404, "Not Found", "");
    size_t pos = 1;
    for (;;) {
      size_t slash = rest.find('/', pos);
      seg.push_back(percent_decode(rest.substr(pos, slash - pos), false));
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
  }
  const std::string& m = req.method;
  const bool get = m == "GET" || m == "HEAD";
  if (seg.size() < 5 || seg[0] != "repos" || seg[3] != "actions") return call.error(404, "Not Found", "");
  const std::string &owner = seg[1], &repo = seg[2];
  const std::vector<std::string> rest(seg.begin() + 4, seg.end());
  if (((rest[0] == "runs" && rest.size() == 1) || (rest[0] == "workflows" && rest.size() == 3 && rest[2] == "runs")) && get)
    churn_busy_repository(owner, repo);
  if (rest[0] == "runs" && rest.size() == 1 && get) return list_runs(call, owner, repo, nullptr);
  if (rest[0] == "workflows" && rest.size() == 3 && rest[2] == "runs" && get)
    return list_runs(call, owner, repo, &rest[1]);
  if (rest[0] == "workflows" && rest.size() <= 2 && get)
    return list_workflows(call, owner, repo, rest.size() == 2 ? &rest[1] : nullptr);
  if (rest[0] == "runs" && rest.size() >= 2 && get) return run_read(call, owner, repo, rest);
  if (rest[0] == "runs" && rest.size() >= 2 && (m == "POST" || m == "DELETE"))
    return run_write(call, owner, repo, rest);
  if (rest[0] == "jobs" && rest.size() >= 2) return job_route(call, owner, repo, rest);
  call.error(404, "Not Found", "");
}

// Rate-limit headers, ETag and conditional requests, GitHub's version headers.
void FakeGitHub::Impl::finish(Call& call) {
  httplib::Response& res = call.res;
  const bool cacheable = (call.req.method == "GET" || call.req.method == "HEAD") && res.status == 200;
  if (cacheable) {
    char etag[40];
    std::snprintf(etag, sizeof etag, "W/\"%016llx\"", static_cast<unsigned long long>(fnv1a(res.body)));
    res.set_header("ETag", etag);
    if (call.req.get_header_value("If-None-Match") == etag) {
      res.status = 304;  // and, as on GitHub, free of charge
      res.body.clear();
      if (opts.enforce_rate_limit) --admitted;
    }
  }
  const int spent = res.status == 304 ? used.load() : ++used;
  res.set_header("x-ratelimit-limit", std::to_string(opts.rate_limit));
  res.set_header("x-ratelimit-remaining", std::to_string(std::max(0, opts.rate_limit - spent)));
  res.set_header("x-ratelimit-used", std::to_string(spent));
  res.set_header("x-ratelimit-reset", std::to_string(rate_reset));
  res.set_header("x-ratelimit-resource", "core");
  res.set_header("x-github-api-version-selected", "2022-11-28");
  res.set_header("x-github-media-type", "github.v3; format=json");
  char id[48];
  std::snprintf(id, sizeof id, "%04X:%06llX:%08llX", port & 0xFFFF, static_cast<unsigned long long>(++request_counter),
                static_cast<unsigned long long>(fnv1a(call.req.target)) & 0xFFFFFFFFull);
  res.set_header("x-github-request-id", id);
  if (res.get_header_value("Content-Type").empty()) res.set_header("Content-Type", kJson);
}

std::shared_ptr<const std::vector<const Run*>> FakeGitHub::Impl::listing(const std::string& key,
                                                                         const std::vector<Run>& stored,
                                                                         const std::function<bool(const Run&)>& keep) {
  {
    std::lock_guard<std::mutex> lock(listing_mutex);
    for (const auto& l : listings)
      if (l.generation == generation && l.key == key) return l.runs;
  }
  auto runs = std::make_shared<std::vector<const Run*>>();
  for (auto it = stored.rbegin(); it != stored.rend(); ++it)
    if (keep(*it)) runs->push_back(&*it);
  std::lock_guard<std::mutex> lock(listing_mutex);
  listings.push_front({generation, key, runs});
  if (listings.size() > 16) listings.pop_back();
  return runs;
}

// Clamps per_page and page as GitHub does, sets the Link header, and returns the slice
// [first, last) of the `visible` results that this page shows.
std::pair<int64_t, int64_t> FakeGitHub::Impl::paginate(Call& call, int64_t visible) {
  int64_t per_page = 0, page = 0;
  if (!parse_int64(call.param("per_page"), per_page) || per_page < 1) per_page = 30;
  per_page = std::min<int64_t>(per_page, 100);
  if (!parse_int64(call.param("page"), page) || page < 1) page = 1;
  // Compared before multiplying, so that a huge page number cannot overflow.
  const int64_t first = page > visible / per_page + 1 ? visible : (page - 1) * per_page;
  const std::pair<int64_t, int64_t> slice{first, std::min(visible, first + per_page)};
  const int64_t last_page = std::max<int64_t>(1, (visible + per_page - 1) / per_page);
  if (page == 1 && last_page == 1) return slice;

  auto url = [&](int64_t n) {
    std::string u = (opts.link_base_override.empty() ? origin : opts.link_base_override) + call.raw_path + "?";
    bool page_written = false, any = false;
    for (const auto& [k, v] : call.query) {
      if (k == "page" && page_written) continue;
      if (any) u += '&';
      any = true;
      u += percent_encode(k) + "=";
      if (k == "page") {
        u += std::to_string(n);
        page_written = true;
      } else {
        u += percent_encode(v);
      }
    }
    if (!page_written) u += std::string(any ? "&" : "") + "page=" + std::to_string(n);
    return "<" + u + ">";
  };
  std::vector<std::string> parts;
  if (page > 1) parts.push_back(url(std::min(page - 1, last_page)) + "; rel=\"prev\"");
  if (page < last_page) {
    parts.push_back((opts.link_loop == LinkLoop::None ? url(page + 1) : looping_next(call, page, url)) + "; rel=\"next\"");
    parts.push_back(url(last_page) + "; rel=\"last\"");
  }
  if (page > 1) parts.push_back(url(1) + "; rel=\"first\"");
  std::string link;
  for (const auto& p : parts) link += (link.empty() ? "" : ", ") + p;
  call.res.set_header("Link", link);
  return slice;
}

void FakeGitHub::Impl::list_runs(Call& call, const std::string& owner, const std::string& repo,
                                 const std::string* workflow) {
  const std::string anchor = workflow ? "workflow-runs#list-workflow-runs-for-a-workflow"
                                      : "workflow-runs#list-workflow-runs-for-a-repository";
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  const std::vector<Run>* stored = data.stored_runs(owner, repo);
  if (!stored) return call.error(404, "Not Found", anchor);
  const Workflow* wf = nullptr;
  if (workflow && !(wf = data.find_workflow(owner, repo, *workflow))) return call.error(404, "Not Found", anchor);

  const std::string actor = call.param("actor"), branch = call.param("branch"), event = call.param("event"),
                    status = call.param("status"), created = call.param("created"), head_sha = call.param("head_sha"),
                    check_suite = call.param("check_suite_id");
  CreatedRange range;
  if (!created.empty() && !parse_created(created, range))
    return call.validation_failed("WorkflowRun", "created", anchor);
  const int64_t workflow_id = wf ? wf->id : 0;
  const std::string key = lower(owner + "/" + repo) + '\n' + std::to_string(workflow_id) + '\n' + actor + '\n' +
                          branch + '\n' + event + '\n' + status + '\n' + created + '\n' + head_sha + '\n' + check_suite;
  auto runs = listing(key, *stored, [&](const Run& r) {
    return (!wf || r.workflow_id == workflow_id) && (actor.empty() || r.actor_login == actor) &&
           (branch.empty() || r.head_branch == branch) && (event.empty() || r.event == event) &&
           (status.empty() || r.status == status || r.conclusion == status) &&
           (created.empty() || range.contains(r.created_at)) && (head_sha.empty() || r.head_sha == head_sha) &&
           (check_suite.empty() || std::to_string(r.check_suite_id) == check_suite);
  });

  bool capped = false;
  for (const char* f : kCappingFilters) capped = capped || !call.param(f).empty();
  const int64_t total = static_cast<int64_t>(runs->size());
  if (beyond_unfiltered_page_limit(call, capped)) return;
  int64_t visible = capped ? std::min<int64_t>(total, opts.result_cap) : total;
  if (!capped && opts.unfiltered_page_limit > 0) visible = std::min<int64_t>(visible, opts.unfiltered_page_limit);
  const auto [first, last] = paginate(call, visible);
  const std::string exclude = lower(call.param("exclude_pull_requests"));
  const bool include_prs = !(exclude == "true" || exclude == "1");

  Renderer render(data, bases);
  std::string body;
  body.reserve(static_cast<size_t>(last - first) * 9000 + 64);
  body += "{\"total_count\":" + std::to_string(total) + ",\"workflow_runs\":[";
  for (int64_t i = first; i < last; ++i) {
    if (i > first) body += ',';
    render.run(body, *(*runs)[static_cast<size_t>(i)], include_prs);
  }
  body += "]}";
  call.json(200, std::move(body));
}

// ---------------------------------------------------------------------------------------
// Listings that change or misbehave: a busy repository, the limit on unfiltered pagination,
// Link headers that loop.

void FakeGitHub::Impl::churn_busy_repository(const std::string& owner, const std::string& repo) {
  const BusyRepository& busy = opts.busy;
  if (busy.owner.empty() || lower(owner) != lower(busy.owner) || lower(repo) != lower(busy.repo)) return;
  std::unique_lock<std::shared_mutex> lock(data_mutex);
  const std::vector<Run>* stored = data.stored_runs(owner, repo);
  if (!stored || stored->empty()) return;
  if (busy_rng == 0) busy_rng = busy.seed * 0x9e3779b97f4a7c15ULL + 1;
  auto random = [&](size_t n) {
    busy_rng ^= busy_rng << 13;
    busy_rng ^= busy_rng >> 7;
    busy_rng ^= busy_rng << 17;
    return static_cast<size_t>(busy_rng % n);
  };
  ++generation;
  for (int k = 0; k < busy.deletes && !stored->empty(); ++k) {
    const Run& victim = (*stored)[random(stored->size())];
    data.remove_run(owner, repo, victim.id);
  }
  for (int k = 0; k < busy.inserts && !stored->empty(); ++k) {
    Run fresh = (*stored)[random(stored->size())];
    int64_t newest = 0;
    parse_timestamp(stored->back().created_at, newest);
    fresh.id = data.max_run_id() + 1;
    fresh.run_number = stored->back().run_number + 1;
    fresh.check_suite_id += 1000000;
    fresh.created_at = fresh.updated_at = fresh.run_started_at = format_timestamp(newest + 1);
    data.add_run(std::move(fresh));
  }
}

bool FakeGitHub::Impl::beyond_unfiltered_page_limit(Call& call, bool capped) {
  if (capped || opts.unfiltered_page_limit <= 0) return false;
  int64_t per_page = 0, page = 0;
  if (!parse_int64(call.param("per_page"), per_page) || per_page < 1) per_page = 30;
  per_page = std::min<int64_t>(per_page, 100);
  if (!parse_int64(call.param("page"), page) || page < 1) page = 1;
  if (page <= 1 || page - 1 < (opts.unfiltered_page_limit + per_page - 1) / per_page) return false;
  call.json(422, error_body("In order to keep the API fast for everyone, pagination is limited for this resource.",
                            std::string(kDocs) + "workflow-runs#list-workflow-runs-for-a-repository"));
  return true;
}

std::string FakeGitHub::Impl::looping_next(const Call& call, int64_t page,
                                           const std::function<std::string(int64_t)>& url) const {
  if (opts.link_loop == LinkLoop::SameUrl)
    return "<" + (opts.link_base_override.empty() ? origin : opts.link_base_override) + call.req.target + ">";
  return url(page >= 3 ? page - 1 : page + 1);
}

void FakeGitHub::Impl::list_workflows(Call& call, const std::string& owner, const std::string& repo,
                                      const std::string* workflow) {
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  const Repository* r = data.find_repository(owner, repo);
  const std::string anchor = workflow ? "workflows#get-a-workflow" : "workflows#list-repository-workflows";
  if (!r) return call.error(404, "Not Found", anchor);
  const std::string repo_url = bases.api + "/repos/" + r->owner + "/" + r->name;
  auto write = [&](JsonWriter& w, const Workflow& wf) {
    w.begin_object();
    w.number("id", wf.id);
    w.string("node_id", node_id("Workflow", wf.id));
    w.string("name", wf.name);
    w.string("path", wf.path);
    w.string("state", "active");
    w.string("created_at", "2024-03-11T09:12:44Z");
    w.string("updated_at", "2026-01-15T16:40:02Z");
    w.string("url", repo_url + "/actions/workflows/" + std::to_string(wf.id));
    w.string("html_url", bases.html + "/" + r->owner + "/" + r->name + "/blob/" + r->default_branch + "/" + wf.path);
    const size_t slash = wf.path.rfind('/');
    w.string("badge_url", bases.html + "/" + r->owner + "/" + r->name + "/workflows/" +
                              wf.path.substr(slash == std::string::npos ? 0 : slash + 1) + "/badge.svg");
    w.end_object();
  };
  std::string body;
  JsonWriter w(body);
  if (workflow) {
    const Workflow* wf = data.find_workflow(owner, repo, *workflow);
    if (!wf) return call.error(404, "Not Found", anchor);
    write(w, *wf);
    return call.json(200, std::move(body));
  }
  const auto [first, last] = paginate(call, static_cast<int64_t>(r->workflows.size()));
  w.begin_object();
  w.number("total_count", static_cast<int64_t>(r->workflows.size()));
  w.begin_array("workflows");
  for (int64_t i = first; i < last; ++i) write(w, r->workflows[static_cast<size_t>(i)]);
  w.end_array();
  w.end_object();
  call.json(200, std::move(body));
}

// GET …/runs/{id}, …/attempts/{n}, …/jobs, …/logs and their attempt forms.
void FakeGitHub::Impl::run_read(Call& call, const std::string& owner, const std::string& repo,
                                const std::vector<std::string>& rest) {
  // rest: runs {id} [attempts {n}] [jobs|logs]
  std::string anchor = "workflow-runs#get-a-workflow-run";
  int64_t id = 0, attempt = 0;
  size_t i = 2;
  if (rest.size() >= 4 && rest[2] == "attempts") {
    anchor = "workflow-runs#get-a-workflow-run-attempt";
    if (!parse_int64(rest[3], attempt)) return call.error(404, "Not Found", anchor);
    i = 4;
  }
  const std::string tail = i < rest.size() ? rest[i] : "";
  if (i + 1 < rest.size() || (!tail.empty() && tail != "jobs" && tail != "logs"))
    return call.error(404, "Not Found", "");
  if (tail == "jobs")
    anchor =
        attempt ? "workflow-jobs#list-jobs-for-a-workflow-run-attempt" : "workflow-jobs#list-jobs-for-a-workflow-run";
  if (tail == "logs")
    anchor = attempt ? "workflow-runs#download-workflow-run-attempt-logs" : "workflow-runs#download-workflow-run-logs";

  std::shared_lock<std::shared_mutex> lock(data_mutex);
  const Run* found = parse_int64(rest[1], id) ? data.find_run(owner, repo, id) : nullptr;
  if (!found) return call.error(404, "Not Found", anchor);
  if (i == 4 && (attempt < 1 || attempt > found->run_attempt)) return call.error(404, "Not Found", anchor);
  const Run run = attempt ? as_of_attempt(*found, static_cast<int>(attempt)) : *found;

  if (tail == "logs") {
    call.res.set_header("Location", blob_url("/blob/logs/" + std::to_string(run.id) + ".zip"));
    return call.empty(302);
  }
  Renderer render(data, bases);
  std::string body;
  if (tail == "jobs") {
    const auto [first, last] = paginate(call, 3);
    body = "{\"total_count\":3,\"jobs\":[";
    for (int64_t k = first; k < last; ++k) {
      if (k > first) body += ',';
      render.job(body, run, static_cast<int>(k + 1));
    }
    body += "]}";
  } else {
    render.run(body, run, true);
  }
  call.json(200, std::move(body));
}

void FakeGitHub::Impl::run_write(Call& call, const std::string& owner, const std::string& repo,
                                 const std::vector<std::string>& rest) {
  const std::string& m = call.req.method;
  const std::string action = rest.size() == 3 ? rest[2] : "";
  std::string anchor;
  if (m == "DELETE" && rest.size() == 2)
    anchor = "workflow-runs#delete-a-workflow-run";
  else if (m == "DELETE" && action == "logs")
    anchor = "workflow-runs#delete-workflow-run-logs";
  else if (m == "POST" && action == "cancel")
    anchor = "workflow-runs#cancel-a-workflow-run";
  else if (m == "POST" && action == "force-cancel")
    anchor = "workflow-runs#force-cancel-a-workflow-run";
  else if (m == "POST" && action == "rerun")
    anchor = "workflow-runs#re-run-a-workflow";
  else if (m == "POST" && action == "rerun-failed-jobs")
    anchor = "workflow-runs#re-run-failed-jobs-from-a-workflow-run";
  else if (m == "POST" && action == "approve")
    anchor = "workflow-runs#approve-a-workflow-run-for-a-fork-pull-request";
  else if (m == "POST" && action == "deployment_protection_rule")
    anchor = "workflow-runs#review-custom-deployment-protection-rules-for-a-workflow-run";
  else if (m == "POST" && action == "pending_deployments")
    anchor = "workflow-runs#review-pending-deployments-for-a-workflow-run";
  else
    return call.error(404, "Not Found", "");

  JsonValue body;
  const bool has_body = call.req.body.find_first_not_of(" \t\r\n") != std::string::npos;
  if (has_body && !JsonReader(call.req.body).parse(body))
    return call.json(400, error_body("Problems parsing JSON", kDocs + anchor));

  std::unique_lock<std::shared_mutex> lock(data_mutex);
  int64_t id = 0;
  Run* run = parse_int64(rest[1], id) ? data.find_run(owner, repo, id) : nullptr;
  if (!run) return call.error(404, "Not Found", anchor);
  const std::string now = format_timestamp(now_epoch());
  ++generation;

  if (m == "DELETE" && action.empty()) {
    data.remove_run(owner, repo, id);
    return call.empty(204);
  }
  if (action == "logs") return call.empty(204);
  if (action == "cancel" || action == "force-cancel") {
    if (run->status == "completed") return call.error(409, "Cannot cancel a workflow run that is completed.", anchor);
    run->status = "completed";
    run->conclusion = "cancelled";
    run->updated_at = now;
    return call.json(202, "{}");
  }
  if (action == "rerun" || action == "rerun-failed-jobs") {
    if (has_body && body.type != JsonValue::Object) return call.validation_failed("WorkflowRun", "body", anchor);
    if (has_body) {
      const JsonValue* debug = body.get("enable_debug_logging");
      if (debug && debug->type != JsonValue::Bool)
        return call.validation_failed("WorkflowRun", "enable_debug_logging", anchor);
    }
    if (run->status != "completed") return call.error(403, "This workflow run is not complete", anchor);
    if (action == "rerun-failed-jobs" && run->conclusion != "failure" && run->conclusion != "timed_out" &&
        run->conclusion != "cancelled" && run->conclusion != "startup_failure")
      return call.error(403, "This workflow run has no failed jobs", anchor);
    ++run->run_attempt;
    run->status = "queued";
    run->conclusion.clear();
    run->run_started_at = run->updated_at = now;
    return call.json(201, "{}");
  }
  if (action == "approve") {
    if (run->status != "action_required") return call.error(403, "This run is not waiting for approval", anchor);
    run->status = "queued";
    run->updated_at = now;
    return call.json(201, "{}");
  }
  auto is_string = [&](const char* key) {
    const JsonValue* v = body.get(key);
    return v && v->type == JsonValue::String && !v->text.empty();
  };
  const JsonValue* state = body.get("state");
  const bool state_ok =
      state && state->type == JsonValue::String && (state->text == "approved" || state->text == "rejected");
  if (action == "deployment_protection_rule") {
    // Either {environment_name, state[, comment]} or {environment_name, comment}.
    const bool comment_ok = !body.get("comment") || body.get("comment")->type == JsonValue::String;
    if (body.type != JsonValue::Object || !is_string("environment_name") || !comment_ok ||
        (state ? !state_ok : !is_string("comment")))
      return call.validation_failed("DeploymentProtectionRule", state_ok ? "environment_name" : "state", anchor);
    return call.empty(204);
  }
  // pending_deployments
  const JsonValue* envs = body.get("environment_ids");
  bool envs_ok = envs && envs->type == JsonValue::Array && !envs->items.empty();
  if (envs_ok)
    for (const auto& e : envs->items) envs_ok = envs_ok && e.type == JsonValue::Number && e.integral && e.number > 0;
  const JsonValue* comment = body.get("comment");
  if (body.type != JsonValue::Object || !envs_ok || !state_ok || !comment || comment->type != JsonValue::String)
    return call.validation_failed("PendingDeployment",
                                  !envs_ok    ? "environment_ids"
                                  : !state_ok ? "state"
                                              : "comment",
                                  anchor);
  if (run->status == "waiting") {
    run->status = state->text == "approved" ? "in_progress" : "completed";
    if (state->text == "rejected") run->conclusion = "failure";
    run->updated_at = now;
  }
  Renderer render(data, bases);
  const Repository& r = render.repository_of(*run);
  const std::string repo_url = bases.api + "/repos/" + r.owner + "/" + r.name;
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (const auto& e : envs->items) {
    const int64_t env_id = static_cast<int64_t>(e.number);
    const int64_t deployment_id = 900000000 + (run->id % 1000000) * 10 + env_id % 10;
    const std::string env_name = env_id % 2 ? "production" : "staging";
    w.begin_object();
    w.string("url", repo_url + "/deployments/" + std::to_string(deployment_id));
    w.number("id", deployment_id);
    w.string("node_id", node_id("Deployment", deployment_id));
    w.string("sha", run->head_sha);
    w.string("ref", run->head_branch);
    w.string("task", "deploy");
    w.begin_object("payload");
    w.end_object();
    w.string("original_environment", env_name);
    w.string("environment", env_name);
    w.string("description", comment->text);
    render.user(w, "creator", run->triggering_actor_login, run->triggering_actor_id,
                is_bot(run->triggering_actor_login) ? "Bot" : "User");
    w.string("created_at", now);
    w.string("updated_at", now);
    w.string("statuses_url", repo_url + "/deployments/" + std::to_string(deployment_id) + "/statuses");
    w.string("repository_url", repo_url);
    w.boolean("transient_environment", false);
    w.boolean("production_environment", env_name == "production");
    w.end_object();
  }
  w.end_array();
  call.json(200, std::move(out));
}

// GET …/jobs/{id}, GET …/jobs/{id}/logs, POST …/jobs/{id}/rerun. Job ids are run id * 10 + 1..3.
void FakeGitHub::Impl::job_route(Call& call, const std::string& owner, const std::string& repo,
                                 const std::vector<std::string>& rest) {
  const std::string& m = call.req.method;
  const std::string action = rest.size() == 3 ? rest[2] : "";
  std::string anchor;
  if ((m == "GET" || m == "HEAD") && rest.size() == 2)
    anchor = "workflow-jobs#get-a-job-for-a-workflow-run";
  else if ((m == "GET" || m == "HEAD") && action == "logs")
    anchor = "workflow-jobs#download-job-logs-for-a-workflow-run";
  else if (m == "POST" && action == "rerun")
    anchor = "workflow-runs#re-run-a-job-from-a-workflow-run";
  else
    return call.error(404, "Not Found", "");

  int64_t job_id = 0;
  const bool valid = parse_int64(rest[1], job_id) && job_id % 10 >= 1 && job_id % 10 <= 3;
  if (m == "POST") {
    std::unique_lock<std::shared_mutex> lock(data_mutex);
    Run* run = valid ? data.find_run(owner, repo, job_id / 10) : nullptr;
    if (!run) return call.error(404, "Not Found", anchor);
    if (run->status != "completed") return call.error(403, "This workflow run is not complete", anchor);
    ++generation;
    ++run->run_attempt;
    run->status = "queued";
    run->conclusion.clear();
    run->run_started_at = run->updated_at = format_timestamp(now_epoch());
    return call.json(201, "{}");
  }
  std::shared_lock<std::shared_mutex> lock(data_mutex);
  const Run* run = valid ? data.find_run(owner, repo, job_id / 10) : nullptr;
  if (!run) return call.error(404, "Not Found", anchor);
  if (action == "logs") {
    call.res.set_header("Location", blob_url("/blob/job-logs/" + std::to_string(job_id) + ".txt"));
    return call.empty(302);
  }
  Renderer render(data, bases);
  std::string body;
  render.job(body, *run, static_cast<int>(job_id % 10));
  call.json(200, std::move(body));
}

// The stand-in for blob storage: signed URLs only, no API headers, no token needed.
void FakeGitHub::Impl::serve_blob(Call& call) {
  auto fail = [&](int status, const char* code) {
    std::string body =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + std::string(code) + "</Code></Error>";
    call.res.status = status;
    call.res.set_content(body, "application/xml");
  };
  const std::string expected = blob_url(call.raw_path);
  if (call.param("sig").empty() || expected.substr(expected.find("?sig=") + 5) != call.param("sig"))
    return fail(403, "AuthenticationFailed");
  std::string name = call.raw_path.substr(call.raw_path.rfind('/') + 1);
  int64_t id = 0;
  if (!parse_int64(name.substr(0, name.find('.')), id)) return fail(404, "BlobNotFound");
  const bool job_log = call.raw_path.rfind("/blob/job-logs/", 0) == 0;
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
  if (job_log) {
    call.res.status = 200;
    call.res.set_content(log_text(static_cast<int>(id % 10)), "text/plain; charset=utf-8");
    return;
  }
  call.res.status = 200;
  call.res.set_content(
      make_zip({{"0_build.txt", log_text(1)}, {"1_test.txt", log_text(2)}, {"2_lint.txt", log_text(3)}}),
      "application/zip");
}

// Idle keep-alive connections hold a worker for up to five seconds; shutting their
// sockets down wakes the workers so the server stops at once.
void FakeGitHub::Impl::shutdown_connections() {
  for_each_connection(port, [](int fd, int) { ::shutdown(fd, SHUT_RDWR); });
}

FakeGitHub::FakeGitHub(Dataset data, Options opts) : impl_(std::make_unique<Impl>(std::move(data), std::move(opts))) {
  Impl& s = *impl_;
  const int threads = std::max(1, s.opts.threads);
  s.server.new_task_queue = [&s, threads] {
    return new CountingThreadPool(static_cast<size_t>(threads), s.connections);
  };
  s.server.set_keep_alive_max_count(100000);
  s.server.set_tcp_nodelay(true);  // else small answers wait on delayed ACKs (40 ms)
  auto handler = [&s](const httplib::Request& req, httplib::Response& res) { s.handle(req, res); };
  s.server.Get(".*", handler);
  s.server.Post(".*", handler);
  s.server.Put(".*", handler);
  s.server.Patch(".*", handler);
  s.server.Delete(".*", handler);
  if (s.opts.port > 0)
    s.port = s.server.bind_to_port("127.0.0.1", s.opts.port) ? s.opts.port : -1;
  else
    s.port = s.server.bind_to_any_port("127.0.0.1");
  if (s.port <= 0) throw std::runtime_error("FakeGitHub: cannot bind 127.0.0.1:" + std::to_string(s.opts.port));
  s.origin = "http://127.0.0.1:" + std::to_string(s.port);
  s.base = s.origin + s.opts.path_prefix;
  // Web URLs: github.com beside api.github.com; the same host under /api/v3 on Enterprise.
  s.bases = make_bases(s.base, s.opts.path_prefix.empty() ? "https://github.com" : s.origin);
  s.rate_reset = now_epoch() + 3600;
  s.listener = std::thread([&s] { s.server.listen_after_bind(); });
  while (!s.server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeGitHub::~FakeGitHub() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.stop_mutex);
    s.stopping = true;
  }
  s.stop_cv.notify_all();
  s.server.stop();
  s.shutdown_connections();
  s.listener.join();
}

int FakeGitHub::port() const { return impl_->port; }
std::string FakeGitHub::origin() const { return impl_->origin; }
std::string FakeGitHub::base_url() const { return impl_->base; }

std::vector<RecordedRequest> FakeGitHub::requests() const {
  std::lock_guard<std::mutex> lock(impl_->log_mutex);
  return impl_->log;
}

void FakeGitHub::clear_requests() {
  std::lock_guard<std::mutex> lock(impl_->log_mutex);
  impl_->log.clear();
}

void FakeGitHub::inject(Fault fault, int count, std::string path_contains) {
  if (count <= 0) return;
  std::lock_guard<std::mutex> lock(impl_->fault_mutex);
  impl_->faults.push_back({std::move(fault), count, std::move(path_contains)});
}

void FakeGitHub::clear_faults() {
  std::lock_guard<std::mutex> lock(impl_->fault_mutex);
  impl_->faults.clear();
}

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

int FakeGitHub::connections_accepted() const { return impl_->connections.load(); }

int FakeGitHub::max_in_flight() const { return impl_->most_in_flight.load(); }

int FakeGitHub::rate_limit_remaining() const { return std::max(0, impl_->opts.rate_limit - impl_->used.load()); }

std::string render_workflow_run(const Dataset& data, const Run& run, const std::string& api_base,
                                bool include_pull_requests, const std::string& html_base) {
  const UrlBases bases = make_bases(api_base, html_base);
  Renderer render(data, bases);
  std::string out;
  render.run(out, run, include_pull_requests);
  return out;
}

}  // namespace stacklite::testserver
