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

// A listing of 100,000 runs, newest first, ids a few thousand apart as on a busy host: the
// set stays exact and small (the listing's memory must not grow with the number of runs).
TEST(IdSet, AHundredThousandIdsOfOneListingTakeUnderHalfAMebibyte) {
  IdSet ids;
  std::set<int64_t> reference;
  uint64_t x = 0x2545F4914F6CDD1DULL;
  int64_t id = 12'000'000'000;
  for (int i = 0; i < 100000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    id -= 1 + static_cast<int64_t>(x % 5000);
    ASSERT_TRUE(ids.insert(id));
    reference.insert(id);
    if (i % 997 == 0) {  // a run seen again: just now, and at the start of the listing
      ASSERT_FALSE(ids.insert(id));
      ASSERT_FALSE(ids.insert(*reference.rbegin()));
    }
  }
  EXPECT_EQ(ids.size(), 100000u);
  EXPECT_LT(ids.memory(), 512u * 1024) << "bytes for 100,000 ids";
  for (int64_t seen : reference) ASSERT_TRUE(ids.contains(seen));
  size_t absent = 0;
  for (int64_t probe = id; probe < 12'000'000'000; probe += 1237) absent += !reference.count(probe);
  size_t reported_absent = 0;
  for (int64_t probe = id; probe < 12'000'000'000; probe += 1237) reported_absent += !ids.contains(probe);
  EXPECT_EQ(reported_absent, absent);
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
