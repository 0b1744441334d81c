// HardConcrete: the paper test values and total mass, sampling frequencies and entropy, finite gradients.
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
TEST(HardConcrete, PaperTestValuesAndTotalMass) {
  mixdist::HardConcrete a(torch::zeros({}, torch::kDouble), 1.0);
  EXPECT_NEAR(a.prob_zero().item<double>(), 1.0 / 12, 1e-15);
  EXPECT_NEAR(a.prob_one().item<double>(), 1.0 / 12, 1e-15);
  mixdist::HardConcrete b(torch::ones({}, torch::kDouble), 0.5);
  EXPECT_NEAR(b.prob_zero().item<double>(), 0.099845, 1e-6);
  EXPECT_NEAR(b.prob_one().item<double>(), 0.450426, 1e-6);
  // Masses plus the integral of the density on (0, 1) make 1.
  auto dens = [&](const torch::Tensor& y) { return b.log_prob(y.clamp(1e-12, 1 - 1e-12)).exp(); };
  const double interior = integrate(dens, 0.0, 1.0, 200000);
  EXPECT_NEAR(b.prob_zero().item<double>() + b.prob_one().item<double>() + interior, 1.0, 1e-4);
  // log_prob at the endpoints is the log mass (direct-sum measure).
  EXPECT_NEAR(b.log_prob(torch::zeros({}, torch::kDouble)).item<double>(), std::log(0.099845), 1e-5);
  EXPECT_NEAR(b.expected_l0().item<double>(), 1 - 0.099845, 1e-6);
}

TEST(HardConcrete, SamplingFrequenciesAndEntropy) {
  mixdist::HardConcrete d(torch::full({}, 0.4, torch::kDouble), 0.7);
  auto s = d.sample({200000}, seeded(3));
  EXPECT_NEAR((s == 0).to(torch::kDouble).mean().item<double>(), d.prob_zero().item<double>(), 4e-3);
  EXPECT_NEAR((s == 1).to(torch::kDouble).mean().item<double>(), d.prob_one().item<double>(), 4e-3);
  const double p0 = d.prob_zero().item<double>(), p1 = d.prob_one().item<double>();
  auto integrand = [&](const torch::Tensor& y) {
    auto lp = d.log_prob(y.clamp(1e-12, 1 - 1e-12));
    return -lp.exp() * lp;
  };
  const double h = -p0 * std::log(p0) - p1 * std::log(p1) + integrate(integrand, 0.0, 1.0, 200000);
  EXPECT_NEAR(d.entropy_mc(200000, seeded(4)).value.item<double>(), h, 1.5e-2);
}

TEST(HardConcrete, ReparameterisedGradientsAreFinite) {
  auto a = torch::tensor({-3.0, 0.0, 3.0}, torch::kDouble).requires_grad_();
  mixdist::HardConcrete d(a, 0.5);
  auto y = d.rsample({1000}, seeded(5));
  auto g = torch::autograd::grad({y.sum() + d.log_prob(y).sum()}, {a})[0];
  EXPECT_TRUE(g.isfinite().all().item<bool>());
  EXPECT_THROW(d.log_prob(torch::full({3}, 1.5, torch::kDouble)), c10::Error);
}
}  // namespace
