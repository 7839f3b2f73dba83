// A scan streams the rows of one or more targets page by page, in the API's order: it
// follows rel="next", goes past result caps, returns every row of a listing once, even
// while the listing changes under it, and fetches ahead (pages by number once the first
// shows how many there are, the next page, the next target's listing) up to
// max_concurrency requests at once, never beyond what a LIMIT needs.
//
// Why the walk is keyed once a listing changes: pages are numbered, newest first. A run
// created meanwhile pushes later runs down a page (they come twice); a run deleted, or
// changed so that it no longer matches (a statement that cancels, re-runs or deletes the
// runs it lists does exactly that), pulls them up, and the next page number skips them.
// A request for `created <= oldest run seen` starts from the data instead, so nothing
// between the pages is lost, and ids already returned are skipped. Page numbers are kept
// while the listing is stable: they cost the same one request per page and allow pages
// to be fetched side by side.
//
// The walk below decides which page comes next, exactly as if it fetched each page when
// SQLite has read the last; plan_ahead() only guesses those requests early. A guess is used
// when the walk asks for its URL, and everything fetched ahead is dropped the moment the
// walk asks for anything else (a keyed segment, say), so guessing can cost requests but
// never change rows.
#include "vtab/scan.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "spec/endpoint.hpp"
#include "util/text.hpp"

namespace stacklite {

namespace {

// GitHub's answer to a page past the ~40,000 runs an unfiltered listing may page through.
constexpr std::string_view kPaginationLimited = "pagination is limited for this resource";

// The envelope's total count, read from the first bytes of a page (where GitHub puts it)
// without parsing the page: enough to tell whether a listing goes past its result cap.
std::optional<int64_t> peek_total(std::string_view body, const std::string& key) {
  if (key.empty()) return std::nullopt;
  std::string quoted = "\"" + key + "\"";
  size_t at = body.substr(0, 512).find(quoted);
  if (at == std::string_view::npos) return std::nullopt;
  size_t pos = at + quoted.size();
  while (pos < body.size() &&
         (body[pos] == ' ' || body[pos] == ':' || body[pos] == '\n' || body[pos] == '\r' || body[pos] == '\t'))
    ++pos;
  size_t end = pos;
  while (end < body.size() && end - pos < 18 && body[end] >= '0' && body[end] <= '9') ++end;
  if (end == pos) return std::nullopt;
  return parse_int64(body.substr(pos, end - pos));
}

}  // namespace

Scan::Scan(ApiClient& client, const ResourceSpec& resource, const Plan& plan, ReadRequestGenerator targets,
           const WriteLog* writes)
    : client_(client),
      resource_(resource),
      targets_(std::move(targets)),
      writes_(writes),
      label_(resource.name),
      skip_missing_(client.settings()->skip_missing),
      decoder_(resource, plan.columns_needed),
      fetcher_(client),
      sqlite_filters_(!plan.exact) {
  for (const PlanArg& a : plan.args) fan_out_ |= a.in_list;
}

bool Scan::says_missing(const HttpResponse& response) {
  return (response.status == 404 || response.status == 403) &&
         classify_rate_limit(response).kind == RateLimitHit::Kind::None;
}

void Scan::skip_target(const std::string& url) {
  // Named as the user wrote it: owner/repo where the path has both, else every path value.
  std::string what;
  std::string owner, repo;
  for (const auto& [name, value] : target_.path_params) {
    if (name == "owner") owner = value;
    if (name == "repo") repo = value;
  }
  if (!owner.empty() && !repo.empty()) {
    what = owner + "/" + repo;
  } else {
    for (const auto& [name, value] : target_.path_params) what += (what.empty() ? "" : ", ") + name + "=" + value;
  }
  ++targets_skipped_;
  if (client_.settings()->stats) ++client_.settings()->stats->skipped;
  std::string line = "stacklite: " + label_ + ": skipped " + what + ": " + client_.describe_failure("GET", url, page_) +
                     " (on_missing is 'skip')";
  if (before_message) before_message();
  std::fprintf(stderr, "%s\n", without_secrets(std::move(line), client_.endpoint().token()).c_str());
}

const ReadRequest* Scan::target_at(uint64_t seq) const {
  if (seq == target_seq_) return &target_;
  if (seq > target_seq_ && seq - target_seq_ <= upcoming_.size()) return &upcoming_[seq - target_seq_ - 1];
  return nullptr;
}

void Scan::obtain(const std::string& url) {
  if (fetcher_.queued() == 0 || fetcher_.front_url() != url) {
    fetcher_.clear();
    fetcher_.submit(url);
    ahead_ = Ahead{};
    ahead_.active = true;
    ahead_.target = target_seq_;
    ahead_.segment_first = segment_first_page_;
    ahead_.segment_end = !target_.method->paginated;
    ahead_.base_rows = rows_returned_;
  }
  if (on_wait) {
    const auto began = std::chrono::steady_clock::now();
    fetcher_.take(page_, [&] {
      on_wait(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began));
    });
  } else {
    fetcher_.take(page_);
  }
  ++pages_taken_;
}

