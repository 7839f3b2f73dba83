// A scan streams the rows of one or more targets page by page, in the API's order: it
// follows rel="next", goes past result caps, returns every row of a listing once, even
// while the listing changes under it, and fetches ahead (pages by number once the first
// shows how many there are, the next page, the next targets' listings) up to
// max_concurrency requests at once, never beyond what a LIMIT needs.
//
// Why the walk is keyed once a listing changes: pages are numbered, newest first. A run
// created meanwhile pushes later runs down a page (they come twice); a run deleted, or
// changed so that it no longer matches (a statement that cancels, re-runs or deletes the
// runs it lists does exactly that), pulls them up, and the next page number skips them.
// A request for `created <= oldest run seen` starts from the data instead, so nothing
// between the pages is lost, and ids already returned are skipped. Page numbers are kept
// while the listing is stable: they cost the same one request per page and allow pages
// to be fetched side by side. A listing with no such date (artifacts) is rewound after a
// write of its own statement: the page being read is asked for again, and the ones before
// it while they start with a row not seen yet, so the rows a delete pulled up are not
// skipped (one request more per page that a write touched).
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
  writes_at_scan_start_ = writes_ ? writes_->serial() : 0;
}

bool Scan::statement_wrote() const { return writes_ && writes_->serial() != writes_at_scan_start_; }

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
  say("skipped " + what + ": " + client_.describe_failure("GET", url, page_) + " (on_missing is 'skip')");
}

void Scan::say(std::string what) {
  if (before_message) before_message();
  std::string line = "stacklite: " + label_ + ": " + std::move(what);
  std::fprintf(stderr, "%s\n", without_secrets(std::move(line), client_.endpoint().token()).c_str());
}

// The listing's first request answered 404: when the path its spec names (the repository)
// is found, what the listing's own path adds (a workflow) does not exist, so the listing has
// no rows, and stderr says so (a misspelt name is not silently nothing). Otherwise the 404
// stands, with what it means.
bool Scan::parent_found(const ReadMethod& m, const std::string& url) {
  const std::string parent = client_.url_for(expand_path(m.no_rows_if_found_pieces, target_.path_params));
  std::optional<bool> found;
  if (parents_known)
    if (auto known = parents_known->find(parent); known != parents_known->end()) found = known->second;
  if (!found) {
    HttpResponse answer;
    client_.get(parent, answer);
    found = answer.status == 200;
    if (parents_known) (*parents_known)[parent] = *found;
  }
  if (!*found) return false;
  say("no rows from GET " + client_.display_path(url) + ": 404 Not Found, while GET " + client_.display_path(parent) +
      " answered 200 (no such item there)");
  return true;
}

const ReadRequest* Scan::target_at(uint64_t seq) const {
  if (seq == target_seq_) return &target_;
  if (seq > target_seq_ && seq - target_seq_ <= upcoming_.size()) return &upcoming_[seq - target_seq_ - 1];
  return nullptr;
}

void Scan::obtain(const std::string& url) {
  // What is left queued for targets already passed, the walk no longer wants.
  if (target_seq_ > 0 && fetcher_.queued() && fetcher_.front_group() < target_seq_)
    fetcher_.clear_through(target_seq_ - 1);
  while (!ahead_.empty() && ahead_.front().target < target_seq_) ahead_.pop_front();
  if (fetcher_.queued() == 0 || fetcher_.front_group() != target_seq_ || fetcher_.front_url() != url) {
    // Not the request guessed for this target: drop its guesses (those for the targets
    // after it stay: their first pages do not depend on this walk) and ask for `url`.
    fetcher_.clear_through(target_seq_);
    fetcher_.submit(url, target_seq_);
    Ahead a;
    a.target = target_seq_;
    a.segment_first = segment_first_page_;
    a.segment_end = !target_.method->paginated;
    a.base_rows = rows_returned_;
    a.writes_serial = writes_ ? writes_->serial() : 0;
    if (!ahead_.empty() && ahead_.front().target == target_seq_) ahead_.pop_front();
    ahead_.push_front(std::move(a));
  }
  // While it waits, what has come in meanwhile may tell more requests: a later target's
  // first page its further pages, say.
  const auto began = std::chrono::steady_clock::now();
  fetcher_.take(page_, [&] {
    plan_ahead();
    if (on_wait)
      on_wait(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began));
  });
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
  if (seq != target_seq_) return false;
  if (must_rewind()) return true;  // the rewound page comes next, not the guessed one
  return keyed_walk_possible() && (keyed_ || changed_ || rekey_now_ || listing_changed_by_writes());
}

