// Page decoding: GitHub's own example page decodes to the right typed cells, nested fields
// and JSON text; odd types become NULL; malformed pages are errors, never short pages.
#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <sstream>

#include "json/page_decoder.hpp"
#include "spec/spec.hpp"
#include "util/text.hpp"

namespace stacklite {
namespace {

const ResourceSpec& runs() { return *bundled_provider("github")->resource("workflow_runs"); }
const ReadMethod& list_method() { return runs().read_methods.back(); }
const ReadMethod& get_method() { return runs().read_methods[1]; }
int col(const char* name) { return runs().column_index(name); }

std::string openapi_example(const std::string& name) {
  std::ifstream in(STACKLITE_SOURCE_DIR "/tests/data/github-actions-runs.openapi.json");
  std::stringstream ss;
  ss << in.rdbuf();
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(ss.str());
  return simdjson::minify(root["components"]["examples"][name]["value"]);
}

// A deque of rows: a Row's cells view its own `owned` strings, so rows must never be copied.
std::deque<Row> decode_all(const std::string& body, const ReadMethod& method, std::optional<int64_t>* total = nullptr) {
  PageBuffer buf;
  buf.assign(body);
  PageDecoder dec(runs(), ~0ull);
  dec.open(buf, method);
  std::deque<Row> rows;
  Row row;
  while (dec.next(row)) {
    // Copy views out: the test keeps rows after the decoder moves on.
    Row copy = row;
    copy.owned.clear();
    for (auto& c : copy.cells)
      if (c.kind == Cell::Kind::Text) {
        copy.owned.emplace_back(c.text);
      }
    size_t k = 0;
    for (auto& c : copy.cells)
      if (c.kind == Cell::Kind::Text) c.text = copy.owned[k++];
    rows.push_back(std::move(copy));  // a deque's move keeps its elements in place
  }
  if (total) *total = dec.total();
  return rows;
}

TEST(Decoder, DecodesGitHubsExamplePage) {
  std::optional<int64_t> total;
  auto rows = decode_all(openapi_example("workflow-run-paginated"), list_method(), &total);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(total);
  EXPECT_EQ(*total, 1);
  const Row& r = rows[0];
  EXPECT_EQ(r.cells[col("id")].kind, Cell::Kind::Int);
  EXPECT_EQ(r.cells[col("id")].i, 30433642);
  EXPECT_EQ(r.cells[col("run_id")].i, 30433642);
  EXPECT_EQ(r.cells[col("name")].text, "Build");
  EXPECT_EQ(r.cells[col("status")].text, "queued");
  EXPECT_EQ(r.cells[col("conclusion")].kind, Cell::Kind::Null);
  EXPECT_EQ(r.cells[col("actor_login")].text, "octocat");
  EXPECT_EQ(r.cells[col("attempt_number")].i, 1);  // from run_attempt when not given
  std::string actor(r.cells[col("actor")].text);
  EXPECT_EQ(actor.front(), '{');
  EXPECT_NE(actor.find("\"login\":\"octocat\""), std::string::npos);
  std::string prs(r.cells[col("pull_requests")].text);
  EXPECT_EQ(prs.front(), '[');
  EXPECT_EQ(r.cells[col("owner")].kind, Cell::Kind::Null);  // inputs come from the query
}

TEST(Decoder, SingleObjectResponse) {
  auto rows = decode_all(openapi_example("workflow-run"), get_method());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cells[col("id")].i, 30433642);
}

TEST(Decoder, EmptyPageAndTotalAfterItems) {
  auto rows = decode_all(R"({"workflow_runs":[],"total_count":0})", list_method());
  EXPECT_TRUE(rows.empty());
}

TEST(Decoder, WrongTypesBecomeNullNotGuesses) {
  auto rows = decode_all(
      R"({"total_count":1,"workflow_runs":[{"id":"12","name":5,"run_attempt":1.5,"actor":"nobody","head_commit":null,"status":true,"run_number":99999999999999999999}]})",
      list_method());
  ASSERT_EQ(rows.size(), 1u);
  const Row& r = rows[0];
  EXPECT_EQ(r.cells[col("id")].kind, Cell::Kind::Null);
  EXPECT_EQ(r.cells[col("name")].text, "5");
  EXPECT_EQ(r.cells[col("run_attempt")].kind, Cell::Kind::Null);  // 1.5 is no INTEGER: not rounded, not a REAL
  EXPECT_EQ(r.cells[col("actor_login")].kind, Cell::Kind::Null);
  EXPECT_EQ(r.cells[col("actor")].text, "\"nobody\"");
  EXPECT_EQ(r.cells[col("head_commit")].kind, Cell::Kind::Null);
  EXPECT_EQ(r.cells[col("status")].text, "true");
  EXPECT_EQ(r.cells[col("run_number")].kind, Cell::Kind::Null);  // beyond 64 bits: not a lossy REAL
}

// The spec's rule: a value of the wrong type is NULL. INTEGER and BOOLEAN take whole
// numbers in 64-bit range only; REAL takes any number.
TEST(Decoder, NumbersThatAreNotWholeAreNullInIntegerColumnsAndExactInRealOnes) {
  ProviderSpec spec = load_provider_spec(
      R"({"provider":"numbers","base_url":"https://example.invalid","resources":[{"name":"n","columns":[)"
      R"({"name":"i","type":"INTEGER","json":"v"},{"name":"r","type":"REAL","json":"v"},{"name":"b","type":"BOOLEAN","json":"w"}],)"
      R"("read_methods":[{"name":"list","path":"/n","response":{"kind":"list"}}]}]})",
      "numbers.json");
  const ResourceSpec& n = spec.resources.front();
  PageBuffer buf;
  buf.assign(
      R"([{"v":7,"w":1},{"v":1.5,"w":0.5},{"v":2.0,"w":true},{"v":1e3,"w":1e0},{"v":-9223372036854775808,"w":-0},)"
      R"({"v":9223372036854775808,"w":2}])");
  PageDecoder dec(n, ~0ull);
  dec.open(buf, n.read_methods.front());
  struct Want {
    std::optional<int64_t> i;
    double r;
    std::optional<int64_t> b;
  };
  const Want want[] = {{7, 7.0, 1},
                       {std::nullopt, 1.5, std::nullopt},
                       {std::nullopt, 2.0, 1},
                       {std::nullopt, 1000.0, std::nullopt},
                       {INT64_MIN, -9223372036854775808.0, 0},
                       {std::nullopt, 9223372036854775808.0, 2}};
  Row row;
  size_t k = 0;
  for (; dec.next(row); ++k) {
    ASSERT_LT(k, std::size(want));
    const Cell &i = row.cells[0], &r = row.cells[1], &b = row.cells[2];
    if (want[k].i) {
      ASSERT_EQ(i.kind, Cell::Kind::Int) << k;
      EXPECT_EQ(i.i, *want[k].i) << k;
    } else {
      EXPECT_EQ(i.kind, Cell::Kind::Null) << k;
    }
    ASSERT_EQ(r.kind, Cell::Kind::Real) << k;
    EXPECT_EQ(r.d, want[k].r) << k;
    if (want[k].b) {
      ASSERT_EQ(b.kind, Cell::Kind::Int) << k;
      EXPECT_EQ(b.i, *want[k].b) << k;
    } else {
      EXPECT_EQ(b.kind, Cell::Kind::Null) << k;
    }
  }
  EXPECT_EQ(k, std::size(want));
}

TEST(Decoder, EscapedStringsAreUnescaped) {
  auto rows =
      decode_all(R"({"workflow_runs":[{"id":1,"display_title":"fix \"quotes\" \u00e9\n","actor":{"login":"a\\b"}}]})",
                 list_method());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cells[col("display_title")].text, "fix \"quotes\" \xC3\xA9\n");
  EXPECT_EQ(rows[0].cells[col("actor_login")].text, "a\\b");
}

