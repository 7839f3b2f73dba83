// What every listing of every fake shares: query filters compiled once per request, the
// page window (per_page, page), Link headers, and the page body as an envelope
// ({"total_count":N,"workflow_runs":[…]}, GitHub) or a bare array (shithub).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "server/exchange.hpp"

namespace stacklite::testserver {

// A query parameter that narrows a listing. compile() turns the parameter's value into
// the test an item must pass; it returns an empty function when the value is invalid.
template <class T>
struct ListingFilter {
  const char* param;
  bool caps_results;  // GitHub stops paging at its result cap when this filter is given
  std::function<std::function<bool(const T&)>(const std::string& value)> compile;
};

template <class T>
struct CompiledFilters {
  std::vector<std::function<bool(const T&)>> tests;
  bool capped = false;  // a filter that caps results was given
  std::string invalid;  // the parameter whose value is invalid; "" when none is
  std::string key;      // the values given, in filter order: names this filtered listing

  bool keeps(const T& item) const {
    for (const auto& test : tests)
      if (!test(item)) return false;
    return true;
  }
};

// empty_is_absent: GitHub ignores `actor=`; shithub filters for the empty value.
template <class T>
CompiledFilters<T> compile_filters(const std::vector<ListingFilter<T>>& filters, const Exchange& ex,
                                   bool empty_is_absent) {
  CompiledFilters<T> out;
  for (const auto& f : filters) {
    const std::string value = ex.param(f.param);
    out.key += value + '\n';
    if (empty_is_absent ? value.empty() : !ex.has_param(f.param)) continue;
    auto test = f.compile(value);
    if (!test) {
      if (out.invalid.empty()) out.invalid = f.param;
      continue;
    }
    out.tests.push_back(std::move(test));
    out.capped = out.capped || f.caps_results;
  }
  return out;
}

// An exact-match filter on one field.
template <class T>
ListingFilter<T> equals_filter(const char* param, bool caps_results, std::string (*field)(const T&)) {
  return {param, caps_results, [field](const std::string& value) -> std::function<bool(const T&)> {
            return [field, value](const T& item) { return field(item) == value; };
          }};
}

// per_page and page as GitHub reads them: per_page 1..100 (30 when absent or not a
// number, 100 when larger), page from 1 (1 when absent or not a number).
struct PageWindow {
  int64_t per_page = 30;
  int64_t page = 1;

  static PageWindow of(const Exchange& ex);
  // The results [first, last) of `visible` that this page shows.
  std::pair<int64_t, int64_t> slice(int64_t visible) const;
  int64_t last_page(int64_t visible) const;
};

// The request's own URL under `origin`, with page=n in place of its page parameter (or
// appended), every key and value percent-encoded.
std::string page_url(const std::string& origin, const Exchange& ex, int64_t n);

enum class LinkRels {
  All,           // GitHub: prev, next, last, first, as they apply to this page
  NextAndFirst,  // shithub: next and first, only while there is a next page
};
// The entries of the Link header for this page, "<url>; rel=\"…\"" each; none when a
// single page holds everything. next_url, when given, replaces the URL of rel="next".
std::vector<std::string> link_entries(const std::string& origin, const Exchange& ex, const PageWindow& window,
                                      int64_t visible, LinkRels rels, const std::string* next_url = nullptr);
// Sets them as one Link header, comma-separated, or (split) one header line each.
void set_link_header(httplib::Response& res, const std::vector<std::string>& entries, bool split = false);

// A page's body, items appended by the caller's renderer.
class PageBody {
 public:
  // envelope_key: "workflow_runs" for {"total_count":N,"workflow_runs":[…]}; nullptr for […].
  PageBody(const char* envelope_key, int64_t total_count, size_t expected_bytes = 0);
  std::string& next_item();  // the text to append the next item to
  std::string finish();

 private:
  std::string out_;
  bool envelope_;
  bool first_ = true;
};

}  // namespace stacklite::testserver
