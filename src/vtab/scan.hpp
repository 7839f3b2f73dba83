// A scan streams the rows of one or more targets page by page: it fetches a page only
// when SQLite has consumed the last, follows rel="next", and goes past result caps.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "http/api_client.hpp"
#include "json/page_decoder.hpp"
#include "vtab/plan.hpp"
#include "vtab/request.hpp"

namespace stacklite {

class Scan {
 public:
  Scan(ApiClient& client, const ResourceSpec& resource, const Plan& plan, TargetGenerator targets);

  // Moves to the next row; false when every target is exhausted. Throws Error with the
  // request in the message (the caller adds the table name).
  bool next();
  const Row& row() const { return row_; }
  const Target& target() const { return target_; }

 private:
  bool take_next_target();
  void start_target();
  void fetch(const std::string& url);
  bool continue_past_cap();
  bool accept_row();

  ApiClient& client_;
  const ResourceSpec& resource_;
  TargetGenerator targets_;
  Target target_;  // the one being listed
  bool started_ = false;

  HttpResponse page_;
  PageDecoder decoder_;
  bool page_open_ = false;
  std::optional<std::string> next_url_;
  Row row_;

  // Going past a result cap: the segment is the listing since the last narrowing.
  long segment_rows_ = 0;
  std::optional<int64_t> segment_total_;
  bool segment_first_page_ = true;
  std::string oldest_;                 // oldest order value seen in this segment
  std::set<int64_t> oldest_keys_;      // keys of rows at that value
  std::string boundary_;               // the previous segment's oldest value ("" before any)
  std::set<int64_t> boundary_keys_;    // keys already emitted at the boundary
};

}  // namespace stacklite
