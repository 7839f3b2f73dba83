// Conditional requests: successful GET responses remembered by URL and token with their ETag,
// so asking again sends If-None-Match and a 304 (free of rate limit) reuses the body.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/transport.hpp"

namespace stacklite {

// Whether an ETag is one entity-tag as HTTP defines it ([W/]"...", printable ASCII or
// UTF-8 bytes inside): only such a value is ever echoed in If-None-Match, so a hostile
// value (a bare CR, a line feed) can never add a header to the next request.
bool is_valid_entity_tag(std::string_view etag);

// Bytes kept for a while: large ones in their own memory mapping, so that evicting them
// gives the memory back to the system instead of leaving holes in the heap (which would let
// a long scan's memory creep up past the cache's bound).
class KeptBytes {
 public:
  KeptBytes() = default;
  explicit KeptBytes(std::string_view bytes);
  ~KeptBytes();
  KeptBytes(const KeptBytes&) = delete;
  KeptBytes& operator=(const KeptBytes&) = delete;

  std::string_view view() const { return mapped_ ? std::string_view(mapped_, size_) : std::string_view(small_); }
  size_t size() const { return mapped_ ? size_ : small_.size(); }

 private:
  char* mapped_ = nullptr;
  size_t size_ = 0;
  size_t mapped_size_ = 0;
  std::string small_;
};

// In memory, least recently used first out, bounded in bytes. One per connection, shared by
// its tables and functions. Only 200 responses with an ETag are kept, never an error.
class ResponseCache {
 public:
  struct Entry {
    std::string etag;
    std::vector<std::pair<std::string, std::string>> headers;
    KeptBytes body;

    Entry(std::string etag_, std::vector<std::pair<std::string, std::string>> headers_, std::string_view body_)
        : etag(std::move(etag_)), headers(std::move(headers_)), body(body_) {}
  };

  ResponseCache();

  // The key for `url` fetched with `token` ("" for none). The token enters only as a salted
  // hash, so one token's responses are never served to another and the token is not kept.
  std::string key(const std::string& url, const std::string& token) const;

  // The entry for `key` (now the most recently used), or nullptr.
  std::shared_ptr<const Entry> find(const std::string& key);
  // Keeps a 200 response that has an ETag (evicting the least recently used entries to stay
  // within max_bytes); for any other response forgets what was kept under `key`.
  void store(const std::string& key, const HttpResponse& response, size_t max_bytes);
  void forget(const std::string& key);
  void clear();
  void trim(size_t max_bytes);

  size_t bytes() const;
  size_t entries() const;

 private:
  using Slot = std::pair<std::string, std::shared_ptr<const Entry>>;
  static size_t size_of(const Slot& slot);
  void erase_locked(const std::string& key);
  void trim_locked(size_t max_bytes);

  mutable std::mutex mutex_;
  std::list<Slot> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Slot>::iterator> index_;
  size_t bytes_ = 0;
  std::string salt_;
};

}  // namespace stacklite
