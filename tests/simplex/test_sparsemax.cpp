// simplex/sparsemax: closed forms, a hand-worked example, projection optimality, support sizes, dense,
// sorted and tied rows.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <string>

#include "test_util.h"

namespace {

using mixdist::testing::max_abs_diff;

TEST(Sparsemax, ClosedFormForTwoCoordinates) {
  // K = 2: sparsemax(a, b)_0 = clip((a - b + 1) / 2, 0, 1).
  auto d = torch::linspace(-3, 3, 601, torch::kDouble);
  auto x = torch::stack({d, torch::zeros_like(d)}, 1);
  auto y = mixdist::sparsemax(x);
  auto expected = ((d + 1) / 2).clamp(0, 1);
  EXPECT_LT(max_abs_diff(y.select(1, 0), expected), 1e-15);
}

TEST(Sparsemax, HandWorkedExample) {
  // Support {0, 1}: tau = (0.5 + 0.1 - 1)/2 = -0.2.
  auto y = mixdist::sparsemax(torch::tensor({0.5, 0.1, -1.0}, torch::kDouble));
  EXPECT_LT(max_abs_diff(y, torch::tensor({0.7, 0.3, 0.0}, torch::kDouble)), 1e-15);
  EXPECT_EQ(y[2].item<double>(), 0.0);
}

// Optimality (KKT) of the Euclidean projection: on the support x_i - p_i = tau, off it x_i <= tau.
TEST(Sparsemax, SatisfiesProjectionOptimality) {
  torch::manual_seed(8);
  auto x = torch::randn({200, 50}, torch::kDouble);
  auto p = mixdist::sparsemax(x);
  for (int64_t r = 0; r < 200; ++r) {
    auto s = p[r] > 0;
    auto tau = (x[r] - p[r]).index({s});
    EXPECT_LT((tau - tau.mean()).abs().max().item<double>(), 1e-12);
    auto off = x[r].index({~s});
    if (off.numel() > 0) {
      EXPECT_LE(off.max().item<double>(), tau.mean().item<double>() + 1e-12);
    }
  }
}

TEST(Sparsemax, SupportSizeIsTheCountOfNonzeros) {
  torch::manual_seed(9);
  auto x = torch::randn({3, 10, 6}, torch::kDouble);
  auto [y, support] = mixdist::sparsemax_with_support(x, 1);
  EXPECT_EQ(support.sizes(), torch::IntArrayRef({3, 1, 6}));
  EXPECT_EQ(support.scalar_type(), torch::kLong);
  EXPECT_TRUE(torch::equal(support, (y > 0).sum(1, true)));
  EXPECT_FALSE(support.requires_grad());
  auto [y2, s2] = mixdist::entmax15_with_support(x, 1);
  EXPECT_TRUE(torch::equal(s2, (y2 > 0).sum(1, true)));
}

// Dense-support inputs (all logits within 1 of each other) and adversarial orders: sorted rows and ties.
TEST(Sparsemax, DenseSortedAndTiedRows) {
  torch::manual_seed(10);
  auto dense = 0.001 * torch::randn({4, 5000}, torch::kDouble);
  EXPECT_LT(max_abs_diff(mixdist::sparsemax(dense), mixdist::generic::sparsemax(dense)), 1e-12);
  EXPECT_LT(max_abs_diff(mixdist::entmax15(dense), mixdist::generic::entmax15(dense)), 1e-12);
  auto sorted = std::get<0>(torch::randn({4, 3000}, torch::kDouble).sort(-1));
  EXPECT_LT(max_abs_diff(mixdist::sparsemax(sorted), mixdist::generic::sparsemax(sorted)), 1e-12);
  EXPECT_LT(max_abs_diff(mixdist::entmax15(sorted), mixdist::generic::entmax15(sorted)), 1e-12);
  auto ties = torch::zeros({2, 7}, torch::kDouble);
  for (const auto& y :
       {mixdist::sparsemax(ties), mixdist::entmax15(ties), mixdist::entmax_bisect(ties, 3.0)}) {
    EXPECT_LT(max_abs_diff(y, torch::full({2, 7}, 1.0 / 7, torch::kDouble)), 1e-15);
  }
}

}  // namespace
