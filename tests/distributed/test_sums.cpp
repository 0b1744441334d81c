#include "mixdist/distributed/sums.h"

#include <gtest/gtest.h>

#include "ranks.h"

namespace {

using mixdist::distributed::ProcessGroup;

// Sharded evaluation: per-rank sums and counts add up to the totals of the whole set, the same bits on every
// rank.
TEST(DistributedSums, PartialSumsAddUpToTheWholeSet) {
  const std::vector<double> values = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};  // 7 items on 3 ranks: 3 + 2 + 2
  std::vector<std::vector<double>> got(3);
  const auto errors = mixdist::testing::run_ranks(3, [&](ProcessGroup& g) {
    const size_t begin = g.rank() == 0 ? 0 : 1 + 2 * g.rank(), end = 3 + 2 * g.rank();
    double sum = 0;
    for (size_t i = begin; i < end; ++i) sum += values[i];
    got[g.rank()] = mixdist::distributed::sum_over_ranks(g, {sum, double(end - begin)}, "test sums");
  });
  double whole = 0;
  for (double v : values) whole += v;
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(errors[r], "");
    EXPECT_EQ(got[r][1], 7.0);
    EXPECT_NEAR(got[r][0], whole, 1e-15);
    EXPECT_EQ(got[r], got[0]);
  }
}

TEST(DistributedSums, RanksWithDifferentLengthsAreRefused) {
  const auto errors = mixdist::testing::run_ranks(2, [&](ProcessGroup& g) {
    mixdist::distributed::sum_over_ranks(g, std::vector<double>(g.rank() + 1, 1.0), "test sums");
  });
  EXPECT_NE(errors[0].find("sum of test sums: rank 1 has 2 values, rank 0 has 1"), std::string::npos)
      << errors[0];
}

}  // namespace