TEST(Decoder, MalformedPagesAreErrors) {
  const char* bad[] = {
      "",
      "<html>502 Bad Gateway</html>",
      R"({"total_count":1})",
      R"({"workflow_runs":{}})",
      R"({"workflow_runs":[{"id":1},)",
      R"({"workflow_runs":[{"id":1}, 7]})",
      R"({"workflow_runs":[{"id":1,"name":"x)",
      R"([{"id":1}])",
  };
  for (const char* body : bad) EXPECT_THROW(decode_all(body, list_method()), Error) << body;
}

// A user spec may read many dotted TEXT columns; each value is copied out of its nested
// document into the row's own storage, which must not move the copies made before it.
TEST(Decoder, ManyDottedTextColumnsOfAUserSpecKeepTheirValues) {
  constexpr int kObjects = 20, kFieldsEach = 3;  // 60 columns: near the limit of 63
  std::string columns, item = "{";
  for (int o = 0; o < kObjects; ++o) {
    item += (o ? ",\"o" : "\"o") + std::to_string(o) + "\":{";
    for (int f = 0; f < kFieldsEach; ++f) {
      std::string field = "f" + std::to_string(f);
      columns += std::string(columns.empty() ? "" : ",") + R"({"name":"c)" + std::to_string(o) + "_" + field +
                 R"(","type":"TEXT","json":"o)" + std::to_string(o) + "." + field + "\"}";
      item += (f ? ",\"" : "\"") + field + "\":\"v" + std::to_string(o) + "." + std::to_string(f) + "\"";
    }
    item += "}";
  }
  item += "}";
  std::string spec_text =
      R"({"provider":"dotted","base_url":"https://example.invalid","resources":[{"name":"things","columns":[)" +
      columns + R"(],"read_methods":[{"name":"list","path":"/things","response":{"kind":"list","items":"things"}}]}]})";
  ProviderSpec spec = load_provider_spec(spec_text, "dotted.json");
  const ResourceSpec& things = spec.resources.front();
  PageBuffer buf;
  buf.assign("{\"things\":[" + item + "," + item + "]}");
  PageDecoder dec(things, ~0ull);
  dec.open(buf, things.read_methods.front());
  Row row;
  int rows = 0;
  while (dec.next(row)) {
    ++rows;
    ASSERT_EQ(row.cells.size(), static_cast<size_t>(kObjects * kFieldsEach));
    for (int o = 0; o < kObjects; ++o)
      for (int f = 0; f < kFieldsEach; ++f) {
        const Cell& c = row.cells[o * kFieldsEach + f];
        ASSERT_EQ(c.kind, Cell::Kind::Text) << o << "." << f;
        EXPECT_EQ(c.text, "v" + std::to_string(o) + "." + std::to_string(f));
      }
  }
  EXPECT_EQ(rows, 2);
}

TEST(Decoder, DeepNestingNeitherCrashesNorLosesTheRow) {
  std::string nest = std::string(5000, '[') + std::string(5000, ']');
  std::string deep = R"({"workflow_runs":[{"id":1,"head_commit":)" + nest + R"(,"actor":{"x":)" + nest +
                     R"(,"login":"deep"}},{"id":2}]})";
  std::deque<Row> rows;
  try {
    rows = decode_all(deep, list_method());
  } catch (const Error&) {
    return;  // refusing the page is fine; crashing or dropping rows silently is not
  }
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].cells[col("id")].i, 1);
  EXPECT_EQ(rows[0].cells[col("head_commit")].text, nest);
  EXPECT_EQ(rows[1].cells[col("id")].i, 2);
}

}  // namespace
}  // namespace stacklite
