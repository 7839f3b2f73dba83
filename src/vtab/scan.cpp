// A scan streams the rows of one or more targets page by page: it fetches a page only
// when SQLite has consumed the last, follows rel="next", goes past result caps, and
// returns every row of a listing once, even while the listing changes under it.
//
// Why the walk is keyed once a listing changes: pages are numbered, newest first. A run
// created meanwhile pushes later runs down a page (they come twice); a run deleted, or
// changed so that it no longer matches (a statement that cancels, re-runs or deletes the
// runs it lists does exactly that), pulls them up, and the next page number skips them.
// A request for `created <= oldest run seen` starts from the data instead, so nothing
// between the pages is lost, and ids already returned are skipped. Page numbers are kept
// while the listing is stable: they cost the same one request per page and allow pages
// to be fetched side by side.
#include "vtab/scan.hpp"

#include <algorithm>
#include <functional>

#include "util/text.hpp"

namespace stacklite {

namespace {

// GitHub's answer to a page past the ~40,000 runs an unfiltered listing may page through.
constexpr std::string_view kPaginationLimited = "pagination is limited for this resource";

}  // namespace

Scan::Scan(ApiClient& client, const ResourceSpec& resource, const Plan& plan, TargetGenerator targets,
           const WriteLog* writes)
    : client_(client),
      resource_(resource),
      targets_(std::move(targets)),
      writes_(writes),
      decoder_(resource, plan.columns_needed) {}

bool Scan::take_next_target() {
  std::optional<Target> t = targets_.next();
  if (!t) return false;  // the last target stays current
  target_ = std::move(*t);
  return true;
}

std::string Scan::listing_path() const { return client_.display_path(client_.url_for(target_.path)); }

bool Scan::keyed_walk_possible() const {
  const ReadMethod& m = *target_.method;
  return m.cap.max_results > 0 && !target_.range_param.empty();
}

bool Scan::listing_changed_by_writes() const {
  return writes_ && writes_->touched_since(writes_at_start_, client_.endpoint().base_url, target_.path_params);
}

void Scan::start_target() {
  seen_.clear();
  keyed_ = false;
  writes_at_start_ = writes_ ? writes_->serial() : 0;
  start_segment(std::string());
}

void Scan::start_segment(std::string upper) {  // by value: it is often oldest_, cleared here
  boundary_ = std::move(upper);
  segment_rows_ = 0;
  segment_emitted_ = 0;
  segment_total_.reset();
  last_total_.reset();
  segment_first_page_ = true;
  segment_cut_short_ = false;
  changed_ = false;
  rekey_now_ = false;
  oldest_.clear();
  segment_urls_.clear();
  fetch(client_.url_for(target_.first_page(boundary_)));
}

void Scan::fetch(const std::string& url) {
  const ReadMethod& m = *target_.method;
  page_open_ = false;
  next_url_.reset();
  if (!segment_urls_.insert(std::hash<std::string>{}(url)).second)
    throw Error("GET " + listing_path() + ": the server's Link header leads back to a page already fetched (" +
                quote_for_message(client_.display_path(url) + url.substr(std::min(url.find('?'), url.size()))) +
                "); its pagination loops, so the listing stops here rather than run forever");
  client_.get(url, page_);
  if (page_.status == 404 && m.not_found_is_empty) return;
  if (page_.status == 422 && !segment_first_page_ && keyed_walk_possible() &&
      page_.body.view().find(kPaginationLimited) != std::string_view::npos) {
    // The API pages no deeper into an unfiltered listing: the segment ends here, and the
    // walk goes on with `created` narrowed (continue_past_cap).
    segment_cut_short_ = true;
    return;
  }
  if (page_.status < 200 || page_.status > 299)
    throw Error(client_.describe_failure("GET", url, page_) + client_.endpoint().provider->error_hint(page_.status) +
                client_.endpoint().missing_token_hint(page_.status));
  if (m.paginated) {
    if (auto link = page_.header("link")) {
      next_url_ = link_target(*link, "next");
      if (next_url_ && !parse_url(*next_url_))
        throw Error("GET " + client_.display_path(url) + ": the Link header's next URL " +
                    quote_for_message(*next_url_) + " is not an absolute http(s) URL");
      if (next_url_ && !client_.same_origin(*next_url_))
        throw Error("GET " + client_.display_path(url) + ": refusing to follow the Link header to another origin (" +
                    parse_url(*next_url_)->origin() + "); the token and requests stay with " +
                    client_.endpoint().base.origin());
    }
  }
  try {
    decoder_.open(page_.body, m);
  } catch (const Error& e) {
    throw Error("GET " + client_.display_path(url) + ": " + e.what());
  }
  last_total_ = decoder_.total();
  if (segment_first_page_) {
    segment_total_ = decoder_.total();
    segment_first_page_ = false;
  } else if (segment_total_ && last_total_ && *last_total_ != *segment_total_ && keyed_walk_possible() &&
             segment_emitted_ > 0) {
    // The listing changed since its first page: this page may have skipped runs that
    // moved up. Drop it and ask from the oldest run returned.
    next_url_.reset();
    rekey_now_ = true;
    return;
  }
  page_open_ = true;
}

bool Scan::accept_row() {
  const ReadMethod& m = *target_.method;
  const bool capped = m.cap.max_results > 0;
  const int key_column = capped ? m.cap.key_column : resource_.key_column;
  if (!m.paginated || key_column < 0) return true;
  const Cell& key = row_.cells[key_column];
  if (!capped) {
    // Without a date to key on, a changed listing can still not repeat a row.
    return key.kind != Cell::Kind::Int || seen_.insert(key.i);
  }
  ++segment_rows_;
  const Cell& order = row_.cells[m.cap.order_column];
  if (order.kind != Cell::Kind::Text || key.kind != Cell::Kind::Int)
    throw Error("response item without " + resource_.columns[m.cap.order_column].name + " or " +
                resource_.columns[m.cap.key_column].name + ", which listing past the result cap relies on");
  std::string_view when = order.text;
  // After narrowing to `<= boundary`, anything newer was the previous segments' to return.
  if (!boundary_.empty() && when > boundary_) return false;
  if (!seen_.insert(key.i)) {
    // Rows at the boundary come again by design; any other repeat means the pages moved.
    if (boundary_.empty() || when != boundary_) changed_ = true;
    return false;
  }
  ++segment_emitted_;
  if (oldest_.empty() || when < oldest_) oldest_.assign(when);
  return true;
}

bool Scan::continue_past_cap() {
  const Target& t = target_;
  const ReadMethod& m = *t.method;
  if (m.cap.max_results <= 0) return false;
  // The listing ended. It was cut short when the API refused to page further, counted more
  // matches than it gave, or (without a count) gave a full cap's worth.
  bool truncated = segment_cut_short_ ||
                   (last_total_ ? *last_total_ > segment_rows_ : segment_rows_ >= m.cap.max_results);
  if (!truncated) return false;
  if (oldest_.empty() || oldest_ == boundary_) {
    std::string at = oldest_.empty() ? boundary_ : oldest_;
    throw Error("GET " + listing_path() + ": the API stopped after " + std::to_string(segment_rows_) + " of " +
                (last_total_ ? std::to_string(*last_total_) : "more") + " results and more than that share " +
                resource_.columns[m.cap.order_column].name + " " + at +
                ", so the listing cannot go past the API's result cap; narrow the query (e.g. by branch or event)");
  }
  start_segment(oldest_);
  return true;
}

bool Scan::next() {
  if (!started_) {
    started_ = true;
    if (!take_next_target()) return false;
    start_target();
  }
  while (true) {
    if (rekey_now_) {
      keyed_ = true;
      start_segment(oldest_);
      continue;
    }
    if (page_open_) {
      bool got;
      try {
        got = decoder_.next(row_);
      } catch (const Error& e) {
        throw Error("GET " + listing_path() + ": " + e.what());
      }
      if (got) {
        if (accept_row() && target_.admits(resource_, row_)) return true;
        continue;
      }
      page_open_ = false;
    }
    if (next_url_) {
      // Switch to the keyed walk once the listing is known to have changed; it needs a row
      // returned since the last request to start from, else the next page is the way on.
      if (keyed_walk_possible() && (keyed_ || changed_ || listing_changed_by_writes())) {
        keyed_ = true;
        if (segment_emitted_ > 0) {
          start_segment(oldest_);
          continue;
        }
      }
      std::string url = *next_url_;
      fetch(url);
      continue;
    }
    if (continue_past_cap()) continue;
    if (!take_next_target()) return false;
    start_target();
  }
}

}  // namespace stacklite
