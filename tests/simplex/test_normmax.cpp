// simplex/normmax: alpha-normmax against a bisection written here, its gradient, its loss and bad alphas.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>
#include <mixdist/simplex/normmax.h>

#include <cmath>
#include <limits>
#include <string>

#include "test_util.h"

namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::finite_difference_grad;
using mixdist::testing::max_abs_diff;

// alpha-normmax of the rows of a [N, K] double tensor from its optimality conditions, by plain bisection on
// tau in sum_i [x_i - tau]_+^(alpha/(alpha-1)) = 1 (bracket [max - 1, max]); p is [x - tau]_+^(1/(alpha-1))
// normalised.
torch::Tensor bisection_normmax(const torch::Tensor& x, double alpha) {
  const double beta = alpha / (alpha - 1.0);
  auto hi = std::get<0>(x.max(-1, true));
  auto lo = hi - 1.0;
  for (int it = 0; it < 200; ++it) {
    auto mid = (lo + hi) / 2;
    auto f = (x - mid).clamp_min(0).pow(beta).sum(-1, true);
    lo = torch::where(f >= 1, mid, lo);
    hi = torch::where(f >= 1, hi, mid);
  }
  auto q = (x - lo).clamp_min(0).pow(1.0 / (alpha - 1.0));
  return q / q.sum(-1, true);
}

TEST(Normmax, AgreesWithBisectionAndSumsToOne) {
  torch::manual_seed(31);
  auto x = torch::randn({12, 9}, torch::kDouble) * 2;
  for (double alpha : {1.2, 1.5, 2.0, 3.0, 10.0}) {
    auto p = mixdist::normmax_bisect(x, alpha);
    EXPECT_LT(max_abs_diff(p, bisection_normmax(x, alpha)), 1e-9) << "alpha " << alpha;
    EXPECT_LT((p.sum(-1) - 1).abs().max().item<double>(), 1e-12);
    EXPECT_GE(p.min().item<double>(), 0.0);
  }
  // The entmax package's README example (alpha = 2 and 1000, 4 decimals) and sparsity.
  auto v = torch::tensor({-2.0, 0.0, 0.5}, torch::kDouble);
  EXPECT_LT(max_abs_diff(mixdist::normmax_bisect(v, 2.0, 0), torch::tensor({0.0, 0.3110, 0.6890})), 5e-5);
  EXPECT_LT(max_abs_diff(mixdist::normmax_bisect(v, 1000.0, 0), torch::tensor({0.0, 0.4997, 0.5003})), 5e-5);
  EXPECT_EQ(mixdist::normmax_bisect(v, 2.0, 0)[0].item<double>(), 0.0);
}

TEST(Normmax, PerRowAlphaDimAndFloat) {
  torch::manual_seed(32);
  auto x = torch::randn({3, 7, 4}, torch::kDouble);
  auto alpha = torch::tensor({1.5, 2.0, 4.0}, torch::kDouble).view({3, 1, 1});
  auto p = mixdist::normmax_bisect(x, alpha, 1);
  for (int64_t i = 0; i < 3; ++i) {
    auto ref = bisection_normmax(x[i].t(), alpha[i].item<double>()).t();
    EXPECT_LT(max_abs_diff(p[i], ref), 1e-9) << i;
  }
  auto pf = mixdist::normmax_bisect(x.to(torch::kFloat), 2.5, 0);
  EXPECT_EQ(pf.scalar_type(), torch::kFloat);
  EXPECT_LT(max_abs_diff(pf, bisection_normmax(x.transpose(0, 2), 2.5).transpose(0, 2)), 1e-5);
}

TEST(Normmax, GradientMatchesFiniteDifferences) {
  torch::manual_seed(33);
  auto x = torch::randn({4, 6}, torch::kDouble) * 2;
  auto w = torch::randn({4, 6}, torch::kDouble);
  for (double alpha : {1.3, 2.0, 3.5}) {
    auto f = [&](const torch::Tensor& t) { return (mixdist::normmax_bisect(t, alpha) * w).sum(); };
    auto xg = x.clone().requires_grad_();
    auto analytic = torch::autograd::grad({f(xg)}, {xg})[0];
    EXPECT_LT(max_abs_diff(analytic, finite_difference_grad(f, x, 1e-6)), 1e-6) << "alpha " << alpha;
  }
}

