// Decodes one response page into rows with simdjson On-Demand, in place in the page
// buffer, forward only: one item is decoded per call while SQLite consumes the last.
#include "json/page_decoder.hpp"

#include "util/text.hpp"

namespace stacklite {

static_assert(simdjson::SIMDJSON_PADDING <= PageBuffer::kPadding, "PageBuffer must keep simdjson's padding");

namespace od = simdjson::ondemand;

namespace {

constexpr size_t kMaxParserCapacity = 32u << 20;  // the page cap: no spare room past it

[[noreturn]] void malformed(simdjson::error_code err, std::string_view where) {
  throw Error("malformed response: " + std::string(where) + ": " + simdjson::error_message(err));
}

std::string_view trim_token(std::string_view token) { return trim(token); }

// The raw text of an object or array value, which it consumes.
std::string_view raw_container(od::value& value, od::json_type type, std::string_view what) {
  std::string_view raw;
  if (type == od::json_type::object) {
    od::object obj;
    if (auto err = value.get_object().get(obj)) malformed(err, what);
    if (auto err = obj.raw_json().get(raw)) malformed(err, what);
  } else {
    od::array arr;
    if (auto err = value.get_array().get(arr)) malformed(err, what);
    if (auto err = arr.raw_json().get(raw)) malformed(err, what);
  }
  return raw;
}

}  // namespace

PageDecoder::PageDecoder(const ResourceSpec& resource, uint64_t needed) : resource_(resource) {
  for (size_t i = 0; i < resource.columns.size(); ++i) {
    const auto& col = resource.columns[i];
    if (!(needed & column_bit(static_cast<int>(i))) || col.json_path.empty()) continue;
    ColumnPath t{static_cast<int>(i), {col.json_path.begin() + 1, col.json_path.end()}};
    by_key_[col.json_path.front()].push_back(std::move(t));
  }
}

void PageDecoder::open(const PageBuffer& body, const ReadMethod& method) {
  body_ = &body;
  total_.reset();
  single_ = false;
  single_done_ = false;
  simdjson::padded_string_view view(body.data(), body.size(), body.allocated());
  if (body.allocated() == 0) throw Error("malformed response: empty body where JSON was expected");
  // The parser's buffers grow to the largest page seen; with room to spare, pages of about
  // the same size do not make it allocate again and again (each time freeing buffers of
  // several MiB, which leaves the heap fragmented as a long scan goes on).
  if (parser_.capacity() < body.size()) {
    const size_t want = std::min(body.size() + body.size() / 2, std::max(body.size(), kMaxParserCapacity));
    if (parser_.allocate(want)) malformed(simdjson::MEMALLOC, "document");
  }
  if (auto err = parser_.iterate(view).get(doc_)) malformed(err, "document");
  if (method.response == ResponseKind::Object) {
    single_ = true;
    return;
  }
  od::array items;
  if (method.items_key.empty()) {
    if (auto err = doc_.get_array().get(items)) malformed(err, "expected a JSON array of items");
  } else {
    od::object envelope;
    if (auto err = doc_.get_object().get(envelope))
      malformed(err, "expected a JSON object with '" + method.items_key + "'");
    bool found = false;
    for (auto field_result : envelope) {
      od::field field;
      if (auto err = std::move(field_result).get(field)) malformed(err, "envelope");
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) malformed(err, "envelope key");
      if (!method.total_key.empty() && key == method.total_key) {
        int64_t total;
        if (!field.value().get_int64().get(total)) total_ = total;
        continue;
      }
      if (key == method.items_key) {
        if (auto err = field.value().get_array().get(items))
          malformed(err, "'" + method.items_key + "' is not an array");
        found = true;
        break;
      }
    }
    if (!found) throw Error("malformed response: no '" + method.items_key + "' array in the response object");
  }
  if (auto err = items.begin().get(it_)) malformed(err, "items");
  if (auto err = items.end().get(end_)) malformed(err, "items");
}

bool PageDecoder::next(Row& row) {
  row.cells.assign(resource_.columns.size(), Cell{});
  row.owned_used = 0;
  od::object object;
  if (single_) {
    if (single_done_) return false;
    single_done_ = true;
    if (auto err = doc_.get_object().get(object)) malformed(err, "expected a JSON object");
    decode_object(object, row);
    return true;
  }
  if (it_ == end_) return false;
  od::value item;
  if (auto err = (*it_).get(item)) malformed(err, "item");
  if (auto err = item.get_object().get(object)) malformed(err, "an item is not a JSON object");
  decode_object(object, row);
  ++it_;
  return true;
}

void PageDecoder::decode_object(od::object object, Row& row) {
  for (auto field_result : object) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) malformed(err, "item field");
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) malformed(err, "item key");
    auto found = by_key_.find(std::string(key));
    if (found == by_key_.end()) continue;  // unconsumed values are skipped by the iterator
    decode_value(field.value(), found->second, row);
  }
}

