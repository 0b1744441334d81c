// MaskedDirichlet: the full face is the Dirichlet, a two-vertex face a Beta; test vectors, entropy and KL by
// Monte Carlo, extreme concentrations, pathwise and log-prob gradients, and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>
#include <vector>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::seeded;

using mixdist::testing::max_abs_diff;

// --------------------------------------------------------------------------------------------
// MaskedDirichlet

TEST(MaskedDirichlet, FullFaceIsTheDirichlet) {
  auto a = torch::tensor({{0.5, 2.0, 3.0, 1.2}, {1.0, 1.0, 4.0, 0.3}}, torch::kDouble);
  auto b = torch::tensor({{1.0, 1.0, 1.0, 1.0}, {2.0, 0.5, 1.5, 3.0}}, torch::kDouble);
  auto full = torch::ones({4}, torch::kBool);
  mixdist::MaskedDirichlet p(full, a), q(full, b);
  mixdist::Dirichlet dp(a), dq(b);
  auto y = dp.sample({20}, seeded(15));
  EXPECT_LT(max_abs_diff(p.log_prob(y), dp.log_prob(y)), 1e-12);
  EXPECT_LT(max_abs_diff(p.entropy(), dp.entropy()), 1e-13);
  EXPECT_LT(max_abs_diff(mixdist::kl_divergence(p, q), mixdist::kl_divergence(dp, dq)), 1e-13);
  EXPECT_LT(max_abs_diff(p.mean(), dp.mean()), 1e-15);
}

TEST(MaskedDirichlet, TwoVertexFaceIsABeta) {
  auto a = torch::tensor({7.0, 2.0, 0.1, 3.5}, torch::kDouble);
  auto face = torch::tensor({false, true, false, true});
  mixdist::MaskedDirichlet d(face, a);
  const double log_beta = std::lgamma(2.0) + std::lgamma(3.5) - std::lgamma(5.5);
  for (double x : {0.05, 0.5, 0.93}) {
    auto v = torch::tensor({0.0, x, 0.0, 1 - x}, torch::kDouble);
    EXPECT_NEAR(d.log_prob(v).item<double>(), std::log(x) + 2.5 * std::log(1 - x) - log_beta, 1e-13);
  }
  // Beta(2, 3.5) entropy: log B(a,b) - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b).
  auto psi = [](double x) { return torch::digamma(torch::tensor(x, torch::kDouble)).item<double>(); };
  const double h = log_beta - 1.0 * psi(2.0) - 2.5 * psi(3.5) + 3.5 * psi(5.5);
  EXPECT_NEAR(d.entropy().item<double>(), h, 1e-13);
  // KL against another two-vertex law on the same face: Beta(2, 3.5) || Beta(1, 1) = -H.
  mixdist::MaskedDirichlet u(face, torch::ones({4}, torch::kDouble));
  EXPECT_NEAR(mixdist::kl_divergence(d, u).item<double>(), -h, 1e-13);
  auto s = d.sample({5000}, seeded(16));
  EXPECT_TRUE((s.index({torch::indexing::Slice(), torch::tensor({0, 2})}) == 0).all().item<bool>());
  // Mean of Beta(2, 3.5) = 2/5.5; sd of the sample mean 0.19/sqrt(5000) = 2.7e-3; 5 sd.
  EXPECT_NEAR(s.select(1, 1).mean().item<double>(), 2.0 / 5.5, 1.4e-2);
}

TEST(MaskedDirichlet, TestVectorsAndVertices) {
  // Faces embedded in K = 5 with arbitrary concentrations outside (ignored).
  auto face = torch::tensor({true, false, true, true, false});
  auto a = torch::tensor({0.5, 9.0, 2.0, 3.0, 0.01}, torch::kDouble);
  auto ones = torch::tensor({1.0, 5.0, 1.0, 1.0, 7.0}, torch::kDouble);
  mixdist::MaskedDirichlet p(face, a), u(face, ones);
  EXPECT_NEAR(p.entropy().item<double>(), -1.914677, 1e-6);
  EXPECT_NEAR(u.entropy().item<double>(), -std::log(2.0), 1e-14);
  EXPECT_NEAR(mixdist::kl_divergence(p, u).item<double>(), 1.221530, 1e-6);
  EXPECT_LT(mixdist::kl_divergence(p, p).abs().item<double>(), 1e-14);
  // A one-vertex face: density 1, entropy 0, KL 0 whatever the concentrations.
  auto vertex = torch::tensor({false, false, false, true, false});
  mixdist::MaskedDirichlet v(vertex, a), v2(vertex, ones);
  auto e3 = torch::tensor({0.0, 0.0, 0.0, 1.0, 0.0}, torch::kDouble);
  EXPECT_EQ(v.log_prob(e3).item<double>(), 0.0);
  EXPECT_EQ(v.entropy().item<double>(), 0.0);
  EXPECT_EQ(mixdist::kl_divergence(v, v2).item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(v.sample({3}, seeded(17)), e3.expand({3, 5})));
  // Different faces: mutually singular.
  EXPECT_TRUE(std::isinf(mixdist::kl_divergence(p, v).item<double>()));
  const mixdist::Distribution &dp = p, &du = u;
  EXPECT_NEAR(mixdist::kl_divergence(dp, du).item<double>(), 1.221530, 1e-6);
}

