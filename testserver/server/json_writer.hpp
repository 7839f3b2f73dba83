// The one JSON writer of the loopback servers: appends members in the order they are
// written, which is how the fakes keep GitHub's key order, straight into the body text.
// Not a library: a tree-building writer (nlohmann::ordered_json) is several times slower on
// the 11 KB run objects every listing renders; the measurement is in testserver/README.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/text.hpp"

namespace stacklite::testserver {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  // key: nullptr inside arrays and at the top level.
  void begin_object(const char* key = nullptr) { open(key, '{'); }
  void end_object() { close('}'); }
  void begin_array(const char* key = nullptr) { open(key, '['); }
  void end_array() { close(']'); }

  void string(const char* key, const std::string& v) {
    field(key);
    append_json_string(out_, v);
  }
  void string_or_null(const char* key, const std::string& v) {  // "" is null
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
  // Text that is already JSON, e.g. a cached object.
  void raw(const char* key, const std::string& json) {
    field(key);
    out_ += json;
  }

 private:
  void open(const char* key, char bracket) {
    field(key);
    out_ += bracket;
    first_.push_back(true);
  }
  void close(char bracket) {
    out_ += bracket;
    first_.pop_back();
  }
  void field(const char* key) {
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
    if (key) {
      out_ += '"';
      out_ += key;  // keys are our own literals: nothing to escape
      out_ += "\":";
    }
  }

  std::string& out_;
  std::vector<bool> first_;
};

// {"message":…,"documentation_url":…}: GitHub's error body; without a URL, shithub's.
inline std::string error_body(const std::string& message, const std::string& documentation_url = "") {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.string("message", message);
  if (!documentation_url.empty()) w.string("documentation_url", documentation_url);
  w.end_object();
  return out;
}

}  // namespace stacklite::testserver