TEST(Normmax, LossMatchesDefinitionGradientsAndAlphaGradient) {
  torch::manual_seed(34);
  auto x = torch::randn({5, 6}, torch::kDouble) * 2;
  auto y = torch::randint(6, {5});
  auto alpha = torch::tensor({1.5, 2.0, 2.5, 3.0, 6.0}, torch::kDouble);
  const auto none = mixdist::EntmaxBisectLossOptions().reduction(torch::kNone);
  auto loss = mixdist::normmax_bisect_loss(x, y, alpha, none);
  auto p = mixdist::normmax_bisect(x, alpha.unsqueeze(1));
  auto norm = p.pow(alpha.unsqueeze(1)).sum(-1).pow(1.0 / alpha);
  auto expected = 1 - norm + (p * x).sum(-1) - x.gather(1, y.unsqueeze(1)).squeeze(1);
  EXPECT_LT(max_abs_diff(loss, expected), 1e-12);
  EXPECT_GE(loss.min().item<double>(), 0.0);
  // dL/dx = p - e_y.
  auto xg = x.clone().requires_grad_();
  auto dx = torch::autograd::grad({mixdist::normmax_bisect_loss(xg, y, alpha, none).sum()}, {xg})[0];
  EXPECT_LT(max_abs_diff(dx, p - torch::one_hot(y, 6).to(torch::kDouble)), 1e-12);
  // dL/dalpha by finite differences.
  auto f = [&](const torch::Tensor& a) { return mixdist::normmax_bisect_loss(x, y, a, none).sum(); };
  auto ag = alpha.clone().requires_grad_();
  auto da = torch::autograd::grad({f(ag)}, {ag})[0];
  EXPECT_LT(max_abs_diff(da, finite_difference_grad(f, alpha, 1e-6)), 1e-6);
  // Zero loss at a confident correct prediction; ignore_index as the other losses.
  auto sure = torch::tensor({{30.0, 0.0, 0.0}}, torch::kDouble);
  EXPECT_LT(
      std::abs(mixdist::normmax_bisect_loss(sure, torch::tensor({0}), torch::full({}, 2.0)).item<double>()),
      1e-12);
  auto ignored =
      mixdist::normmax_bisect_loss(x, torch::full({5}, -100, torch::kLong), torch::full({}, 2.0), none);
  EXPECT_EQ(ignored.abs().max().item<double>(), 0.0);
}

TEST(Normmax, BadArgumentsGiveNamedErrors) {
  auto x = torch::randn({3, 4});
  expect_error_containing([&] { mixdist::normmax_bisect(x, 1.0); },
                          "normmax_bisect: alpha must be finite and > 1");
  expect_error_containing(
      [&] {
        mixdist::normmax_bisect(x, torch::full({3, 1}, 0.5));
      },
      "got min alpha = 0.5");
  expect_error_containing([&] { mixdist::normmax_bisect(x, torch::full({3, 4}, 2.0)); }, "size 1 along dim");
  expect_error_containing([&] { mixdist::normmax_bisect(x, 2.0, -1, 0); }, "n_iter must be >= 1, got 0");
  expect_error_containing([&] { mixdist::normmax_bisect(x, torch::full({}, 2.0, torch::requires_grad())); },
                          "alpha.detach()");
  expect_error_containing([&] { mixdist::normmax_bisect(x, 2.0, 2); }, "dim 2 is out of range");
  auto masked = x.clone();
  masked[1] = -std::numeric_limits<float>::infinity();
  const std::string message = mixdist::testing::error_message([&] { mixdist::normmax_bisect(masked, 2.0); });
  EXPECT_EQ(message.rfind("normmax_bisect", 0), 0u) << message;
  EXPECT_NE(message.find("row 1"), std::string::npos) << message;
  expect_error_containing(
      [&] {
        mixdist::normmax_bisect_loss(x, torch::tensor({0, 1, 2}), torch::full({}, 1.0));
      },
      "normmax_bisect_loss: alpha must be finite and > 1");
}

}  // namespace