void Scan::plan_ahead() {
  if (!prefetch_ || ahead_.empty()) return;
  // What is queued here starts together, by the fetcher's order (the next target's first
  // page before this one's further pages): queue() begins the batch.
  struct Batch {
    Scan& s;
    ~Batch() {
      if (s.batching_) s.fetcher_.end_batch();
      s.batching_ = false;
    }
  } batch{*this};
  // Queued beyond the requests in flight, so that the next can start the moment one ends.
  // Where SQLite filters rows itself, it may stop early under a LIMIT the table is not
  // told: one page ahead until it has read past the first page.
  const bool cautious = sqlite_filters_ && pages_taken_ < 2;
  const size_t depth = cautious ? 1 : 2 * static_cast<size_t>(fetcher_.concurrency());
  for (Ahead& a : ahead_) advance(a, depth);
  // The next target's listing is asked for early, once the newest target's first page has
  // answered and shown its pages (so nothing is asked for past a target that fails), unless
  // a LIMIT may not need it. It starts before the pages queued ahead of it: its own further
  // pages can only be queued once it is in. While SQLite may stop early, only once this
  // target's requests are all told and it does not go on past its result cap (the walk
  // then narrows by date from the oldest row, unknown until read).
  if (rows_wanted_ >= 0) return;
  while (fetcher_.queued() < depth) {
    const Ahead& back = ahead_.back();
    const ReadMethod& m = *target_at(back.target)->method;
    if (!back.segment_end && (!back.active || back.segment_first)) return;
    if (cautious && (!back.segment_end ||
                     (m.cap.max_results > 0 && (!back.segment_total || *back.segment_total > m.cap.max_results))))
      return;
    const uint64_t seq = back.target + 1;
    if (!target_at(seq)) {
      std::optional<ReadRequest> upcoming;
      if (!targets_exhausted_) upcoming = targets_.next();
      if (!upcoming) {
        targets_exhausted_ = true;
        return;
      }
      upcoming_.push_back(std::move(*upcoming));
    }
    const ReadRequest& following = *target_at(seq);
    Ahead a;
    a.target = seq;
    a.segment_first = true;
    a.segment_end = !following.method->paginated;
    a.writes_serial = writes_ ? writes_->serial() : 0;
    queue(client_.url_for(following.first_page()), seq, true);
    ahead_.push_back(std::move(a));
    advance(ahead_.back(), depth);
  }
}

void Scan::queue(std::string url, uint64_t target, bool lead) {
  if (!batching_) fetcher_.begin_batch();
  batching_ = true;
  fetcher_.submit(std::move(url), target, lead);
}

void Scan::advance(Ahead& a, size_t depth) {
  const bool current = a.target == target_seq_;
  const ReadRequest& t = *target_at(a.target);
  const ReadMethod& m = *t.method;
  while (a.active && !a.segment_end) {
    if (walk_is_keyed(a.target)) {
      a.active = false;
      return;
    }
    const size_t queued = fetcher_.queued_in(a.target);
    // A listing is looked past a first page SQLite has not read yet (a later target's, or
    // this one's fetched ahead) only while the statement has written nothing: a write may
    // change it before SQLite reads the page, and its walk would then turn keyed and drop
    // the pages.
    if ((!current || (a.segment_first && queued)) && statement_wrote()) return;
    if (fetcher_.queued_through(a.target) >= depth) return;
    if (a.next_number > 0) {
      if (a.next_number > a.last_number) {
        a.next_number = 0;
        a.segment_end = true;
        return;
      }
      // Under a LIMIT, a page starting past the rows SQLite will read is never asked for.
      if (rows_wanted_ >= 0 && a.base_rows + (a.next_number - 1) * t.per_page >= rows_wanted_) {
        a.active = false;
        return;
      }
      queue(*numbered_page_url(a.page_two, a.next_number++), a.target);
      a.segment_first = false;
      continue;
    }
    // What follows depends on the newest response: the page just read, or one queued.
    // Under a LIMIT, only the page just read (its place among the rows is then known).
    if (rows_wanted_ >= 0 && queued) return;
    // The page SQLite reads is looked past only once SQLite has taken a row from it: a
    // write in the same statement (cancel or delete what is listed) has then happened,
    // and the walk may have turned keyed.
    if (!queued && (!current || (page_open_ && rows_from_page_ == 0))) return;
    bool failed = false;
    const HttpResponse* r = queued ? fetcher_.back_response(a.target, failed) : &page_;
    if (!r) {
      if (failed) a.active = false;
      return;
    }
    if (r->status == 404 && m.not_found_is_empty) {
      a.segment_end = true;
      return;
    }
    // A target skipped as missing ends with its first answer. (A 404 that the spec answers
    // through a fallback method is not missing: the walk asks that method next.)
    if (skip_missing_ && a.segment_first && (!current || boundary_.empty()) && says_missing(*r) &&
        !(r->status == 404 && m.fallback_method >= 0)) {
      a.segment_end = true;
      a.segment_total = 0;  // nothing past a cap to go on with
      return;
    }
    if (!is_success(r->status)) {
      a.active = false;  // the walk reports it
      return;
    }
    if (a.segment_first) a.segment_total = peek_total(r->body.view(), m.total_key);
    std::optional<std::string> next, last;
    if (auto link = m.paginated ? r->header("link") : std::nullopt) {
      next = link_target(*link, "next");
      last = link_target(*link, "last");
    }
    if (!next) {
      a.segment_end = true;
      return;
    }
    if (!parse_url(*next) || !client_.same_origin(*next)) {
      a.active = false;  // the walk refuses it, with the reason
      return;
    }
    if (a.segment_first && last) {
      // rel="last" numbers the pages: all of them can be asked for at once.
      auto span = page_number_span(*last);
      std::optional<int64_t> last_number;
      if (span) last_number = parse_int64(std::string_view(*last).substr(span->first, span->second));
      if (last_number && *last_number >= 2 && numbered_page_url(*next, *last_number) == *last) {
        a.page_two = *next;
        a.next_number = 2;
        a.last_number = *last_number;
        a.segment_first = false;
        continue;
      }
    }
    if (rows_wanted_ >= 0 && rows_returned_ + t.per_page >= rows_wanted_) {
      a.active = false;
      return;
    }
    queue(*next, a.target);
    a.segment_first = false;
  }
}

