// Baseline distributions (Normal, Categorical, Bernoulli, Dirichlet) and the KL registry: values against
// closed forms and brute-force sums, entropies and KLs against Monte Carlo (fixed seeds, stated tolerances),
// sampling frequencies, pathwise gradients, and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>

#include "test_util.h"

namespace {

using mixdist::testing::max_abs_diff;

at::Generator seeded(uint64_t seed) {
  auto g = at::detail::createCPUGenerator(seed);
  return g;
}

// Monte Carlo estimate of E_p[-log p(Y)] with n samples.
torch::Tensor mc_entropy(const mixdist::Distribution& d, int64_t n, uint64_t seed) {
  auto y = d.sample({n}, seeded(seed));
  return -d.log_prob(y).mean(0);
}

// Monte Carlo estimate of E_p[log p(Y) - log q(Y)].
torch::Tensor mc_kl(const mixdist::Distribution& p, const mixdist::Distribution& q, int64_t n,
                    uint64_t seed) {
  auto y = p.sample({n}, seeded(seed));
  return (p.log_prob(y) - q.log_prob(y)).mean(0);
}

TEST(Normal, LogProbEntropyAndKL) {
  auto loc = torch::tensor({0.0, 1.5, -2.0}, torch::kDouble);
  auto scale = torch::tensor({1.0, 0.5, 3.0}, torch::kDouble);
  mixdist::Normal p(loc, scale);
  auto v = torch::tensor({0.3, 1.0, 4.0}, torch::kDouble);
  auto expected = -((v - loc) * (v - loc)) / (2 * scale * scale) - scale.log() - 0.5 * std::log(2 * M_PI);
  EXPECT_LT(max_abs_diff(p.log_prob(v), expected), 1e-14);
  // Entropy by Monte Carlo: 2e5 samples, standard error ~ 0.7/sqrt(2e5) = 1.6e-3; tolerance 1e-2.
  EXPECT_LT(max_abs_diff(p.entropy(), mc_entropy(p, 200000, 1)), 1e-2);
  mixdist::Normal q(torch::tensor({0.5, 1.0, 0.0}, torch::kDouble),
                    torch::tensor({2.0, 0.5, 1.0}, torch::kDouble));
  auto kl = mixdist::kl_divergence(p, q);
  EXPECT_LT(max_abs_diff(kl, mc_kl(p, q, 200000, 2)), 3e-2);
  EXPECT_TRUE((kl >= 0).all().item<bool>());
  EXPECT_LT(mixdist::kl_divergence(p, p).abs().max().item<double>(), 1e-15);
}

TEST(Normal, ReparameterisedAndReproducible) {
  auto loc = torch::tensor({0.5}, torch::kDouble).requires_grad_();
  auto scale = torch::tensor({2.0}, torch::kDouble).requires_grad_();
  mixdist::Normal p(loc, scale);
  auto y = p.rsample({1000}, seeded(3));
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({1000, 1}));
  auto grads = torch::autograd::grad({y.mean()}, {loc, scale});
  EXPECT_NEAR(grads[0].item<double>(), 1.0, 1e-12);  // d mean(y)/d loc = 1 exactly
  EXPECT_TRUE(torch::equal(p.sample({5}, seeded(7)), p.sample({5}, seeded(7))));
  EXPECT_FALSE(p.sample({5}).requires_grad());
}

TEST(Categorical, FrequenciesEntropyAndKL) {
  auto logits = torch::tensor(
      {{0.0, 1.0, -1.0, 2.0}, {3.0, 0.0, 0.0, -std::numeric_limits<double>::infinity()}}, torch::kDouble);
  mixdist::Categorical p(logits);
  auto probs = torch::softmax(logits, -1);
  const int64_t n = 100000;
  auto s = p.sample({n}, seeded(4));
  EXPECT_EQ(s.sizes(), torch::IntArrayRef({n, 2}));
  for (int64_t b = 0; b < 2; ++b) {
    auto freq = torch::bincount(s.select(1, b), {}, 4).to(torch::kDouble) / n;
    // Binomial standard error <= 0.5/sqrt(n) = 1.6e-3; 5 sigma.
    EXPECT_LT(max_abs_diff(freq, probs[b]), 8e-3) << b;
  }
  EXPECT_EQ((s.select(1, 1) == 3).sum().item<int64_t>(), 0);  // probability-0 class never drawn
  auto brute_h = -(probs * probs.clamp_min(1e-300).log()).sum(-1);
  EXPECT_LT(max_abs_diff(p.entropy(), brute_h), 1e-14);
  mixdist::Categorical q(torch::zeros({2, 4}, torch::kDouble));
  auto brute_kl = (probs * (probs.clamp_min(1e-300).log() - std::log(0.25))).sum(-1);
  EXPECT_LT(max_abs_diff(mixdist::kl_divergence(p, q), brute_kl), 1e-14);
  // q excludes a class p charges: +inf.
  EXPECT_TRUE(std::isinf(mixdist::kl_divergence(q, p)[1].item<double>()));
  EXPECT_NEAR(p.log_prob(torch::tensor({3, 0})).exp()[0].item<double>(), probs[0][3].item<double>(), 1e-15);
}

