// What a listing remembers while it walks: the ids it returned (IdSet) and the writes of
// its connection that may have changed it (WriteLog).
#include <gtest/gtest.h>

#include <cstdint>
#include <set>

#include "util/id_set.hpp"
#include "vtab/write_log.hpp"

namespace stacklite {
namespace {

TEST(IdSet, RemembersEveryIdOnceIncludingExtremes) {
  IdSet ids;
  std::set<int64_t> reference;
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 100000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    int64_t id = static_cast<int64_t>(x % 50000) * (i % 2 ? 1 : -1);
    EXPECT_EQ(ids.insert(id), reference.insert(id).second) << id;
  }
  for (int64_t extreme : {INT64_MIN, INT64_MAX, int64_t{0}}) {
    EXPECT_FALSE(ids.contains(extreme) && !reference.count(extreme));
    EXPECT_EQ(ids.insert(extreme), reference.insert(extreme).second);
    EXPECT_TRUE(ids.contains(extreme));
    EXPECT_FALSE(ids.insert(extreme));
  }
  EXPECT_EQ(ids.size(), reference.size());
  for (int64_t id : reference) EXPECT_TRUE(ids.contains(id));
  EXPECT_FALSE(ids.contains(50001));
  ids.clear();
  EXPECT_EQ(ids.size(), 0u);
  EXPECT_FALSE(ids.contains(INT64_MIN));
  EXPECT_FALSE(ids.contains(1));
}

TEST(WriteLog, ATouchIsAWriteToTheSameBaseUrlAgreeingOnSharedPathParameters) {
  WriteLog log;
  const std::string base = "https://api.github.com";
  const PathParams listing = {{"owner", "octo-org"}, {"repo", "octo-repo"}};
  uint64_t start = log.serial();
  EXPECT_FALSE(log.touched_since(start, base, listing));
  log.record(base, {{"owner", "octo-org"}, {"repo", "other"}, {"run_id", "5"}});
  log.record("https://ghe.example/api/v3", {{"owner", "octo-org"}, {"repo", "octo-repo"}, {"run_id", "5"}});
  EXPECT_FALSE(log.touched_since(start, base, listing));
  log.record(base, {{"owner", "Octo-Org"}, {"repo", "OCTO-REPO"}, {"run_id", "7"}});  // names are case-insensitive
  EXPECT_TRUE(log.touched_since(start, base, listing));
  EXPECT_FALSE(log.touched_since(log.serial(), base, listing));
  // A jobs listing of run 5 is touched by a write to run 5 or to a job, not by one to run 6.
  const PathParams jobs = {{"owner", "octo-org"}, {"repo", "octo-repo"}, {"run_id", "5"}};
  uint64_t later = log.serial();
  log.record(base, {{"owner", "octo-org"}, {"repo", "octo-repo"}, {"run_id", "6"}});
  EXPECT_FALSE(log.touched_since(later, base, jobs));
  log.record(base, {{"owner", "octo-org"}, {"repo", "octo-repo"}, {"job_id", "61"}});
  EXPECT_TRUE(log.touched_since(later, base, jobs));
}

TEST(WriteLog, StaysBoundedAndAssumesATouchWhenItForgot) {
  WriteLog log;
  const PathParams listing = {{"owner", "o"}, {"repo", "r"}};
  uint64_t start = log.serial();
  for (int i = 0; i < 10000; ++i) log.record("https://api.github.com", {{"owner", "o"}, {"repo", "elsewhere"}});
  EXPECT_TRUE(log.touched_since(start, "https://api.github.com", listing));  // cannot tell: assume so
  uint64_t recent = log.serial() - 10;
  EXPECT_FALSE(log.touched_since(recent, "https://api.github.com", listing));
}

}  // namespace
}  // namespace stacklite
