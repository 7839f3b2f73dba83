// Hostile and broken pages beyond the decoder's own tests: bad UTF-8, NUL bytes, duplicate
// keys, huge and deep values, numbers out of range. Each is a clear error or exact cells.
#include <gtest/gtest.h>

#include "json/page_decoder.hpp"
#include "spec/spec.hpp"
#include "util/text.hpp"

namespace stacklite {
namespace {

const ResourceSpec& runs() { return *bundled_provider("github")->resource("workflow_runs"); }
const ReadMethod& list_method() {
  for (const auto& m : runs().read_methods)
    if (m.paginated && m.path == "/repos/{owner}/{repo}/actions/runs") return m;
  return runs().read_methods.back();
}
int col(const char* name) { return runs().column_index(name); }

// Decodes every row, copying each cell's text out (views die with the next row).
struct Decoded {
  std::vector<std::vector<std::optional<std::string>>> text;  // per row, per column
  std::vector<std::vector<Cell::Kind>> kinds;
  std::vector<int64_t> ids;
};

Decoded decode(const std::string& body) {
  PageBuffer buf;
  buf.assign(body);
  PageDecoder dec(runs(), ~0ull);
  dec.open(buf, list_method());
  Decoded out;
  Row row;
  while (dec.next(row)) {
    std::vector<std::optional<std::string>> texts;
    std::vector<Cell::Kind> kinds;
    for (const auto& c : row.cells) {
      texts.push_back(c.kind == Cell::Kind::Text ? std::optional<std::string>(std::string(c.text)) : std::nullopt);
      kinds.push_back(c.kind);
    }
    const Cell& id = row.cells[col("id")];
    out.ids.push_back(id.kind == Cell::Kind::Int ? id.i : -1);
    out.text.push_back(std::move(texts));
    out.kinds.push_back(std::move(kinds));
  }
  return out;
}

std::string page(const std::string& items) { return "{\"total_count\":1,\"workflow_runs\":[" + items + "]}"; }

TEST(HostilePage, InvalidUtf8IsAnErrorNotAGarbledRow) {
  EXPECT_THROW(decode(page("{\"id\":1,\"name\":\"bad \xC3\x28 byte\"}")), Error);
  EXPECT_THROW(decode(page("{\"id\":1,\"name\":\"overlong \xC0\xAF\"}")), Error);
}

TEST(HostilePage, EscapedNulStaysInsideTheValueAndRawControlBytesAreErrors) {
  auto d = decode(page(R"({"id":1,"name":"a\u0000b"})"));
  ASSERT_EQ(d.ids, std::vector<int64_t>{1});
  EXPECT_EQ(*d.text[0][col("name")], std::string("a\0b", 3));
  EXPECT_THROW(decode(page(std::string("{\"id\":1,\"name\":\"a\0b\"}", 21))), Error);
  EXPECT_THROW(decode(page("{\"id\":1,\"name\":\"line\nbreak\"}")), Error);
}

TEST(HostilePage, DuplicateKeysGiveOneRowWithOneOfTheValues) {
  auto d = decode(page(R"({"id":1,"name":"first","id":2,"name":"second"})"));
  ASSERT_EQ(d.ids.size(), 1u);
  EXPECT_TRUE(d.ids[0] == 1 || d.ids[0] == 2) << d.ids[0];
  EXPECT_TRUE(*d.text[0][col("name")] == "first" || *d.text[0][col("name")] == "second");
}

TEST(HostilePage, HugeValuesArriveWhole) {
  std::string title(4 << 20, 'x');
  std::string prs = "[";
  for (int i = 0; i < 20000; ++i) prs += (i ? "," : "") + std::string("{\"number\":") + std::to_string(i) + "}";
  prs += "]";
  auto d = decode(page("{\"id\":1,\"display_title\":\"" + title + "\",\"pull_requests\":" + prs + "},{\"id\":2}"));
  ASSERT_EQ(d.ids, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(*d.text[0][col("display_title")], title);
  EXPECT_EQ(*d.text[0][col("pull_requests")], prs);
}

TEST(HostilePage, NestingFarDeeperThanAnyParserLimitIsAnErrorOrExactText) {
  std::string nest = std::string(100000, '[') + std::string(100000, ']');
  try {
    auto d = decode(page("{\"id\":1,\"head_commit\":" + nest + "},{\"id\":2}"));
    ASSERT_EQ(d.ids, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(*d.text[0][col("head_commit")], nest);
  } catch (const Error&) {
  }
  // Unbalanced: never a row built from half a value.
  EXPECT_THROW(decode(page("{\"id\":1,\"head_commit\":" + std::string(100000, '[') + "}")), Error);
}

TEST(HostilePage, NumbersOutOfRangeAreNeverWrapped) {
  // Too big for an integer: NULL, as any wrong type is (never a wrapped, truncated or
  // rounded value).
  {
    auto d = decode(page(R"({"id":18446744073709551616,"run_number":-9223372036854775809})"));
    ASSERT_EQ(d.kinds.size(), 1u);
    EXPECT_EQ(d.kinds[0][col("id")], Cell::Kind::Null);
    EXPECT_EQ(d.kinds[0][col("run_number")], Cell::Kind::Null);
  }
  EXPECT_THROW(decode(page(R"({"id":1e400})")), Error);
  auto d = decode(page(R"({"id":9223372036854775807,"run_number":-9223372036854775808})"));
  ASSERT_EQ(d.ids, std::vector<int64_t>{9223372036854775807});
}

TEST(HostilePage, TrailingBytesAfterThePageNeverAddRows) {
  std::string body = page("{\"id\":1}") + " {\"workflow_runs\":[{\"id\":2}]}";
  try {
    auto d = decode(body);
    // If the decoder stops at the end of the first document, it must not have read the second.
    EXPECT_EQ(d.ids, std::vector<int64_t>{1});
  } catch (const Error&) {
  }
}

}  // namespace
}  // namespace stacklite
