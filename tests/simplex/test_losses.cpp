// Fenchel-Young losses: definition, gradients, options (ignore_index, weight, reduction), shapes and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include "test_util.h"

namespace {

using mixdist::testing::finite_difference_grad;
using mixdist::testing::max_abs_diff;

// The loss written out from its definition with the map's output: H_alpha(p) + <p, x> - x_y.
torch::Tensor loss_by_definition(const torch::Tensor& x, const torch::Tensor& y, double alpha) {
  auto p = mixdist::entmax_bisect(x, alpha);
  auto h = alpha == 1.0 ? -(p * p.clamp_min(1e-300).log()).sum(-1)
                        : (1 - p.pow(alpha).sum(-1)) / (alpha * (alpha - 1));
  return h + (p * x).sum(-1) - x.gather(-1, y.unsqueeze(-1)).squeeze(-1);
}

TEST(FenchelYoungLoss, MatchesDefinitionAndIsNonNegative) {
  torch::manual_seed(0);
  auto x = 2 * torch::randn({50, 6}, torch::kDouble);
  auto y = torch::randint(0, 6, {50});
  auto sm = mixdist::sparsemax_loss(x, y, mixdist::SparsemaxLossOptions().reduction(torch::kNone));
  auto e15 = mixdist::entmax15_loss(x, y, mixdist::Entmax15LossOptions().reduction(torch::kNone));
  auto b13 = mixdist::entmax_bisect_loss(x, y, mixdist::EntmaxBisectLossOptions(1.3).reduction(torch::kNone));
  EXPECT_LT(max_abs_diff(sm, loss_by_definition(x, y, 2.0)), 1e-12);
  EXPECT_LT(max_abs_diff(e15, loss_by_definition(x, y, 1.5)), 1e-12);
  EXPECT_LT(max_abs_diff(b13, loss_by_definition(x, y, 1.3)), 1e-12);
  for (const auto& l : {sm, e15, b13}) EXPECT_GE(l.min().item<double>(), -1e-12);
}

TEST(FenchelYoungLoss, ZeroExactlyWhenThePredictionIsTheTargetVertex) {
  // Sparsemax puts all mass on class 0 once x_0 - x_j >= 1 for all j: the loss is then 0.
  auto x = torch::tensor({{3.0, 1.5, -2.0}}, torch::kDouble);
  auto y = torch::tensor({0});
  EXPECT_EQ(mixdist::sparsemax_loss(x, y).item<double>(), 0.0);
  EXPECT_GT(mixdist::sparsemax_loss(x, torch::tensor({1})).item<double>(), 1.0);
}

TEST(FenchelYoungLoss, AlphaOneIsCrossEntropy) {
  torch::manual_seed(1);
  auto x = torch::randn({20, 7}, torch::kDouble);
  auto y = torch::randint(0, 7, {20});
  auto fy = mixdist::entmax_bisect_loss(x, y, mixdist::EntmaxBisectLossOptions(1.0));
  auto ce = torch::nn::functional::cross_entropy(x, y);
  EXPECT_LT(std::abs(fy.item<double>() - ce.item<double>()), 1e-12);
}

TEST(FenchelYoungLoss, GradientIsPredictionMinusOneHot) {
  torch::manual_seed(2);
  auto x = torch::randn({8, 5}, torch::kDouble);
  auto y = torch::randint(0, 5, {8});
  for (double alpha : {1.0, 1.5, 2.0, 2.5}) {
    auto f = [&](const torch::Tensor& v) {
      return mixdist::entmax_bisect_loss(v, y,
                                         mixdist::EntmaxBisectLossOptions(alpha).reduction(torch::kSum));
    };
    auto xg = x.clone().requires_grad_();
    auto g = torch::autograd::grad({f(xg)}, {xg})[0];
    auto expected = mixdist::entmax_bisect(x, alpha) - torch::one_hot(y, 5).to(torch::kDouble);
    EXPECT_LT(max_abs_diff(g, expected), 1e-12) << alpha;
    EXPECT_LT(max_abs_diff(g, finite_difference_grad(f, x)), 1e-6) << alpha;
  }
}

TEST(FenchelYoungLoss, AlphaGradientMatchesFiniteDifferences) {
  torch::manual_seed(3);
  auto x = torch::randn({6, 5}, torch::kDouble);
  auto y = torch::randint(0, 5, {6});
  for (double a0 : {1.0, 1.3, 1.5, 2.0, 3.0}) {
    auto alpha = torch::full({6}, a0, torch::kDouble);
    auto f = [&](const torch::Tensor& a) {
      return mixdist::entmax_bisect_loss(x, y, a, mixdist::EntmaxBisectLossOptions().reduction(torch::kSum));
    };
    auto ag = alpha.clone().requires_grad_();
    auto analytic = torch::autograd::grad({f(ag)}, {ag})[0];
    if (a0 == 1.0) {
      // One-sided difference: alpha < 1 is outside the domain.
      const double h = 1e-5;
      auto up = mixdist::entmax_bisect_loss(x, y, alpha + h,
                                            mixdist::EntmaxBisectLossOptions().reduction(torch::kNone));
      auto at = mixdist::entmax_bisect_loss(x, y, alpha,
                                            mixdist::EntmaxBisectLossOptions().reduction(torch::kNone));
      EXPECT_LT(max_abs_diff(analytic, (up - at) / h), 1e-3);
    } else {
      EXPECT_LT(max_abs_diff(analytic, finite_difference_grad(f, alpha)), 1e-6) << a0;
    }
  }
}

TEST(FenchelYoungLoss, IgnoreIndexDefaultAndNegativeValues) {
  torch::manual_seed(4);
  auto x = torch::randn({6, 4}, torch::kDouble);
  auto per_row = mixdist::sparsemax_loss(x, torch::tensor({0, 1, 2, 3, 0, 1}),
                                         mixdist::SparsemaxLossOptions().reduction(torch::kNone));
  // Default ignore_index = -100 is honoured.
  auto y = torch::tensor({0, -100, 2, 3, -100, 1});
  auto mean = mixdist::sparsemax_loss(x, y);
  auto kept = torch::tensor({0, 2, 3, 5});
  EXPECT_NEAR(mean.item<double>(), per_row.index_select(0, kept).mean().item<double>(), 1e-14);
  auto none = mixdist::sparsemax_loss(x, y, mixdist::SparsemaxLossOptions().reduction(torch::kNone));
  EXPECT_EQ(none[1].item<double>(), 0.0);
  EXPECT_EQ(none[4].item<double>(), 0.0);
  // A negative custom ignore_index (-1) works too (the entmax package crashed on it).
  auto y1 = torch::tensor({0, -1, 2, 3, -1, 1});
  auto mean1 = mixdist::sparsemax_loss(x, y1, mixdist::SparsemaxLossOptions().ignore_index(-1));
  EXPECT_NEAR(mean1.item<double>(), mean.item<double>(), 1e-14);
  // Ignored rows get no gradient.
  auto xg = x.clone().requires_grad_();
  auto g = torch::autograd::grad({mixdist::sparsemax_loss(xg, y)}, {xg})[0];
  EXPECT_EQ(g[1].abs().sum().item<double>(), 0.0);
  // Everything ignored: mean is 0 with zero gradient, not 0/0.
  auto all = torch::full({6}, -100, torch::kLong);
  auto xa = x.clone().requires_grad_();
  auto l = mixdist::entmax15_loss(xa, all);
  EXPECT_EQ(l.item<double>(), 0.0);
  auto ga = torch::autograd::grad({l}, {xa})[0];
  EXPECT_TRUE(torch::equal(ga, torch::zeros_like(ga)));
}

TEST(FenchelYoungLoss, ReductionsAndClassWeights) {
  torch::manual_seed(5);
  auto x = torch::randn({10, 3}, torch::kDouble);
  auto y = torch::randint(0, 3, {10});
  auto per_row = mixdist::entmax15_loss(x, y, mixdist::Entmax15LossOptions().reduction(torch::kNone));
  EXPECT_NEAR(
      mixdist::entmax15_loss(x, y, mixdist::Entmax15LossOptions().reduction(torch::kSum)).item<double>(),
      per_row.sum().item<double>(), 1e-13);
  EXPECT_NEAR(mixdist::entmax15_loss(x, y).item<double>(), per_row.mean().item<double>(), 1e-13);
  auto w = torch::tensor({0.5, 2.0, 1.0}, torch::kDouble);
  auto rw = w.index_select(0, y);
  auto weighted = mixdist::entmax15_loss(x, y, mixdist::Entmax15LossOptions().weight(w));
  EXPECT_NEAR(weighted.item<double>(), ((per_row * rw).sum() / rw.sum()).item<double>(), 1e-13);
  auto weighted_none =
      mixdist::entmax15_loss(x, y, mixdist::Entmax15LossOptions().weight(w).reduction(torch::kNone));
  EXPECT_LT(max_abs_diff(weighted_none, per_row * rw), 1e-14);
}

TEST(FenchelYoungLoss, LeadingShapesAreFlattened) {
  torch::manual_seed(6);
  auto x = torch::randn({2, 3, 5}, torch::kDouble);
  auto y = torch::randint(0, 5, {2, 3});
  auto none = mixdist::sparsemax_loss(x, y, mixdist::SparsemaxLossOptions().reduction(torch::kNone));
  EXPECT_EQ(none.sizes(), torch::IntArrayRef({2, 3}));
  auto flat = mixdist::sparsemax_loss(x.view({6, 5}), y.view({6}),
                                      mixdist::SparsemaxLossOptions().reduction(torch::kNone));
  EXPECT_TRUE(torch::allclose(none.view({6}), flat));
  // A single example: input [C], target [].
  auto one = mixdist::sparsemax_loss(x[0][0], y[0][0]);
  EXPECT_NEAR(one.item<double>(), none[0][0].item<double>(), 1e-14);
}

TEST(FenchelYoungLoss, NegativeInfinityLogitsStayFinite) {
  // Masked classes (-inf) must not produce NaN (deep-spin/entmax#9).
  const double inf = std::numeric_limits<double>::infinity();
  auto x = torch::tensor({{1.0, -inf, 0.5}, {-inf, 0.2, 0.1}}, torch::kDouble).requires_grad_();
  auto y = torch::tensor({0, 2});
  for (double alpha : {1.0, 1.5, 2.0}) {
    auto l = mixdist::entmax_bisect_loss(x, y, mixdist::EntmaxBisectLossOptions(alpha));
    EXPECT_TRUE(std::isfinite(l.item<double>())) << alpha;
    auto g = torch::autograd::grad({l}, {x})[0];
    EXPECT_TRUE(g.isfinite().all().item<bool>()) << alpha;
  }
}

TEST(FenchelYoungLoss, BadTargetsGiveNamedErrors) {
  auto x = torch::randn({4, 3});
  const auto expect_error = mixdist::testing::expect_error_containing;
  expect_error([&] { mixdist::sparsemax_loss(x, torch::tensor({0, 1, 3, 0})); }, "target value 3");
  expect_error([&] { mixdist::sparsemax_loss(x, torch::tensor({0, 1, -2, 0})); }, "target value -2");
  expect_error([&] { mixdist::sparsemax_loss(x, torch::zeros({4})); }, "integer class indices");
  expect_error([&] { mixdist::sparsemax_loss(x, torch::zeros({3}, torch::kLong)); }, "does not match input");
  expect_error(
      [&] {
        mixdist::sparsemax_loss(x, torch::zeros({4}, torch::kLong),
                                mixdist::SparsemaxLossOptions().weight(torch::ones({2})));
      },
      "weight must have shape [3]");
  expect_error(
      [&] {
        mixdist::entmax_bisect_loss(x, torch::zeros({4}, torch::kLong),
                                    mixdist::EntmaxBisectLossOptions(0.5));
      },
      ">= 1");
}

}  // namespace