TEST(Bernoulli, AgainstTwoOutcomeSums) {
  auto a = torch::tensor({-3.0, 0.0, 2.5, 30.0}, torch::kDouble);
  auto b = torch::tensor({1.0, -1.0, 2.5, -30.0}, torch::kDouble);
  mixdist::Bernoulli p(a), q(b);
  auto pa = a.sigmoid(), pb = b.sigmoid();
  auto h = -(pa * pa.log() + (1 - pa) * (1 - pa).log());
  EXPECT_LT(max_abs_diff(p.entropy().slice(0, 0, 3), h.slice(0, 0, 3)), 1e-12);
  auto kl = pa * (pa.log() - pb.log()) + (1 - pa) * ((1 - pa).log() - (1 - pb).log());
  EXPECT_LT(max_abs_diff(mixdist::kl_divergence(p, q).slice(0, 0, 3), kl.slice(0, 0, 3)), 1e-13);
  // Saturated logits +-30: KL = 30 (p1 - p0) = 30 (1 - e^-30) / (1 + e^-30), worked by hand.
  const double eps30 = std::exp(-30.0);
  EXPECT_NEAR(mixdist::kl_divergence(p, q)[3].item<double>(), 30.0 * (1 - eps30) / (1 + eps30), 1e-12);
  auto ones = torch::ones({4}, torch::kDouble);
  EXPECT_LT(max_abs_diff(p.log_prob(ones), pa.log()), 1e-12);  // the reference log(sigmoid) rounds too
  auto freq = p.sample({50000}, seeded(5)).mean(0);
  EXPECT_LT(max_abs_diff(freq, pa), 1e-2);
}

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

TEST(KLRegistry, DispatchesOnDynamicTypesAndNamesUnknownPairs) {
  mixdist::Normal n1(torch::zeros({2}), torch::ones({2})), n2(torch::ones({2}), torch::ones({2}));
  const mixdist::Distribution& p = n1;
  const mixdist::Distribution& q = n2;
  EXPECT_TRUE(torch::allclose(mixdist::kl_divergence(p, q), torch::full({2}, 0.5f)));
  mixdist::Dirichlet d(torch::ones({2, 3}));
  EXPECT_FALSE(mixdist::has_kl(p, d));
  try {
    mixdist::kl_divergence(p, d);
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("(Normal, Dirichlet)"), std::string::npos) << e.what();
  }
  mixdist::register_kl<mixdist::Normal, mixdist::Dirichlet>(
      [](const mixdist::Normal&, const mixdist::Dirichlet&) { return torch::full({}, 42.0); });
  EXPECT_EQ(mixdist::kl_divergence(p, d).item<double>(), 42.0);
}

TEST(Distributions, ValidationErrorsNameTheArgument) {
  const auto expect_error = mixdist::testing::expect_error_containing;
  expect_error(
      [] {
        mixdist::Normal(torch::zeros({2}), torch::tensor({1.0, -1.0}));
      },
      "scale must be positive");
  expect_error([] { mixdist::Dirichlet(torch::tensor({1.0, 0.0})); }, "concentration must be positive");
  expect_error([] { mixdist::Dirichlet(torch::ones({3})).log_prob(torch::ones({2})); }, "event shape");
  expect_error([] { mixdist::Categorical(torch::zeros({3})).log_prob(torch::tensor({3})); },
               "value must be a whole number in [0, 2], got 3 at index [0]");
  expect_error([] { mixdist::Bernoulli(torch::zeros({2})).log_prob(torch::tensor({0.5, 1.0})); }, "0 or 1");
  expect_error([] { mixdist::Categorical(torch::zeros({3})).rsample(); }, "no reparameterised sampler");
  // Validation can be switched off globally and per instance.
  mixdist::set_default_validate_args(false);
  EXPECT_NO_THROW(mixdist::Normal(torch::zeros({2}), torch::tensor({1.0, -1.0})));
  mixdist::set_default_validate_args(true);
  EXPECT_NO_THROW(mixdist::Normal(torch::zeros({2}), torch::tensor({1.0, -1.0}), false));
}

}  // namespace
