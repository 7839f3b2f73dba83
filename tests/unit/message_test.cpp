// What a hostile server can put in a response header or a message: repeated and folded
// header lines, entity-tags that would inject a header, secrets and cuts in messages,
// JSON that stops short; and which hosts plain http may carry a token to.
#include <gtest/gtest.h>

#include <random>

#include "http/api_client.hpp"
#include "http/response_cache.hpp"
#include "http/transport.hpp"
#include "http/url.hpp"
#include "support/utf8_check.hpp"
#include "util/text.hpp"

namespace stacklite {
namespace {

using test_support::valid_utf8;

TEST(HeaderLines, RepeatedFieldsAreOneCommaSeparatedListAndFoldedLinesContinue) {
  HttpResponse r;
  r.add_header_line("Link: <https://h/p?page=9>; rel=\"last\"\r\n");
  r.add_header_line("ETag: \"a\"\r\n");
  r.add_header_line("link: <https://h/p?page=2>; rel=\"next\"\r\n");
  EXPECT_EQ(r.header("link").value_or(""), "<https://h/p?page=9>; rel=\"last\", <https://h/p?page=2>; rel=\"next\"");
  EXPECT_EQ(link_target(*r.header("link"), "next").value_or(""), "https://h/p?page=2");
  // An obsolete folded line continues the field of the line before it.
  r.add_header_line("Link: <https://h/p?page=1>;\r\n");
  r.add_header_line("  rel=\"first\"\r\n");
  EXPECT_EQ(link_target(*r.header("link"), "first").value_or(""), "https://h/p?page=1");
  EXPECT_EQ(link_target(*r.header("link"), "next").value_or(""), "https://h/p?page=2");
  EXPECT_EQ(r.header("etag").value_or(""), "\"a\"");
  r.add_header_line("no colon here\r\n");
  r.add_header_line(": no name\r\n");
  EXPECT_EQ(r.headers.size(), 2u);
}

TEST(EntityTag, OnlyWellFormedTagsAreEverEchoed) {
  for (const char* good : {"\"abc\"", "W/\"abc\"", "\"\"", "W/\"0123456789abcdef\"", "\"caf\xC3\xA9\""})
    EXPECT_TRUE(is_valid_entity_tag(good)) << good;
  for (const char* bad : {"abc", "W/abc", "\"a\"\rX-Injected: 1", "\"a\rb\"", "\"a\nb\"", "\"a\x01\"", "\"a b\"",
                          "\"a\"b\"", "\"a\", \"b\"", "\"", "W/\"", ""})
    EXPECT_FALSE(is_valid_entity_tag(bad)) << bad;
}

TEST(Messages, CutsFallOnCharacterBoundaries) {
  std::string s = std::string(499, 'x') + "\xC3\xA9" + "tail";  // é spans bytes 499-500
  EXPECT_EQ(utf8_prefix(s, 500).size(), 499u);
  EXPECT_EQ(utf8_prefix(s, 501).size(), 501u);
  std::string euro = std::string(498, 'x') + "\xE2\x82\xAC";  // € spans 498-500
  EXPECT_EQ(utf8_prefix(euro + "z", 500).size(), 498u);
  EXPECT_EQ(utf8_prefix("short", 500), "short");
  std::string excerpt = message_excerpt(s, {}, 500);
  EXPECT_TRUE(valid_utf8(excerpt));
  EXPECT_EQ(excerpt, std::string(499, 'x') + "...");
  std::string quoted = quote_for_message(std::string(199, 'a') + "\xF0\x9F\x98\x80");  // a 4-byte emoji at 199
  EXPECT_TRUE(valid_utf8(quoted)) << quoted;
  EXPECT_EQ(quoted, "'" + std::string(199, 'a') + "...'");
}

TEST(Messages, SecretsAreReplacedBeforeTheCutSoNoFragmentRemains) {
  const std::string secret = "ghp_0123456789abcdefghijklmnop";
  std::string echoed = std::string(490, 'x') + secret + " more";
  std::string excerpt = message_excerpt(echoed, {secret}, 500);
  EXPECT_EQ(excerpt.find("ghp_"), std::string::npos) << excerpt;
  EXPECT_EQ(excerpt, std::string(490, 'x') + "[token] mo...");
  EXPECT_EQ(replace_secrets("a " + secret + " b " + secret, {secret}), "a [token] b [token]");
  EXPECT_EQ(replace_secrets("abc", {"", "ab"}), "abc");  // too short to be a secret
}

TEST(JsonCloses, ADocumentCutShortIsToldApartFromAWholeOne) {
  for (const char* whole : {"{}", "[]", " {\"a\":[1,{\"b\":\"}]\\\"\"}]} \n", "[\"\\\\\"]", "<html>", "", "plain"})
    EXPECT_TRUE(json_closes(whole)) << whole;
  for (const char* cut :
       {"{", "[{\"id\":1},", "{\"a\":\"b", "{\"a\":\"b\\\"}", "{\"a\":[1,2]", "[]]", "{} x", "{\"a\":\"\\\\\"}x"})
    EXPECT_FALSE(json_closes(cut)) << cut;
}

// Documents with strings of every length and escapes anywhere (the scan passes 8 bytes at a
// time inside strings): the whole document closes, and no cut of it does.
TEST(JsonCloses, NoCutOfAWholeDocumentCloses) {
  std::mt19937 rng(11);
  const char* pieces[] = {"a", "\\\"", "\\\\", "}", "]", "{", "[", "\\n", "\\u00e9", "xxxxxxx", "\\\\\\\""};
  for (int n = 0; n < 300; ++n) {
    std::string doc = "{\"items\":[";
    int items = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < items; ++i) {
      doc += i ? ",{" : "{";
      int fields = static_cast<int>(rng() % 4);
      for (int f = 0; f < fields; ++f) {
        doc += (f ? ",\"k" : "\"k") + std::to_string(f) + "\":\"";
        int len = static_cast<int>(rng() % 24);
        for (int k = 0; k < len; ++k) doc += pieces[rng() % (sizeof pieces / sizeof *pieces)];
        doc += "\"";
      }
      doc += "}";
    }
    doc += "]}";
    ASSERT_TRUE(json_closes(doc)) << doc;
    for (size_t cut = 1; cut < doc.size(); ++cut) ASSERT_FALSE(json_closes(doc.substr(0, cut))) << doc.substr(0, cut);
  }
}

TEST(PlainHttp, OnlyLoopbackHostsCountAsThisMachine) {
  for (const char* host : {"localhost", "127.0.0.1", "127.1.2.3", "127.255.255.255", "[::1]"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host : {"api.example.test", "127.0.0.1.example.test", "localhost.example.test", "128.0.0.1",
                           "127.0.0", "127.0.0.256", "[::2]", "10.0.0.1", "", "127.0.0.01a"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

TEST(Credentials, AreNeverShownInAMessage) {
  EXPECT_TRUE(has_credentials("http://user:pass@host/api"));
  EXPECT_TRUE(has_credentials("user:pass@host"));
  EXPECT_FALSE(has_credentials("https://host/api@v3"));
  EXPECT_EQ(without_credentials("http://user:s3cret@host:8080/api?x=1"), "http://[credentials]@host:8080/api?x=1");
  EXPECT_EQ(without_credentials("user:s3cret@host/p"), "[credentials]@host/p");
  EXPECT_EQ(without_credentials("https://host/a@b"), "https://host/a@b");
}

}  // namespace
}  // namespace stacklite
