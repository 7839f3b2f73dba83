// Listing mechanics every fake shares: the page window, Link headers and page bodies.
#include "server/listing.hpp"

#include <algorithm>
#include <cctype>

#include "http/url.hpp"

namespace stacklite::testserver {

namespace {

bool parse_count(const std::string& s, int64_t& v) {
  if (s.empty() || s.size() > 18) return false;
  v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  return true;
}

}  // namespace

PageWindow PageWindow::of(const Exchange& ex) {
  PageWindow w;
  if (!parse_count(ex.param("per_page"), w.per_page) || w.per_page < 1) w.per_page = 30;
  w.per_page = std::min<int64_t>(w.per_page, 100);
  if (!parse_count(ex.param("page"), w.page) || w.page < 1) w.page = 1;
  return w;
}

std::pair<int64_t, int64_t> PageWindow::slice(int64_t visible) const {
  // Compared before multiplying, so that a huge page number cannot overflow.
  const int64_t first = page > visible / per_page + 1 ? visible : (page - 1) * per_page;
  return {first, std::min(visible, first + per_page)};
}

int64_t PageWindow::last_page(int64_t visible) const {
  return std::max<int64_t>(1, (visible + per_page - 1) / per_page);
}

std::string page_url(const std::string& origin, const Exchange& ex, int64_t n) {
  std::string u = origin + ex.raw_path + "?";
  bool page_written = false, any = false;
  for (const auto& [k, v] : ex.query) {
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
  return u;
}

std::vector<std::string> link_entries(const std::string& origin, const Exchange& ex, const PageWindow& window,
                                      int64_t visible, LinkRels rels, const std::string* next_url) {
  const int64_t page = window.page, last = window.last_page(visible);
  auto entry = [&](int64_t n, const char* rel) {
    const bool next = next_url && std::string(rel) == "next";
    return "<" + (next ? *next_url : page_url(origin, ex, n)) + ">; rel=\"" + rel + "\"";
  };
  std::vector<std::string> out;
  if (rels == LinkRels::NextAndFirst) {
    if (page < last) out = {entry(page + 1, "next"), entry(1, "first")};
    return out;
  }
  if (page == 1 && last == 1) return out;
  if (page > 1) out.push_back(entry(std::min(page - 1, last), "prev"));
  if (page < last) {
    out.push_back(entry(page + 1, "next"));
    out.push_back(entry(last, "last"));
  }
  if (page > 1) out.push_back(entry(1, "first"));
  return out;
}

void set_link_header(httplib::Response& res, const std::vector<std::string>& entries, bool split) {
  if (entries.empty()) return;
  if (split) {
    for (const auto& e : entries) res.set_header("Link", e);
    return;
  }
  std::string link;
  for (const auto& e : entries) link += (link.empty() ? "" : ", ") + e;
  res.set_header("Link", link);
}

PageBody::PageBody(const char* envelope_key, int64_t total_count, size_t expected_bytes)
    : envelope_(envelope_key != nullptr) {
  out_.reserve(expected_bytes + 64);
  if (envelope_) out_ += "{\"total_count\":" + std::to_string(total_count) + ",\"" + envelope_key + "\":";
  out_ += '[';
}

std::string& PageBody::next_item() {
  if (!first_) out_ += ',';
  first_ = false;
  return out_;
}

std::string PageBody::finish() {
  out_ += envelope_ ? "]}" : "]";
  return std::move(out_);
}

}  // namespace stacklite::testserver