void PageDecoder::decode_value(od::value value, const std::vector<ColumnPath>& targets, Row& row) {
  bool nested = false;
  for (const auto& t : targets) nested |= !t.rest.empty();
  if (!nested && targets.size() == 1) {
    decode_leaf(value, targets.front().column, row);
    return;
  }
  // Several columns read this key (the object as JSON, and fields inside it): take its raw
  // text once and read the inner fields from that text with a second parser.
  od::json_type type;
  if (auto err = value.type().get(type)) malformed(err, "value");
  if (type != od::json_type::object && type != od::json_type::array) {
    // A scalar (often null) where an object was expected: nested fields stay NULL.
    for (const auto& t : targets)
      if (t.rest.empty()) decode_leaf(value, t.column, row);
    return;
  }
  std::string_view raw = raw_container(value, type, resource_.columns[targets.front().column].name);
  std::vector<ColumnPath> inner;
  for (const auto& t : targets) {
    if (t.rest.empty()) {
      Cell& c = row.cells[t.column];
      c.kind = Cell::Kind::Text;
      c.text = raw;
    } else {
      inner.push_back(t);
    }
  }
  if (!inner.empty() && type == od::json_type::object) decode_nested(raw, inner, row);
}

void PageDecoder::decode_nested(std::string_view raw, const std::vector<ColumnPath>& targets, Row& row) {
  // `raw` lies inside the padded page buffer, so the bytes after it are readable padding.
  size_t offset = static_cast<size_t>(raw.data() - body_->data());
  simdjson::padded_string_view view(raw.data(), raw.size(), body_->allocated() - offset);
  for (const auto& t : targets) {
    od::document doc;
    if (nested_parser_.iterate(view).get(doc)) continue;
    od::value v;
    od::object obj;
    if (doc.get_object().get(obj)) continue;
    bool ok = true;
    for (size_t depth = 0; depth < t.rest.size() && ok; ++depth) {
      if (obj.find_field_unordered(t.rest[depth]).get(v)) {
        ok = false;
        break;
      }
      if (depth + 1 < t.rest.size() && v.get_object().get(obj)) ok = false;
    }
    if (!ok) continue;
    decode_leaf(v, t.column, row);
    Cell& c = row.cells[t.column];
    if (c.kind == Cell::Kind::Text) c.text = keep(row, c.text);  // the nested parser is reused
  }
}

std::string_view PageDecoder::keep(Row& row, std::string_view text) {
  if (row.owned_used == row.owned.size()) row.owned.emplace_back();
  std::string& slot = row.owned[row.owned_used++];
  slot.assign(text.data(), text.size());
  return slot;
}

void PageDecoder::decode_leaf(od::value value, int column, Row& row) {
  Cell& cell = row.cells[column];
  cell = Cell{};
  od::json_type type;
  if (auto err = value.type().get(type)) malformed(err, resource_.columns[column].name);
  ColumnType want = resource_.columns[column].type;
  switch (type) {
    case od::json_type::null:
      return;
    case od::json_type::boolean: {
      bool b;
      if (auto err = value.get_bool().get(b)) malformed(err, resource_.columns[column].name);
      if (want == ColumnType::Text || want == ColumnType::Json) {
        cell.kind = Cell::Kind::Text;
        cell.text = b ? "true" : "false";
      } else {
        cell.kind = Cell::Kind::Int;
        cell.i = b ? 1 : 0;
      }
      return;
    }
    case od::json_type::number: {
      if (want == ColumnType::Text || want == ColumnType::Json) {
        cell.kind = Cell::Kind::Text;
        cell.text = trim_token(value.raw_json_token());
        return;
      }
      if (want != ColumnType::Real) {
        // INTEGER and BOOLEAN take a whole number in 64-bit range. Any other number (1.5,
        // 1e3, 2^64) is the wrong type, so NULL rather than a rounded guess; a number
        // outside even a double's range stays a malformed page.
        int64_t i;
        if (!value.get_int64().get(i)) {
          cell.kind = Cell::Kind::Int;
          cell.i = i;
          return;
        }
        double unused;
        if (auto err = value.get_double().get(unused)) malformed(err, resource_.columns[column].name);
        return;
      }
      double d;
      if (auto err = value.get_double().get(d)) malformed(err, resource_.columns[column].name);
      cell.kind = Cell::Kind::Real;
      cell.d = d;
      return;
    }
    case od::json_type::string: {
      if (want == ColumnType::Json) {
        cell.kind = Cell::Kind::Text;
        cell.text = trim_token(value.raw_json_token());
        return;
      }
      if (want != ColumnType::Text) return;  // a string where a number belongs: NULL, not a guess
      cell.kind = Cell::Kind::Text;
      // A string without escapes is its own bytes in the page buffer (already checked as
      // UTF-8): view them there rather than copy them into the parser's string buffer, so a
      // huge cell is held once, not twice.
      if (std::string_view raw = trim_token(value.raw_json_token()); raw.size() >= 2 && raw.back() == '"') {
        std::string_view inner = raw.substr(1, raw.size() - 2);
        bool plain = true;
        for (char c : inner) plain &= c != '\\' && static_cast<unsigned char>(c) >= 0x20;
        if (plain) {
          cell.text = inner;
          return;
        }
      }
      std::string_view s;
      if (auto err = value.get_string().get(s)) malformed(err, resource_.columns[column].name);
      cell.text = s;
      return;
    }
    case od::json_type::object:
    case od::json_type::array:
      if (want != ColumnType::Json && want != ColumnType::Text) return;
      cell.kind = Cell::Kind::Text;
      cell.text = raw_container(value, type, resource_.columns[column].name);
      return;
  }
}

}  // namespace stacklite