Scan::Progress Scan::progress() const {
  Progress p;
  p.pages = pages_taken_;
  p.rows = rows_returned_;
  if (target_total_ && *target_total_ >= 0) {
    p.rows_expected = target_rows_before_ + *target_total_;
    if (rows_wanted_ >= 0) p.rows_expected = std::min(p.rows_expected, rows_wanted_);  // a LIMIT stops short
    const int64_t rows = p.rows_expected - target_rows_before_;
    if (target_.per_page > 0)
      p.pages_expected = target_pages_before_ + std::max<int64_t>(1, (rows + target_.per_page - 1) / target_.per_page);
  }
  return p;
}

void Scan::throw_link_loop(const std::string& url) const {
  throw Error(
      listing_error("the server's Link header leads back to a page already fetched (" +
                    quote_for_message(client_.display_path(url) + url.substr(std::min(url.find('?'), url.size()))) +
                    "); its pagination loops, so the listing stops here rather than run forever"));
}

bool Scan::walk_is_keyed(uint64_t seq) const {
  return seq == target_seq_ && keyed_walk_possible() &&
         (keyed_ || changed_ || rekey_now_ || listing_changed_by_writes());
}

void Scan::plan_ahead() {
  if (!prefetch_) return;
  // Queued beyond the requests in flight, so that the next can start the moment one ends.
  // Where SQLite filters rows itself, it may stop early under a LIMIT the table is not
  // told: one page ahead until it has read past the first page.
  const size_t depth = sqlite_filters_ && pages_taken_ < 2 ? 1 : 2 * static_cast<size_t>(fetcher_.concurrency());
  while (ahead_.active) {
    const size_t queued = fetcher_.queued();
    if (queued >= depth) return;
    const ReadRequest& t = *target_at(ahead_.target);
    const ReadMethod& m = *t.method;
    if (!ahead_.segment_end && walk_is_keyed(ahead_.target)) {
      ahead_.active = false;
      return;
    }
    if (ahead_.next_number > 0) {
      if (ahead_.next_number > ahead_.last_number) {
        ahead_.next_number = 0;
        ahead_.segment_end = true;
        continue;
      }
      // Under a LIMIT, a page starting past the rows SQLite will read is never asked for.
      if (rows_wanted_ >= 0 && ahead_.base_rows + (ahead_.next_number - 1) * t.per_page >= rows_wanted_) {
        ahead_.active = false;
        return;
      }
      fetcher_.submit(*numbered_page_url(ahead_.page_two, ahead_.next_number++));
      ahead_.segment_first = false;
      continue;
    }
    if (!ahead_.segment_end) {
      // What follows depends on the newest response: the page just read, or one queued.
      // Under a LIMIT, only the page just read (its place among the rows is then known).
      if (rows_wanted_ >= 0 && queued) return;
      bool failed = false;
      // The page SQLite reads is looked past only once SQLite has taken a row from it: a
      // write in the same statement (cancel or delete what is listed) has then happened,
      // and the walk may have turned keyed.
      if (!queued && page_open_ && rows_from_page_ == 0) return;
      const HttpResponse* r = queued ? fetcher_.back_response(failed) : &page_;
      if (!r) {
        if (failed) ahead_.active = false;
        return;
      }
      if (r->status == 404 && m.not_found_is_empty) {
        ahead_.segment_end = true;
        continue;
      }
      // A target skipped as missing ends with its first answer: the next one may follow.
      if (skip_missing_ && ahead_.segment_first && (ahead_.target != target_seq_ || boundary_.empty()) &&
          says_missing(*r)) {
        ahead_.segment_end = true;
        ahead_.segment_total = 0;  // nothing past a cap to go on with
        continue;
      }
      if (!is_success(r->status)) {
        ahead_.active = false;  // the walk reports it
        return;
      }
      if (ahead_.segment_first) ahead_.segment_total = peek_total(r->body.view(), m.total_key);
      std::optional<std::string> next, last;
      if (auto link = m.paginated ? r->header("link") : std::nullopt) {
        next = link_target(*link, "next");
        last = link_target(*link, "last");
      }
      if (!next) {
        ahead_.segment_end = true;
        continue;
      }
      if (!parse_url(*next) || !client_.same_origin(*next)) {
        ahead_.active = false;  // the walk refuses it, with the reason
        return;
      }
      if (ahead_.segment_first && last) {
        // rel="last" numbers the pages: all of them can be asked for at once.
        auto span = page_number_span(*last);
        std::optional<int64_t> last_number;
        if (span) last_number = parse_int64(std::string_view(*last).substr(span->first, span->second));
        if (last_number && *last_number >= 2 && numbered_page_url(*next, *last_number) == *last) {
          ahead_.page_two = *next;
          ahead_.next_number = 2;
          ahead_.last_number = *last_number;
          ahead_.segment_first = false;
          continue;
        }
      }
      if (rows_wanted_ >= 0 && rows_returned_ + t.per_page >= rows_wanted_) {
        ahead_.active = false;
        return;
      }
      fetcher_.submit(*next);
      ahead_.segment_first = false;
      continue;
    }
    // The segment ends with the newest request. The next target's listing is asked for
    // early unless a LIMIT may not need it, or this target goes on past its result cap
    // (the walk then narrows by date from the oldest row, unknown until it is read).
    if (rows_wanted_ >= 0 ||
        (m.cap.max_results > 0 && (!ahead_.segment_total || *ahead_.segment_total > m.cap.max_results))) {
      ahead_.active = false;
      return;
    }
    const uint64_t seq = ahead_.target + 1;
    if (!target_at(seq)) {
      std::optional<ReadRequest> upcoming = targets_.next();
      if (!upcoming) {
        ahead_.active = false;
        return;
      }
      upcoming_.push_back(std::move(*upcoming));
    }
    const ReadRequest& following = *target_at(seq);
    ahead_ = Ahead{};
    ahead_.active = true;
    ahead_.target = seq;
    ahead_.segment_first = true;
    ahead_.segment_end = !following.method->paginated;
    fetcher_.submit(client_.url_for(following.first_page()));
  }
}

