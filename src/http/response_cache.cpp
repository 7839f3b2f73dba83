// Conditional requests: successful GET responses remembered by URL and token with their ETag,
// so asking again sends If-None-Match and a 304 (free of rate limit) reuses the body.
#include "http/response_cache.hpp"

#include <cstdio>
#include <cstring>
#include <functional>
#include <new>
#include <random>

#include "util/mappings.hpp"

namespace stacklite {

namespace {
constexpr size_t kMapAtLeast = 64 * 1024;  // smaller bodies live on the heap
}  // namespace

bool is_valid_entity_tag(std::string_view etag) {
  if (etag.substr(0, 2) == "W/") etag.remove_prefix(2);
  if (etag.size() < 2 || etag.front() != '"' || etag.back() != '"') return false;
  for (char ch : etag.substr(1, etag.size() - 2)) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c == '"' || c == 0x7f) return false;  // etagc: %x21 / %x23-7E / obs-text
  }
  return etag.size() <= 1024;
}

KeptBytes::KeptBytes(std::string_view bytes) {
  if (bytes.size() < kMapAtLeast) {
    small_.assign(bytes.data(), bytes.size());
    return;
  }
  size_t length = mappings::length_for(bytes.size());
  char* p = nullptr;
  try {
    p = mappings::acquire(length);
  } catch (const std::bad_alloc&) {
    small_.assign(bytes.data(), bytes.size());
    return;
  }
  std::memcpy(p, bytes.data(), bytes.size());
  mapped_ = p;
  size_ = bytes.size();
  mapped_size_ = length;
}

KeptBytes::~KeptBytes() { mappings::release(mapped_, mapped_size_); }

ResponseCache::ResponseCache() {
  std::random_device random;
  for (int i = 0; i < 4; ++i) {
    unsigned int word = random();
    salt_.append(reinterpret_cast<const char*>(&word), sizeof word);
  }
}

std::string ResponseCache::key(const std::string& url, const std::string& token) const {
  if (token.empty()) return "-\n" + url;
  // Two differently salted hashes: 128 bits, so two tokens never share entries in practice.
  size_t a = std::hash<std::string>{}(salt_ + token);
  size_t b = std::hash<std::string>{}(token + salt_);
  char fingerprint[40];
  std::snprintf(fingerprint, sizeof fingerprint, "%016zx%016zx", a, b);
  return std::string(fingerprint) + "\n" + url;
}

size_t ResponseCache::size_of(const Slot& slot) {
  const Entry& e = *slot.second;
  size_t n = slot.first.size() + e.etag.size() + e.body.size() + sizeof(Entry) + 64;
  for (const auto& [name, value] : e.headers) n += name.size() + value.size() + 2 * sizeof(std::string);
  return n;
}

std::shared_ptr<const ResponseCache::Entry> ResponseCache::find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void ResponseCache::store(const std::string& key, const HttpResponse& response, size_t max_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  erase_locked(key);
  auto etag = response.header("etag");
  if (response.status != 200 || !etag || !is_valid_entity_tag(*etag)) return;
  auto entry = std::make_shared<Entry>(std::string(*etag), response.headers, response.body.view());
  Slot slot{key, std::move(entry)};
  size_t size = size_of(slot);
  if (size > max_bytes) return;
  lru_.push_front(std::move(slot));
  index_[key] = lru_.begin();
  bytes_ += size;
  trim_locked(max_bytes);
}

void ResponseCache::forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  erase_locked(key);
}

void ResponseCache::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  lru_.clear();
  index_.clear();
  bytes_ = 0;
}

void ResponseCache::trim(size_t max_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  trim_locked(max_bytes);
}

size_t ResponseCache::bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}

size_t ResponseCache::entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lru_.size();
}

void ResponseCache::erase_locked(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  bytes_ -= size_of(*it->second);
  lru_.erase(it->second);
  index_.erase(it);
}

void ResponseCache::trim_locked(size_t max_bytes) {
  while (bytes_ > max_bytes && !lru_.empty()) {
    bytes_ -= size_of(lru_.back());
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

}  // namespace stacklite
