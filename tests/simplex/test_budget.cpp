// simplex/budget: budget sparsemax against a bisection written here, its gradients and bad budgets.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>
#include <mixdist/simplex/budget.h>

#include <limits>

#include "test_util.h"

namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::finite_difference_grad;
using mixdist::testing::max_abs_diff;

// clamp(x - tau, 0, 1) with sum == b for the rows of a [N, K] double tensor, by plain bisection on tau over
// [min - 1, max] (the sum is K there and 0 here).
torch::Tensor bisection_budget(const torch::Tensor& x, const torch::Tensor& b) {
  auto hi = std::get<0>(x.max(-1, true));
  auto lo = std::get<0>(x.min(-1, true)) - 1.0;
  for (int it = 0; it < 200; ++it) {
    auto mid = (lo + hi) / 2;
    auto f = (x - mid).clamp(0, 1).sum(-1, true);
    lo = torch::where(f >= b, mid, lo);
    hi = torch::where(f >= b, hi, mid);
  }
  return (x - (lo + hi) / 2).clamp(0, 1);
}

TEST(Budget, AgreesWithBisectionAndSumsToTheBudget) {
  torch::manual_seed(41);
  auto x = torch::randn({20, 9}, torch::kDouble) * 1.5;
  for (double b : {0.5, 1.0, 2.0, 3.7, 8.0, 9.0}) {
    auto p = mixdist::budget_bisect(x, b);
    EXPECT_LT(max_abs_diff(p, bisection_budget(x, torch::full({20, 1}, b, torch::kDouble))), 1e-12) << b;
    EXPECT_LT((p.sum(-1) - b).abs().max().item<double>(), 1e-12) << b;
    EXPECT_GE(p.min().item<double>(), 0.0);
    EXPECT_LE(p.max().item<double>(), 1.0);
  }
  // A budget of 1 is sparsemax (whose entries never exceed 1); the entmax package's README example.
  EXPECT_LT(max_abs_diff(mixdist::budget_bisect(x, 1.0), mixdist::sparsemax(x)), 1e-14);
  auto v = torch::tensor({-2.0, 0.0, 0.5}, torch::kDouble);
  EXPECT_LT(max_abs_diff(mixdist::budget_bisect(v, 2.0, 0), torch::tensor({0.0, 1.0, 1.0})), 1e-15);
}

TEST(Budget, TiesFlatPiecesAndLongRows) {
  torch::manual_seed(44);
  // Integer scores: many ties, and integer budgets whose solution sits on a flat piece of the sum (the
  // projection is unique even where tau is not).
  auto ties = torch::randint(0, 3, {30, 8}, torch::kDouble);
  for (double b : {1.0, 2.0, 3.0, 5.0, 2.5}) {
    auto p = mixdist::budget_bisect(ties, b);
    EXPECT_LT(max_abs_diff(p, bisection_budget(ties, torch::full({30, 1}, b, torch::kDouble))), 1e-12) << b;
    EXPECT_LT((p.sum(-1) - b).abs().max().item<double>(), 1e-12) << b;
  }
  auto wide = torch::randn({3, 20000}, torch::kDouble) * 3;
  auto budgets = torch::tensor({1.5, 100.0, 12345.6}, torch::kDouble).view({3, 1});
  auto p = mixdist::budget_bisect(wide, budgets);
  EXPECT_LT(max_abs_diff(p, bisection_budget(wide, budgets)), 1e-11);
  EXPECT_LT((p.sum(-1, true) - budgets).abs().max().item<double>(), 1e-8);
}

TEST(Budget, PerRowBudgetDimInfAndFloat) {
  torch::manual_seed(42);
  auto x = torch::randn({6, 3}, torch::kDouble);
  auto b = torch::tensor({0.5, 1.5, 2.5}, torch::kDouble).view({1, 3});
  auto p = mixdist::budget_bisect(x, b, 0);
  EXPECT_LT(max_abs_diff(p, bisection_budget(x.t(), b.t()).t()), 1e-12);
  const double inf = std::numeric_limits<double>::infinity();
  auto masked = torch::tensor({{1.0, -inf, 0.2, -inf, 0.5}}, torch::kDouble);
  auto pm = mixdist::budget_bisect(masked, 1.5);
  EXPECT_EQ(pm[0][1].item<double>(), 0.0);
  EXPECT_EQ(pm[0][3].item<double>(), 0.0);
  EXPECT_NEAR(pm.sum().item<double>(), 1.5, 1e-14);
  // Budget = the finite entries: every finite entry at 1.
  EXPECT_LT(max_abs_diff(mixdist::budget_bisect(masked, 3.0), torch::tensor({{1.0, 0.0, 1.0, 0.0, 1.0}})),
            1e-15);
  auto pf = mixdist::budget_bisect(x.to(torch::kFloat), 2.0);
  EXPECT_EQ(pf.scalar_type(), torch::kFloat);
  EXPECT_LT(max_abs_diff(pf, mixdist::budget_bisect(x, 2.0)), 1e-6);
}

TEST(Budget, GradientsInScoresAndBudgetMatchFiniteDifferences) {
  torch::manual_seed(43);
  auto x = torch::randn({4, 7}, torch::kDouble);
  auto w = torch::randn({4, 7}, torch::kDouble);
  auto b = torch::tensor({1.3, 2.2, 3.1, 4.6}, torch::kDouble).view({4, 1});
  auto fx = [&](const torch::Tensor& t) { return (mixdist::budget_bisect(t, b) * w).sum(); };
  auto xg = x.clone().requires_grad_();
  EXPECT_LT(max_abs_diff(torch::autograd::grad({fx(xg)}, {xg})[0], finite_difference_grad(fx, x, 1e-7)),
            1e-7);
  auto fb = [&](const torch::Tensor& t) { return (mixdist::budget_bisect(x, t) * w).sum(); };
  auto bg = b.clone().requires_grad_();
  EXPECT_LT(max_abs_diff(torch::autograd::grad({fb(bg)}, {bg})[0], finite_difference_grad(fb, b, 1e-7)),
            1e-7);
  // A scalar budget gets the sum over rows.
  auto b0 = torch::full({}, 2.0, torch::dtype(torch::kDouble).requires_grad(true));
  auto g0 = torch::autograd::grad({(mixdist::budget_bisect(x, b0) * w).sum()}, {b0})[0];
  auto f0 = [&](const torch::Tensor& t) { return (mixdist::budget_bisect(x, t) * w).sum(); };
  EXPECT_LT(max_abs_diff(g0, finite_difference_grad(f0, torch::full({}, 2.0, torch::kDouble), 1e-7)), 1e-7);
}

TEST(Budget, BadArgumentsGiveNamedErrors) {
  auto x = torch::randn({3, 4});
  expect_error_containing([&] { mixdist::budget_bisect(x, 0.0); }, "budget must be finite, > 0");
  expect_error_containing([&] { mixdist::budget_bisect(x, 4.5); }, "has budget 4.5 and 4 such entries");
  expect_error_containing([&] { mixdist::budget_bisect(x, torch::full({3, 4}, 2.0)); }, "size 1 along dim");
  expect_error_containing([&] { mixdist::budget_bisect(x, 2.0, -1, 0); }, "n_iter must be >= 1, got 0");
  auto y = x.clone();
  y[1][2] = std::numeric_limits<float>::infinity();
  expect_error_containing([&] { mixdist::budget_bisect(y, 2.0); }, "holds +inf");
  auto z = x.clone();
  z[1] = -std::numeric_limits<float>::infinity();
  expect_error_containing([&] { mixdist::budget_bisect(z, 1.0); }, "row 1");
}

}  // namespace
