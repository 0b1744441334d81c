// simplex/entmax_bisect: the special alphas, per-row alpha, the alpha gradient and bad alphas.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <string>

#include "test_util.h"

namespace {

using mixdist::testing::bisection_entmax;
using mixdist::testing::finite_difference_grad;
using mixdist::testing::max_abs_diff;

TEST(EntmaxBisect, SpecialAlphasMatchTheirMaps) {
  torch::manual_seed(11);
  auto x = torch::randn({10, 13}, torch::kDouble);
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 2.0), mixdist::sparsemax(x)), 1e-15);
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 1.5), mixdist::entmax15(x)), 1e-15);
  // alpha -> 1 is softmax (deep-spin/entmax#23 returned uniform there).
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 1.0), torch::softmax(x, -1)), 1e-15);
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 1.0 + 1e-7), torch::softmax(x, -1)), 1e-6);
  // Just above the softmax cutoff the root finder takes over and stays continuous.
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 1.0 + 2e-6), torch::softmax(x, -1)), 1e-4);
  EXPECT_LT(max_abs_diff(mixdist::entmax_bisect(x, 1.001), bisection_entmax(x, 1.001)), 1e-9);
}

TEST(EntmaxBisect, PerRowAlphaBroadcasts) {
  torch::manual_seed(12);
  auto x = torch::randn({4, 3, 6}, torch::kDouble);
  auto alpha = torch::tensor({1.0, 1.3, 2.0, 3.0}, torch::kDouble).view({4, 1, 1});
  auto y = mixdist::entmax_bisect(x, alpha, -1);
  for (int64_t i = 0; i < 4; ++i) {
    auto yi = mixdist::entmax_bisect(x[i], alpha[i].item<double>(), -1);
    EXPECT_LT(max_abs_diff(y[i], yi), 1e-14) << i;
  }
  // alpha along a non-last dim: per-column alpha for dim 0 maps.
  auto a0 = torch::tensor({1.2, 1.8, 2.5}, torch::kDouble).view({1, 3, 1});
  auto y0 = mixdist::entmax_bisect(x, a0, 0);
  EXPECT_LT((y0.sum(0) - 1).abs().max().item<double>(), 1e-12);
}

TEST(EntmaxBisect, AlphaGradientMatchesFiniteDifferences) {
  torch::manual_seed(13);
  auto x = torch::randn({5, 8}, torch::kDouble);
  auto w = torch::randn({5, 8}, torch::kDouble);
  for (double a0 : {1.2, 1.5, 2.0, 2.7}) {
    auto alpha = torch::full({5, 1}, a0, torch::kDouble);
    alpha[2][0] = a0 + 0.1;
    auto f = [&](const torch::Tensor& a) { return (mixdist::entmax_bisect(x, a, -1) * w).sum(); };
    auto ag = alpha.clone().requires_grad_();
    auto analytic = torch::autograd::grad({f(ag)}, {ag})[0];
    auto numeric = finite_difference_grad(f, alpha, 1e-6);
    EXPECT_LT(max_abs_diff(analytic, numeric), 1e-6) << "alpha " << a0;
  }
  // At alpha = 1 (softmax) the gradient is the one-sided limit.
  auto alpha = torch::ones({5, 1}, torch::kDouble).requires_grad_();
  auto analytic = torch::autograd::grad({(mixdist::entmax_bisect(x, alpha, -1) * w).sum()}, {alpha})[0];
  const double h = 1e-4;
  auto up = (mixdist::entmax_bisect(x, 1.0 + h) * w).sum(-1, true);
  auto at1 = (torch::softmax(x, -1) * w).sum(-1, true);
  EXPECT_LT(max_abs_diff(analytic, (up - at1) / h), 1e-3);
}

TEST(EntmaxBisect, BadAlphaGivesNamedErrors) {
  auto x = torch::randn({3, 4});
  EXPECT_THROW(mixdist::entmax_bisect(x, 0.5), c10::Error);
  try {
    mixdist::entmax_bisect(x, torch::full({3, 1}, 0.9));
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find(">= 1"), std::string::npos) << e.what();
  }
  try {
    mixdist::entmax_bisect(x, torch::full({3, 4}, 1.5));  // not size 1 along dim
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("size 1 along dim"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mixdist::entmax_bisect(x, torch::full({3, 1}, 1.5, torch::kLong)), c10::Error);
  EXPECT_THROW(mixdist::entmax_bisect(x, 1.5, -1, 0), c10::Error);
}

}  // namespace
