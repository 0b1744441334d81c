// Relaxed baselines: BinaryConcrete, HardConcrete, RelaxedOneHotCategorical (Gumbel-Softmax,
// straight-through). References: numerical integration of the densities, the paper's test values, the
// Gumbel-max property, and sampling frequencies with fixed seeds.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/distributions/binary_concrete.h>
#include <mixdist/distributions/hard_concrete.h>
#include <mixdist/distributions/relaxed_one_hot_categorical.h>

#include <cmath>

#include "test_util.h"

namespace {

using mixdist::testing::max_abs_diff;

at::Generator seeded(uint64_t seed) {
  return at::detail::createCPUGenerator(seed);
}

// Trapezoid rule of f over [lo, hi] with n intervals (f takes and returns double tensors).
double integrate(const std::function<torch::Tensor(const torch::Tensor&)>& f, double lo, double hi,
                 int64_t n) {
  auto x = torch::linspace(lo, hi, n + 1, torch::kDouble);
  auto y = f(x);
  const double h = (hi - lo) / static_cast<double>(n);
  return (h * (y.sum() - 0.5 * (y[0] + y[-1]))).item<double>();
}

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

TEST(RelaxedOneHotCategorical, TwoClassesReduceToBinaryConcrete) {
  // y_0 = sigmoid((l0 - l1 + g0 - g1)/tau) and g0 - g1 ~ Logistic: y_0 ~ BinaryConcrete(l0 - l1, tau).
  auto logits = torch::tensor({0.9, -0.4}, torch::kDouble);
  const double tau = 0.6;
  mixdist::RelaxedOneHotCategorical d(logits, tau);
  mixdist::BinaryConcrete b(torch::full({}, 1.3, torch::kDouble), tau);
  for (double y : {0.05, 0.4, 0.97}) {
    EXPECT_NEAR(d.log_prob(torch::tensor({y, 1 - y}, torch::kDouble)).item<double>(),
                b.log_prob(torch::full({}, y, torch::kDouble)).item<double>(), 1e-12);
  }
}

TEST(RelaxedOneHotCategorical, ArgmaxFollowsTheCategoricalAndStraightThroughIsOneHot) {
  // Gumbel-max: argmax of the relaxed sample is Categorical(softmax(logits)) at any temperature.
  auto logits = torch::tensor({1.0, 0.0, -1.0, 0.5}, torch::kDouble);
  mixdist::RelaxedOneHotCategorical d(logits, 0.3);
  auto s = d.sample({100000}, seeded(6));
  EXPECT_LT((s.sum(-1) - 1).abs().max().item<double>(), 1e-12);
  auto freq = torch::bincount(s.argmax(-1), {}, 4).to(torch::kDouble) / 100000.0;
  EXPECT_LT(max_abs_diff(freq, torch::softmax(logits, -1)), 8e-3);
  auto l = logits.clone().requires_grad_();
  mixdist::RelaxedOneHotCategorical st(l, 0.5, /*straight_through=*/true);
  mixdist::RelaxedOneHotCategorical relaxed(l, 0.5);
  auto hard = st.rsample({8}, seeded(7));
  auto soft = relaxed.rsample({8}, seeded(7));
  EXPECT_TRUE(torch::equal(hard.detach(), torch::one_hot(soft.argmax(-1), 4).to(torch::kDouble)));
  auto w = torch::randn({8, 4}, torch::kDouble);
  auto g_hard = torch::autograd::grad({(hard * w).sum()}, {l})[0];
  auto g_soft = torch::autograd::grad({(soft * w).sum()}, {l})[0];
  EXPECT_LT(max_abs_diff(g_hard, g_soft), 1e-12);
}

TEST(RelaxedOneHotCategorical, NoiseNeverGivesNaN) {
  mixdist::RelaxedOneHotCategorical d(torch::tensor({{10.0f, -10.0f, 0.0f}}), 0.1);
  auto s = d.sample({200000}, seeded(8));
  EXPECT_TRUE(s.isfinite().all().item<bool>());
  EXPECT_TRUE(std::isfinite(d.entropy_mc(1000, seeded(9)).value.item<float>()));
  mixdist::BinaryConcrete b(torch::full({}, 0.0f), 0.1);
  EXPECT_TRUE(b.sample({200000}, seeded(10)).isfinite().all().item<bool>());
  EXPECT_THROW(mixdist::BinaryConcrete(torch::zeros({2}), 0.0), c10::Error);
}

}  // namespace