bool Scan::take_next_target() {
  std::optional<ReadRequest> t;
  if (!upcoming_.empty()) {  // made already, to be fetched ahead
    t = std::move(upcoming_.front());
    upcoming_.pop_front();
  } else if (!targets_exhausted_) {
    t = targets_.next();
  }
  if (!t) {
    targets_exhausted_ = true;
    return false;  // the last target stays current
  }
  if (started_target_) ++target_seq_;
  started_target_ = true;
  fallback_note_.clear();
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

bool Scan::rewind_possible() const {
  return target_.method->paginated && resource_.key_column >= 0 && !keyed_walk_possible();
}

int64_t Scan::page_number() const {
  auto span = page_number_span(page_url_);
  if (!span) return 1;
  return parse_int64(std::string_view(page_url_).substr(span->first, span->second)).value_or(1);
}

void Scan::rewind_to(int64_t number) {
  std::string url = client_.url_for(target_.first_page());
  if (number > 1) {
    auto span = page_number_span(page_url_);
    if (span)
      url = page_url_.substr(0, span->first) + std::to_string(number) + page_url_.substr(span->first + span->second);
  }
  writes_at_start_ = writes_->serial();
  segment_urls_.clear();  // the page comes again on purpose, not by a Link loop
  fetch(url);
  rewinding_ = true;
}

void Scan::start_target() {
  target_rows_before_ = rows_returned_;
  target_pages_before_ = pages_taken_;
  target_total_.reset();
  seen_.clear();
  keyed_ = false;
  // Writes count from when the listing was first asked for, ahead of time perhaps.
  writes_at_start_ = writes_ ? writes_->serial() : 0;
  for (const Ahead& a : ahead_)
    if (a.target == target_seq_) writes_at_start_ = a.writes_serial;
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
  rewinding_ = false;
  if (!segment_urls_.insert(std::hash<std::string>{}(url)).second) throw_link_loop(url);
  page_url_ = url;
  obtain(url);
  rows_from_page_ = 0;
  if (page_.status == 404 && m.fallback_method >= 0 && segment_first_page_ && boundary_.empty()) {
    // The first request of the listing is a 404 and the spec names the method that answers
    // then (an owner that is a user rather than an organization): the same query through it.
    const std::string tried = "GET " + client_.display_path(url) + " answered 404";
    if (!target_.fallback) throw Error(tried + "; " + target_.fallback_error);
    fallback_note_ = " (after " + tried + ")";
    fetcher_.clear_through(target_seq_);  // this target's guesses; the next targets' stay
    ReadRequest next = *target_.fallback;
    next.rows_wanted = target_.rows_wanted;
    next.prefetch = target_.prefetch;
    target_ = std::move(next);
    start_target();
    return;
  }
  if (!target_.value_error.empty() && segment_first_page_ && boundary_.empty() && page_.status < 400)
    throw Error("GET " + client_.display_path(url) + " answered " + std::to_string(page_.status) + "; " +
                target_.value_error);
  if (page_.status == 404 && m.not_found_is_empty) {
    fetcher_.proceed();
    return;
  }
  if (page_.status == 404 && !m.no_rows_if_found.empty() && segment_first_page_ && boundary_.empty() &&
      parent_found(m, url)) {
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
        client_.explain_failure("GET", url, page_) + fallback_note_ +
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
    plan_ahead();
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
      if (got && rewinding_) {
        rewinding_ = false;
        // A first row not seen yet may have had unseen rows before it: go back a page.
        const Cell& key = row_.cells[resource_.key_column];
        if (key.kind == Cell::Kind::Int && !seen_.contains(key.i) && page_number() > 1) {
          page_open_ = false;
          rewind_to(page_number() - 1);
          continue;
        }
      }
      if (got) {
        if (!accept_row() || !target_.admits(resource_, row_)) continue;
        ++rows_returned_;
        ++rows_from_page_;
        return true;
      }
      page_open_ = false;
      if (rewinding_ && page_number() > 1) {  // the rewound page is empty now
        rewind_to(page_number() - 1);
        continue;
      }
      rewinding_ = false;
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
      } else if (must_rewind()) {
        rewind_to(page_number());
        continue;
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
