#include "mixdist/distributed/shard.h"

#include <gtest/gtest.h>

#include <set>

#include "test_util.h"

namespace {

using mixdist::distributed::shard;

TEST(DistributedShard, SlicesCoverTheItemsInRankOrder) {
  for (const int64_t n : {0, 1, 7, 20, 101}) {
    for (const int64_t ranks : {1, 2, 3, 8}) {
      int64_t next = 0;
      for (int64_t r = 0; r < ranks; ++r) {
        const auto s = shard(n, r, ranks);
        EXPECT_EQ(s.begin, next);
        EXPECT_LE(s.size(), n / ranks + 1);
        EXPECT_GE(s.size(), n / ranks);
        next = s.end;
      }
      EXPECT_EQ(next, n);
    }
  }
}

TEST(DistributedShard, BadArgumentsAreNamed) {
  mixdist::testing::expect_error_containing([] { shard(-1, 0, 2); }, "must be >= 0, got -1");
  mixdist::testing::expect_error_containing([] { shard(4, 2, 2); }, "rank 2 of 2 is out of range");
  mixdist::testing::expect_error_containing([] { shard(4, 0, 0); }, "rank 0 of 0 is out of range");
}

TEST(DistributedShard, RankSeedsDifferPerRankAndEpoch) {
  std::set<uint64_t> seeds;
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t e = 0; e < 4; ++e) seeds.insert(mixdist::distributed::rank_seed(1, r, e));
  EXPECT_EQ(seeds.size(), 16u);
  EXPECT_EQ(mixdist::distributed::rank_seed(1, 2, 3), mixdist::distributed::rank_seed(1, 2, 3));
}

}  // namespace
