// Dirichlet: log-density against the Beta for two coordinates, entropy / KL / mean by Monte Carlo (fixed
// seeds, stated tolerances), tiny concentrations without NaN, and the pathwise gradient.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::max_abs_diff;
using mixdist::testing::mc_entropy;
using mixdist::testing::mc_kl;
using mixdist::testing::seeded;

TEST(Dirichlet, LogProbMatchesBetaForTwoCoordinates) {
  auto a = torch::tensor({2.0, 3.5}, torch::kDouble);
  mixdist::Dirichlet d(a);
  for (double x : {0.1, 0.5, 0.93}) {
    auto v = torch::tensor({x, 1 - x}, torch::kDouble);
    const double beta = std::lgamma(2.0) + std::lgamma(3.5) - std::lgamma(5.5);
    const double expected = (2.0 - 1) * std::log(x) + (3.5 - 1) * std::log(1 - x) - beta;
    EXPECT_NEAR(d.log_prob(v).item<double>(), expected, 1e-13);
  }
}

TEST(Dirichlet, EntropyKLAndMeanByMonteCarlo) {
  mixdist::Dirichlet p(torch::tensor({{0.5, 2.0, 3.0}, {1.0, 1.0, 1.0}}, torch::kDouble));
  mixdist::Dirichlet q(torch::tensor({{1.0, 1.0, 1.0}, {4.0, 0.7, 2.0}}, torch::kDouble));
  EXPECT_LT(max_abs_diff(p.entropy(), mc_entropy(p, 200000, 6)), 2e-2);
  EXPECT_LT(max_abs_diff(mixdist::kl_divergence(p, q), mc_kl(p, q, 200000, 7)), 3e-2);
  EXPECT_LT(mixdist::kl_divergence(p, p).abs().max().item<double>(), 1e-13);
  auto s = p.sample({100000}, seeded(8));
  EXPECT_LT(max_abs_diff(s.mean(0), p.mean()), 5e-3);
  EXPECT_LT(max_abs_diff(s.var(0), p.variance()), 5e-3);
  // Uniform Dirichlet(1,1,1): entropy = -log(2!) (coordinate convention).
  EXPECT_NEAR(p.entropy()[1].item<double>(), -std::log(2.0), 1e-13);
}

TEST(Dirichlet, TinyConcentrationsNeverGiveNaN) {
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    mixdist::Dirichlet d(torch::full({4, 10}, 1e-3, dtype));
    auto s = d.sample({100}, seeded(9));
    EXPECT_TRUE(s.isfinite().all().item<bool>());
    EXPECT_LT((s.sum(-1) - 1).abs().max().item<double>(), 1e-5);
    mixdist::Dirichlet big(torch::full({4, 10}, 1e3, dtype));
    EXPECT_TRUE(big.sample({100}, seeded(9)).isfinite().all().item<bool>());
  }
}

TEST(Dirichlet, PathwiseGradientMatchesTheMeanGradient) {
  // d E[y_0] / d alpha = d (alpha_0 / alpha_sum) / d alpha, checked through rsample (MC, 2e5 samples).
  auto alpha = torch::tensor({1.5, 0.8, 2.5}, torch::kDouble).requires_grad_();
  mixdist::Dirichlet d(alpha);
  auto y = d.rsample({200000}, seeded(10));
  auto g_mc = torch::autograd::grad({y.select(-1, 0).mean()}, {alpha})[0];
  const double a0 = 4.8;
  auto g_exact = torch::tensor({(a0 - 1.5) / (a0 * a0), -1.5 / (a0 * a0), -1.5 / (a0 * a0)}, torch::kDouble);
  EXPECT_LT(max_abs_diff(g_mc, g_exact), 3e-3);
}
}  // namespace
