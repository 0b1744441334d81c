// BinaryConcrete: the density integrates to one and matches the CDF; Monte Carlo entropy against quadrature.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/distributions/binary_concrete.h>
#include <mixdist/distributions/hard_concrete.h>
#include <mixdist/distributions/relaxed_one_hot_categorical.h>

#include <cmath>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::integrate;
using mixdist::testing::seeded;
TEST(BinaryConcrete, DensityIntegratesToOneAndMatchesTheCdf) {
  for (auto [a, tau] : std::vector<std::pair<double, double>>{{0.0, 1.0}, {1.5, 0.5}, {-2.0, 2.0}}) {
    mixdist::BinaryConcrete d(torch::full({}, a, torch::kDouble), tau);
    // In logit space x = sigmoid(v): dx = sigmoid(v) sigmoid(-v) dv.
    auto in_v = [&](const torch::Tensor& v) {
      return (d.log_prob(v.sigmoid()) + torch::log_sigmoid(v) + torch::log_sigmoid(-v)).exp();
    };
    // |v| <= 35 keeps sigmoid(v) < 1 in double; the tails beyond carry < 1e-6 of the mass here.
    EXPECT_NEAR(integrate(in_v, -35, 35, 40000), 1.0, 1e-6) << a << " " << tau;
    const double x = 0.3, vx = std::log(x / (1 - x));
    EXPECT_NEAR(integrate(in_v, -35, vx, 40000), d.cdf(torch::full({}, x, torch::kDouble)).item<double>(),
                1e-6);
    auto s = d.sample({100000}, seeded(1));
    EXPECT_NEAR((s <= x).to(torch::kDouble).mean().item<double>(),
                d.cdf(torch::full({}, x, torch::kDouble)).item<double>(), 5e-3);
  }
}

TEST(BinaryConcrete, MonteCarloEntropyMatchesQuadrature) {
  mixdist::BinaryConcrete d(torch::full({}, 0.7, torch::kDouble), 0.8);
  auto integrand = [&](const torch::Tensor& v) {
    auto log_jac = torch::log_sigmoid(v) + torch::log_sigmoid(-v);
    auto lp = d.log_prob(v.sigmoid());
    return -(lp + log_jac).exp() * lp;
  };
  const double h = integrate(integrand, -35, 35, 40000);
  // 2e5 samples: standard error ~ 2e-3, which the estimate reports.
  const auto est = d.entropy_mc(200000, seeded(2));
  EXPECT_NEAR(est.value.item<double>(), h, 1e-2);
  EXPECT_GT(est.standard_error.item<double>(), 5e-4);
  EXPECT_LT(est.standard_error.item<double>(), 5e-3);
}
}  // namespace
