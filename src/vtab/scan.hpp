// A scan streams the rows of one or more targets page by page: it fetches a page only
// when SQLite has consumed the last, follows rel="next", goes past result caps, and
// returns every row of a listing once, even while the listing changes under it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "http/api_client.hpp"
#include "json/page_decoder.hpp"
#include "util/id_set.hpp"
#include "vtab/plan.hpp"
#include "vtab/request.hpp"
#include "vtab/write_log.hpp"

namespace stacklite {

class Scan {
 public:
  // `writes` (may be null) is the connection's write log: a listing that writes of this
  // connection touch stops trusting page numbers.
  Scan(ApiClient& client, const ResourceSpec& resource, const Plan& plan, TargetGenerator targets,
       const WriteLog* writes = nullptr);

  // Moves to the next row; false when every target is exhausted. Throws Error with the
  // request in the message (the caller adds the table name).
  bool next();
  const Row& row() const { return row_; }
  const Target& target() const { return target_; }

 private:
  bool take_next_target();
  void start_target();
  void start_segment(std::string upper);
  void fetch(const std::string& url);
  bool page_limit_reached() const;
  bool keyed_walk_possible() const;
  bool listing_changed_by_writes() const;
  bool continue_past_cap();
  bool accept_row();
  std::string listing_path() const;

  ApiClient& client_;
  const ResourceSpec& resource_;
  TargetGenerator targets_;
  Target target_;  // the one being listed
  const WriteLog* writes_;
  bool started_ = false;

  HttpResponse page_;
  PageDecoder decoder_;
  bool page_open_ = false;
  std::optional<std::string> next_url_;
  Row row_;

  // The listing of the current target. Rows are returned once each (ids remembered). Page
  // numbers are followed while the listing is stable; once it is known to have changed
  // (its total moved, a row came twice, or a write of this connection touched it) the walk
  // is keyed on the data instead: each next page is the first page of the listing with
  // `created` at or before the oldest row seen, rows seen already skipped.
  IdSet seen_;
  bool keyed_ = false;
  uint64_t writes_at_start_ = 0;

  // A segment is one request of the listing and the pages that follow it by rel="next".
  std::string boundary_;  // its `created` upper bound: the oldest row of the previous ("" first)
  long segment_rows_ = 0;     // rows received
  long segment_emitted_ = 0;  // rows returned (new)
  std::optional<int64_t> segment_total_;  // the first page's total
  std::optional<int64_t> last_total_;     // the latest page's total
  bool segment_first_page_ = true;
  bool segment_cut_short_ = false;  // the API refused a page beyond its pagination limit
  bool changed_ = false;            // a row came again within the segment
  bool rekey_now_ = false;          // the page just fetched showed a changed listing: drop it
  std::string oldest_;              // oldest order value returned in this segment
  std::unordered_set<size_t> segment_urls_;  // hashes of the URLs requested in this segment: a Link loop ends there
};

}  // namespace stacklite