TEST(MaskedDirichlet, EntropyAndKLByMonteCarlo) {
  auto face = torch::tensor({{true, true, false, true}, {false, true, true, true}});
  mixdist::MaskedDirichlet p(face,
                             torch::tensor({{0.7, 2.0, 1.0, 3.0}, {1.0, 0.8, 1.6, 2.2}}, torch::kDouble));
  mixdist::MaskedDirichlet q(face,
                             torch::tensor({{1.5, 1.0, 4.0, 0.9}, {1.0, 2.0, 1.0, 1.0}}, torch::kDouble));
  const int64_t n = 100000;
  auto y = p.sample({n}, seeded(18));
  // Per-sample spread of log p is about 1.5 here: sd of the mean 5e-3; tolerance ~4 sd.
  EXPECT_LT(max_abs_diff(-p.log_prob(y).mean(0), p.entropy()), 2e-2);
  EXPECT_LT(max_abs_diff((p.log_prob(y) - q.log_prob(y)).mean(0), mixdist::kl_divergence(p, q)), 2e-2);
  EXPECT_LT(max_abs_diff(y.mean(0), p.mean()), 5e-3);
}

TEST(MaskedDirichlet, TinyAndHugeConcentrationsKeepTheFace) {
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    for (double c : {1e-3, 1.0, 1e3}) {
      auto face = torch::rand({64, 10}, seeded(19)) < 0.5;
      face.select(1, 0).fill_(true);  // non-empty
      mixdist::MaskedDirichlet d(face, torch::full({64, 10}, c, dtype));
      auto s = d.sample({20}, seeded(20));
      EXPECT_TRUE(s.isfinite().all().item<bool>());
      EXPECT_TRUE(torch::equal(s > 0, face.expand({20, 64, 10}))) << c << " " << dtype;
      EXPECT_TRUE((s.masked_select(~face.expand({20, 64, 10})) == 0).all().item<bool>());
      EXPECT_LT((s.sum(-1) - 1).abs().max().item<double>(), 1e-5);
      EXPECT_TRUE(d.log_prob(s).isfinite().all().item<bool>()) << c;
      EXPECT_TRUE(d.entropy().isfinite().all().item<bool>());
    }
  }
}

TEST(MaskedDirichlet, PathwiseGradientMatchesTheMeanGradient) {
  // d E[y_1] / d alpha on the face {1, 2, 3} of K = 4: (a0 - a1)/a0^2 for alpha_1, -a1/a0^2 for the other
  // face coordinates, 0 for the masked one. MC with 2e5 samples.
  auto alpha = torch::tensor({0.4, 1.5, 0.8, 2.5}, torch::kDouble).requires_grad_();
  auto face = torch::tensor({false, true, true, true});
  mixdist::MaskedDirichlet d(face, alpha);
  auto y = d.rsample({200000}, seeded(21));
  auto g = torch::autograd::grad({y.select(-1, 1).mean()}, {alpha})[0];
  const double a0 = 4.8;
  auto exact =
      torch::tensor({0.0, (a0 - 1.5) / (a0 * a0), -1.5 / (a0 * a0), -1.5 / (a0 * a0)}, torch::kDouble);
  EXPECT_LT(max_abs_diff(g, exact), 3e-3);
  EXPECT_EQ(g[0].item<double>(), 0.0);
}

TEST(MaskedDirichlet, LogProbGradientsAreFiniteAndMatchFiniteDifferences) {
  auto face = torch::tensor({true, false, true, true});
  auto value = torch::tensor({0.2, 0.0, 0.5, 0.3}, torch::kDouble);
  auto alpha = torch::tensor({0.6, 1e-3, 2.0, 1.3}, torch::kDouble).requires_grad_();
  auto f = [&](const torch::Tensor& a) { return mixdist::MaskedDirichlet(face, a).log_prob(value); };
  auto g = torch::autograd::grad({f(alpha)}, {alpha})[0];
  EXPECT_TRUE(g.isfinite().all().item<bool>());
  EXPECT_LT(max_abs_diff(g, mixdist::testing::finite_difference_grad(f, alpha)), 1e-7);
  auto h = [&](const torch::Tensor& a) { return mixdist::MaskedDirichlet(face, a).entropy(); };
  auto gh = torch::autograd::grad({h(alpha)}, {alpha})[0];
  EXPECT_LT(max_abs_diff(gh, mixdist::testing::finite_difference_grad(h, alpha)), 1e-7);
}

TEST(MaskedDirichlet, ErrorsNameTheProblem) {
  auto a = torch::ones({3}, torch::kDouble);
  expect_error_containing([&] { mixdist::MaskedDirichlet(torch::zeros({3}, torch::kBool), a); },
                          "face must be a face mask (entries 0 or 1, at least one 1 per row), got [0, 0, 0]");
  expect_error_containing([&] { mixdist::MaskedDirichlet(torch::ones({3}, torch::kBool), -a); }, "positive");
  expect_error_containing([&] { mixdist::MaskedDirichlet(torch::ones({4}, torch::kBool), a); }, "vertices");
  // Its two tensors cannot be swapped silently: the face is a mask, the concentration must be floating.
  expect_error_containing([&] { mixdist::MaskedDirichlet(a, torch::ones({3}, torch::kBool)); },
                          "concentration must be floating point");
  mixdist::MaskedDirichlet d(torch::tensor({true, true, false}), a);
  expect_error_containing([&] { d.log_prob(torch::tensor({0.2, 0.4, 0.4}, torch::kDouble)); }, "0 outside");
  expect_error_containing(
      [&] {
        d.log_prob(torch::tensor({0.2, 0.4, 0.0}, torch::kDouble));
      },
      "got [0.2, 0.4, 0]");
}
}  // namespace
