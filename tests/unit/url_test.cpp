// URL building and Link parsing: values can never change the path or add parameters,
// origins compare exactly, and every Link form GitHub sends is read.
#include "http/url.hpp"

#include <gtest/gtest.h>

#include "util/text.hpp"

namespace stacklite {

TEST(PercentEncode, KeepsUnreservedAndEncodesEverythingElse) {
  EXPECT_EQ(percent_encode("octo-org_1.x~"), "octo-org_1.x~");
  EXPECT_EQ(percent_encode("a/../b"), "a%2F..%2Fb");
  EXPECT_EQ(percent_encode("x&status=y"), "x%26status%3Dy");
  EXPECT_EQ(percent_encode("a b?#%"), "a%20b%3F%23%25");
  EXPECT_EQ(percent_encode("\n\x01"), "%0A%01");
  EXPECT_EQ(percent_encode("\xC3\xA9"), "%C3%A9");
}

TEST(PathSegment, RejectsEmptyAndDotSegments) {
  EXPECT_NO_THROW(check_path_segment("owner", "octo-org"));
  EXPECT_NO_THROW(check_path_segment("owner", "..."));
  EXPECT_THROW(check_path_segment("owner", ""), Error);
  EXPECT_THROW(check_path_segment("owner", "."), Error);
  try {
    check_path_segment("repo", "..");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("repo"), std::string::npos);
  }
}

TEST(ParseUrl, NormalisesOriginAndSplitsQuery) {
  auto u = parse_url("HTTPS://API.GitHub.com/repos/o/r?per_page=100&page=2#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->origin(), "https://api.github.com:443");
  EXPECT_EQ(u->path, "/repos/o/r");
  EXPECT_EQ(u->query, "per_page=100&page=2");
  EXPECT_EQ(parse_url("http://127.0.0.1:8080")->origin(), "http://127.0.0.1:8080");
  EXPECT_EQ(parse_url("http://127.0.0.1:8080")->path, "/");
  EXPECT_NE(parse_url("http://localhost:8080/")->origin(), parse_url("http://127.0.0.1:8080/")->origin());
  EXPECT_NE(parse_url("https://h/")->origin(), parse_url("http://h/")->origin());
  EXPECT_FALSE(parse_url("ftp://h/x"));
  EXPECT_FALSE(parse_url("/relative"));
  EXPECT_FALSE(parse_url("http://user:pw@h/"));
  EXPECT_FALSE(parse_url("http://h:99999/"));
}

TEST(WithQuery, EncodesKeysAndValues) {
  EXPECT_EQ(with_query("/r", {{"branch", "x&status=y"}, {"created", ">=2025-01-01"}}),
            "/r?branch=x%26status%3Dy&created=%3E%3D2025-01-01");
  EXPECT_EQ(with_query("/r?a=1", {{"b", "2"}}), "/r?a=1&b=2");
}

TEST(LinkHeader, FindsNextAmongGitHubEntries) {
  std::string h =
      "<https://api.github.com/repositories/1/actions/runs?per_page=100&page=2>; rel=\"next\", "
      "<https://api.github.com/repositories/1/actions/runs?per_page=100&page=5>; rel=\"last\"";
  EXPECT_EQ(link_target(h, "next"), "https://api.github.com/repositories/1/actions/runs?per_page=100&page=2");
  EXPECT_EQ(link_target(h, "last"), "https://api.github.com/repositories/1/actions/runs?per_page=100&page=5");
  EXPECT_FALSE(link_target(h, "prev"));
}

TEST(LinkHeader, ToleratesOrderSpacingCaseAndJunk) {
  EXPECT_EQ(link_target("<http://h/p?page=1>; rel=\"prev\",<http://h/p?page=3>;rel=next", "next"), "http://h/p?page=3");
  EXPECT_EQ(link_target("<http://h/a>; REL=\"Next\"", "next"), "http://h/a");
  EXPECT_EQ(link_target("<http://h/a>; rel=\"next last\"", "last"), "http://h/a");
  EXPECT_FALSE(link_target("", "next"));
  EXPECT_FALSE(link_target("garbage", "next"));
  EXPECT_FALSE(link_target("<http://h/a; rel=\"next\"", "next"));
  EXPECT_FALSE(link_target("<http://h/a>; rel=", "next"));
  EXPECT_FALSE(link_target("<http://h/a>; title=\"next\"", "next"));
}

TEST(Url, PagesOfAListingAreNumberedFromItsPageTwoUrl) {
  const std::string two = "https://api.github.com/repos/o/r/actions/runs?per_page=100&page=2&status=success";
  EXPECT_EQ(numbered_page_url(two, 7),
            "https://api.github.com/repos/o/r/actions/runs?per_page=100&page=7&status=success");
  EXPECT_EQ(numbered_page_url("http://h/x?page=2", 10), "http://h/x?page=10");
  // Only a URL that carries page=2 exactly once numbers the pages.
  EXPECT_FALSE(numbered_page_url("http://h/x?page=3", 4));
  EXPECT_FALSE(numbered_page_url("http://h/x?page=2&page=2", 4));
  EXPECT_FALSE(numbered_page_url("http://h/x?per_page=2", 4));
  EXPECT_FALSE(numbered_page_url("http://h/x?cursor=abc", 4));
  EXPECT_FALSE(numbered_page_url("http://h/page=2", 4));
  auto span = page_number_span("http://h/x?a=1&page=12#f");
  ASSERT_TRUE(span);
  EXPECT_EQ(std::string("http://h/x?a=1&page=12#f").substr(span->first, span->second), "12");
}

}  // namespace stacklite
