// A scan streams the rows of one or more targets page by page: it fetches a page only
// when SQLite has consumed the last, follows rel="next", and goes past result caps.
#include "vtab/scan.hpp"

#include "util/text.hpp"

namespace stacklite {

Scan::Scan(ApiClient& client, const ResourceSpec& resource, const Plan& plan, TargetGenerator targets)
    : client_(client), resource_(resource), targets_(std::move(targets)), decoder_(resource, plan.columns_needed) {}

bool Scan::take_next_target() {
  std::optional<Target> t = targets_.next();
  if (!t) return false;  // the last target stays current
  target_ = std::move(*t);
  return true;
}

void Scan::start_target() {
  segment_rows_ = 0;
  segment_total_.reset();
  segment_first_page_ = true;
  oldest_.clear();
  oldest_keys_.clear();
  boundary_.clear();
  boundary_keys_.clear();
  fetch(client_.url_for(target_.first_page()));
}

void Scan::fetch(const std::string& url) {
  const ReadMethod& m = *target_.method;
  page_open_ = false;
  next_url_.reset();
  client_.get(url, page_);
  if (page_.status == 404 && m.not_found_is_empty) return;
  if (page_.status < 200 || page_.status > 299)
    throw Error(describe_http_failure("GET", client_.display_path(url), page_) +
                client_.endpoint().provider->error_hint(page_.status));
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
  if (segment_first_page_) {
    segment_total_ = decoder_.total();
    segment_first_page_ = false;
  }
  page_open_ = true;
}

bool Scan::accept_row() {
  const ReadMethod& m = *target_.method;
  if (m.cap.max_results <= 0) return true;
  ++segment_rows_;
  const Cell& order = row_.cells[m.cap.order_column];
  const Cell& key = row_.cells[m.cap.key_column];
  if (order.kind != Cell::Kind::Text || key.kind != Cell::Kind::Int)
    throw Error("response item without " + resource_.columns[m.cap.order_column].name + " or " +
                resource_.columns[m.cap.key_column].name + ", which listing past the result cap relies on");
  std::string_view when = order.text;
  if (!boundary_.empty()) {
    // After narrowing to `<= boundary`, rows at the boundary that were already emitted
    // come again: drop them, and anything newer, which the previous segment covered.
    if (when > boundary_) return false;
    if (when == boundary_ && boundary_keys_.count(key.i)) return false;
  }
  if (oldest_.empty() || when < oldest_) {
    oldest_.assign(when);
    oldest_keys_.clear();
  }
  if (when == oldest_) oldest_keys_.insert(key.i);
  return true;
}

bool Scan::continue_past_cap() {
  const Target& t = target_;
  const ReadMethod& m = *t.method;
  if (m.cap.max_results <= 0) return false;
  // The listing ended. It was cut short when the API counted more matches than it gave
  // (or, without a count, when it gave a full cap's worth).
  bool truncated = segment_total_ ? *segment_total_ > segment_rows_ : segment_rows_ >= m.cap.max_results;
  if (!truncated) return false;
  if (oldest_.empty() || oldest_ == boundary_) {
    std::string at = oldest_.empty() ? boundary_ : oldest_;
    throw Error("GET " + client_.display_path(client_.url_for(t.path)) + ": the API stopped after " +
                std::to_string(segment_rows_) + " of " + (segment_total_ ? std::to_string(*segment_total_) : "more") +
                " results and more than that share " + resource_.columns[m.cap.order_column].name + " " + at +
                ", so the listing cannot go past the API's result cap; narrow the query (e.g. by branch or event)");
  }
  boundary_ = oldest_;
  boundary_keys_ = std::move(oldest_keys_);
  segment_rows_ = 0;
  segment_total_.reset();
  segment_first_page_ = true;
  oldest_.clear();
  oldest_keys_.clear();
  fetch(client_.url_for(t.first_page(boundary_)));
  return true;
}

bool Scan::next() {
  if (!started_) {
    started_ = true;
    if (!take_next_target()) return false;
    start_target();
  }
  while (true) {
    if (page_open_) {
      bool got;
      try {
        got = decoder_.next(row_);
      } catch (const Error& e) {
        throw Error("GET " + client_.display_path(client_.url_for(target_.path)) + ": " + e.what());
      }
      if (got) {
        if (accept_row() && target_.admits(resource_, row_)) return true;
        continue;
      }
      page_open_ = false;
    }
    if (next_url_) {
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
