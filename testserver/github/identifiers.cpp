// Derived identifiers: node ids (base64 of GitHub's legacy "0<len>:<Type><id>" form),
// shas and owner ids from FNV-1a hashes, so they are stable across runs and machines.
#include "github/identifiers.hpp"

#include <cstdio>

#include "util/text.hpp"

namespace stacklite::testserver {

namespace {

std::string base64(const std::string& in) {
  static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace

uint64_t fnv1a(const std::string& s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string node_id(const std::string& type, int64_t id) {
  return base64("0" + std::to_string(type.size()) + ":" + type + std::to_string(id));
}

std::string derived_sha(const std::string& seed) {
  const uint64_t a = fnv1a(seed);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%016llx%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(fnv1a(seed, a)), static_cast<unsigned long long>(fnv1a(seed + "#", a)));
  return std::string(buf, 40);
}

int64_t owner_id_of(const Repository& repo) {
  return repo.owner_id ? repo.owner_id : static_cast<int64_t>(fnv1a(to_lower(repo.owner)) % 90000000) + 1000000;
}

bool is_bot(const std::string& login) { return login.size() > 5 && login.compare(login.size() - 5, 5, "[bot]") == 0; }

}  // namespace stacklite::testserver
