// A scan streams the rows of one or more targets page by page, in the API's order: it
// follows rel="next", goes past result caps, returns every row of a listing once, even
// while the listing changes under it, and fetches ahead (pages by number once the first
// shows how many there are, the next page, the next targets' listings) up to
// max_concurrency requests at once, never beyond what a LIMIT needs.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "http/api_client.hpp"
#include "http/page_fetcher.hpp"
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
  Scan(ApiClient& client, const ResourceSpec& resource, const Plan& plan, ReadRequestGenerator targets,
       const WriteLog* writes = nullptr);

  // Moves to the next row; false when every target is exhausted. Throws Error with the
  // request in the message (the caller adds the table name).
  bool next();
  const Row& row() const { return row_; }
  const ReadRequest& target() const { return target_; }
  // The name lines on stderr start with (the table's; the resource's until set).
  void set_label(std::string label) { label_ = std::move(label); }
  // Targets skipped so far because they are gone or unreadable (on_missing 'skip').
  int64_t targets_skipped() const { return targets_skipped_; }

  // How far the scan is, for the progress line: pages received, rows returned, and what the
  // current listing's total_count says there will be (-1: unknown), counted from the start.
  struct Progress {
    int64_t pages = 0, pages_expected = -1;
    int64_t rows = 0, rows_expected = -1;
  };
  Progress progress() const;
  // Called on the scan's thread while it waits for a response, with the time waited so
  // far: first when the wait begins, then about every 50 ms. May be empty.
  std::function<void(std::chrono::milliseconds)> on_wait;
  // Called on the scan's thread just before a line about a skipped target goes to stderr
  // (the progress line is erased first). May be empty.
  std::function<void()> before_message;
  // What the statement learned of the parents a 404 made it ask for (GET /repos/{owner}/{repo}
  // after a run's jobs listing answered 404): whether each was found, by URL. Each is asked
  // once per statement however many of its runs are gone. Owned by the caller; may be null.
  std::map<std::string, bool>* parents_known = nullptr;

 private:
  bool take_next_target();
  void start_target();
  void start_segment(std::string upper);
  void fetch(const std::string& url);
  bool page_limit_reached() const;
  bool keyed_walk_possible() const;
  bool listing_changed_by_writes() const;
  // Whether the listing, having no date to key a walk on, is read again from the page being
  // read once a write of this connection has touched it (see rewind()).
  bool rewind_possible() const;
  bool must_rewind() const { return rewind_possible() && listing_changed_by_writes(); }
  // Asks for page `number` of the listing again (the first page's URL for 1), as a rewind.
  void rewind_to(int64_t number);
  // The number of the page being read (1 when its URL has no page parameter).
  int64_t page_number() const;
  // The response to `url`: fetched ahead already, or requested now (dropping whatever was
  // fetched ahead, which the walk no longer wants).
  void obtain(const std::string& url);
  // Queues the requests the walk will make next, as far as they can be told in advance:
  // the current target's, and the first pages of the targets after it.
  void plan_ahead();
  struct Ahead;
  void advance(Ahead& a, size_t depth);
  void queue(std::string url, uint64_t target, bool lead = false);  // submits, within plan_ahead's batch
  bool batching_ = false;
  // Whether a write of this connection has been sent since the scan began.
  bool statement_wrote() const;
  // Whether the walk of target number `seq` is keyed: its next request then depends on the
  // rows read, and nothing can be fetched ahead for it.
  bool walk_is_keyed(uint64_t seq) const;
  [[noreturn]] void throw_link_loop(const std::string& url) const;
  bool continue_past_cap();
  bool accept_row();
  // "GET <the listing's path>: <what>"
  std::string listing_error(std::string_view what) const;
  // Whether `response`, the first answer for a target, says the target is gone or
  // unreadable: 404 or 403, and not a rate limit (those never reach here as a 403 unless
  // they could not be waited out, which is an error however on_missing is set).
  static bool says_missing(const HttpResponse& response);
  // Skips the current target (on_missing 'skip'): one line on stderr naming it.
  void skip_target(const std::string& url);
  bool parent_found(const ReadMethod& m, const std::string& url);
  // One line on stderr, "stacklite: <table>: <what>", after the progress line is erased.
  void say(std::string what);

  ApiClient& client_;
  const ResourceSpec& resource_;
  ReadRequestGenerator targets_;
  ReadRequest target_;  // the one being listed
  const WriteLog* writes_;
  bool started_ = false;
  std::string label_;
  bool skip_missing_ = false;  // on_missing 'skip', as it was when the statement began
  bool fan_out_ = false;       // an IN list of path parameters: several targets
  int64_t targets_skipped_ = 0;
  std::string fallback_note_;  // " (after GET … answered 404)" once the target fell back

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
  uint64_t writes_at_start_ = 0;  // the writes recorded when the listing began, or was last rewound
  // A listing without a date to key on is rewound instead: its rows keep their order, a
  // delete pulls the later ones up, so after a write the page being read is asked for again,
  // and while it starts with a row not seen (or is empty) the page before it, until one
  // starts with a row seen already; from there on, seen rows are skipped.
  bool rewinding_ = false;  // the page being read was asked for again after a write
  std::string page_url_;    // the URL of the page being read

  // A segment is one request of the listing and the pages that follow it by rel="next".
  std::string boundary_;                  // its `created` upper bound: the oldest row of the previous ("" first)
  long segment_rows_ = 0;                 // rows received
  long segment_emitted_ = 0;              // rows returned (new)
  std::optional<int64_t> segment_total_;  // the first page's total
  std::optional<int64_t> last_total_;     // the latest page's total
  bool segment_first_page_ = true;
  bool segment_cut_short_ = false;           // the API refused a page beyond its pagination limit
  bool changed_ = false;                     // a row came again within the segment
  bool rekey_now_ = false;                   // the page just fetched showed a changed listing: drop it
  std::string oldest_;                       // oldest order value returned in this segment
  std::unordered_set<size_t> segment_urls_;  // hashes of the URLs requested in this segment: a Link loop ends there
  // Fetching ahead. Guesses are checked: a page is used only when the walk asks for its URL.
  PageFetcher fetcher_;
  // Targets are numbered in the order the generator makes them: target_ is target_seq_,
  // upcoming_ holds the ones made already for requests ahead (target_seq_ + 1, ...).
  const ReadRequest* target_at(uint64_t seq) const;
  uint64_t target_seq_ = 0;
  bool started_target_ = false;
  std::deque<ReadRequest> upcoming_;
  bool targets_exhausted_ = false;
  // What is queued ahead for one target, oldest target first (the current one, then those
  // whose first page is fetched ahead); each describes the newest request queued for it.
  struct Ahead {
    bool active = true;                        // more of its requests may be told ahead
    uint64_t target = 0;                       // its target's number (the fetcher's group)
    bool segment_first = false;                // its newest request is the first page of a segment
    bool segment_end = false;                  // the segment has no page after it
    std::optional<int64_t> segment_total;      // the segment's total_count, when known
    std::string page_two;                      // numbered pages are built from this page-2 URL
    int64_t next_number = 0, last_number = 0;  // numbered pages still to queue
    int64_t base_rows = 0;                     // rows returned before the segment's first page
    uint64_t writes_serial = 0;                // the connection's writes when its listing was first asked for
  };
  std::deque<Ahead> ahead_;
  uint64_t writes_at_scan_start_ = 0;
  int64_t rows_returned_ = 0;
  int64_t pages_taken_ = 0;
  int64_t rows_from_page_ = 0;  // rows returned from the page being read
  // For progress(): rows and pages before the current target, and its listing's total.
  int64_t target_rows_before_ = 0, target_pages_before_ = 0;
  std::optional<int64_t> target_total_;
  // SQLite drops rows of its own: it may stop early under a LIMIT the table is not told.
  bool sqlite_filters_ = false;
  int64_t rows_wanted_ = -1;  // LIMIT + OFFSET, -1: all
  bool prefetch_ = true;
};

}  // namespace stacklite
