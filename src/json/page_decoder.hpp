// Decodes one response page into rows with simdjson On-Demand, in place in the page
// buffer, forward only: one item is decoded per call while SQLite consumes the last.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "spec/spec.hpp"
#include "util/page_buffer.hpp"

namespace stacklite {

struct Cell {
  enum class Kind : uint8_t { Null, Int, Real, Text };
  Kind kind = Kind::Null;
  int64_t i = 0;
  double d = 0;
  std::string_view text;  // into the page buffer, the parser's string buffer or Row::owned
};

struct Row {
  std::vector<Cell> cells;
  // Storage for values copied out of nested documents. A deque: adding a slot never moves
  // the others, so the cells that already view them stay valid (a vector would move short
  // strings, whose characters live inside the string object, when it grows).
  std::deque<std::string> owned;
  size_t owned_used = 0;
};

class PageDecoder {
 public:
  // `needed` has bit i set when column i must be decoded (bit 63 stands for 63 and up).
  PageDecoder(const ResourceSpec& resource, uint64_t needed);

  // Starts on a response body; the buffer must outlive the rows read from it.
  // Throws Error (without a request prefix) when the body does not have the expected shape.
  void open(const PageBuffer& body, const ReadMethod& method);
  std::optional<int64_t> total() const { return total_; }

  // Decodes the next item into row; false at the end of the page. Throws Error when the
  // page is malformed.
  bool next(Row& row);

 private:
  // Where a column's value sits in an item, below the top-level key it is found by.
  struct ColumnPath {
    int column;
    std::vector<std::string> rest;  // path below the top-level key; empty: the value itself
  };
  void decode_object(simdjson::ondemand::object object, Row& row);
  void decode_value(simdjson::ondemand::value value, const std::vector<ColumnPath>& targets, Row& row);
  void decode_nested(std::string_view raw, const std::vector<ColumnPath>& targets, Row& row);
  void decode_leaf(simdjson::ondemand::value value, int column, Row& row);
  std::string_view keep(Row& row, std::string_view text);

  const ResourceSpec& resource_;
  std::unordered_map<std::string, std::vector<ColumnPath>> by_key_;
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::parser nested_parser_;
  simdjson::ondemand::document doc_;
  simdjson::ondemand::array_iterator it_;
  simdjson::ondemand::array_iterator end_;
  const PageBuffer* body_ = nullptr;
  bool single_ = false;  // the body is one object
  bool single_done_ = false;
  std::optional<int64_t> total_;
};

}  // namespace stacklite