bool Scan::take_next_target() {
  std::optional<ReadRequest> t;
  if (!upcoming_.empty()) {  // made already, to be fetched ahead
    t = std::move(upcoming_.front());
    upcoming_.pop_front();
  } else {
    t = targets_.next();
  }
  if (!t) return false;  // the last target stays current
  if (started_target_) ++target_seq_;
  started_target_ = true;
  target_ = std::move(*t);
  rows_wanted_ = target_.rows_wanted;
  prefetch_ = target_.prefetch;
  return true;
}

std::string Scan::listing_error(std::string_view what) const {
  return client_.request_error("GET", client_.url_for(target_.path), what);
}

bool Scan::keyed_walk_possible() const {
  const ReadMethod& m = *target_.method;
  return m.cap.max_results > 0 && !target_.range_param.empty();
}

bool Scan::listing_changed_by_writes() const {
  return writes_ && writes_->touched_since(writes_at_start_, client_.endpoint().base_url, target_.path_params);
}

void Scan::start_target() {
  target_rows_before_ = rows_returned_;
  target_pages_before_ = pages_taken_;
  target_total_.reset();
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
  if (!segment_urls_.insert(std::hash<std::string>{}(url)).second) throw_link_loop(url);
  obtain(url);
  rows_from_page_ = 0;
  if (page_.status == 404 && m.not_found_is_empty) {
    fetcher_.proceed();
    return;
  }
  if (page_.status == 422 && !segment_first_page_ && keyed_walk_possible() &&
      page_.body.view().find(kPaginationLimited) != std::string_view::npos) {
    // The API pages no deeper into an unfiltered listing: the segment ends here, and the
    // walk goes on with `created` narrowed (continue_past_cap).
    segment_cut_short_ = true;
    return;
  }
  // The first answer for a target (not a later page, nor a later segment past the result
  // cap: those are failures mid-scan) may say the repository is gone or unreadable.
  const bool target_missing = segment_first_page_ && boundary_.empty() && says_missing(page_);
  if (target_missing && skip_missing_) {
    skip_target(url);
    fetcher_.proceed();
    return;
  }
  if (!is_success(page_.status))
    throw Error(
        client_.explain_failure("GET", url, page_) +
        (target_missing && fan_out_
             ? " (to go on past repositories that are gone or unreadable, SELECT stacklite_config('on_missing', "
               "'skip'))"
             : ""));
  if (m.paginated) {
    if (auto link = page_.header("link")) {
      next_url_ = link_target(*link, "next");
      if (next_url_ && !parse_url(*next_url_))
        throw Error(client_.request_error(
            "GET", url,
            "the Link header's next URL " + quote_for_message(*next_url_) + " is not an absolute http(s) URL"));
      if (next_url_ && !client_.same_origin(*next_url_))
        throw Error(client_.request_error("GET", url,
                                          "refusing to follow the Link header to another origin (" +
                                              parse_url(*next_url_)->origin() + "); the token and requests stay with " +
                                              client_.endpoint().base.origin()));
      // Told now, before anything is fetched ahead of a loop.
      if (next_url_ && segment_urls_.count(std::hash<std::string>{}(*next_url_))) throw_link_loop(*next_url_);
    }
  }
  try {
    decoder_.open(page_.body, m);
  } catch (const Error& e) {
    throw Error(client_.request_error("GET", url, e.what()));
  }
  last_total_ = decoder_.total();
  if (pages_taken_ == target_pages_before_ + 1) target_total_ = last_total_;  // the whole listing's count
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
  fetcher_.proceed();
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
  const ReadRequest& t = target_;
  const ReadMethod& m = *t.method;
  if (m.cap.max_results <= 0) return false;
  // The listing ended. It was cut short when the API refused to page further, counted more
  // matches than it gave, or (without a count) gave a full cap's worth.
  bool truncated =
      segment_cut_short_ || (last_total_ ? *last_total_ > segment_rows_ : segment_rows_ >= m.cap.max_results);
  if (!truncated) return false;
  if (oldest_.empty() || oldest_ == boundary_) {
    std::string at = oldest_.empty() ? boundary_ : oldest_;
    throw Error(listing_error("the API stopped after " + std::to_string(segment_rows_) + " of " +
                              (last_total_ ? std::to_string(*last_total_) : "more") +
                              " results and more than that share " + resource_.columns[m.cap.order_column].name + " " +
                              at +
                              ", so the listing cannot go past the API's result cap; narrow the query (e.g. by branch "
                              "or event)"));
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
    // Each time SQLite is back for a row (it has done all it does with the last one), and
    // before any request the walk makes: queue what can be told of the requests to come.
    if (ahead_.active) plan_ahead();
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
        throw Error(listing_error(e.what()));
      }
      if (got) {
        if (!accept_row() || !target_.admits(resource_, row_)) continue;
        ++rows_returned_;
        ++rows_from_page_;
        return true;
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
