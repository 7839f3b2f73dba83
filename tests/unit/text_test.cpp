// did_you_mean: the suggestion an unknown option, provider or setting gets.
#include "util/text.hpp"

#include <gtest/gtest.h>

namespace stacklite {
namespace {

TEST(DidYouMean, SuggestsTheNearestNameForATypoAPrefixOrAPart) {
  std::vector<std::string> options{"provider", "base_url", "token_env"};
  EXPECT_EQ(did_you_mean("base", options), " (did you mean base_url?)");
  EXPECT_EQ(did_you_mean("url", options), " (did you mean base_url?)");
  EXPECT_EQ(did_you_mean("token", options), " (did you mean token_env?)");
  EXPECT_EQ(did_you_mean("provder", options), " (did you mean provider?)");
  EXPECT_EQ(did_you_mean("BASE_URL", options), " (did you mean base_url?)");
  EXPECT_EQ(did_you_mean("timeout", {"timeout_ms", "connect_timeout_ms"}), " (did you mean timeout_ms?)");
}

TEST(DidYouMean, SaysNothingWhenNothingIsClose) {
  EXPECT_EQ(did_you_mean("colour", {"provider", "base_url", "token_env"}), "");
  EXPECT_EQ(did_you_mean("", {"provider"}), "");
  EXPECT_EQ(did_you_mean("gitlab", {"github", "shithub"}), "");
  EXPECT_EQ(did_you_mean("ab", {"abcdef"}), "");  // too short to be a part
}

}  // namespace
}  // namespace stacklite
