// ClippedGaussian (the 1-D Gaussian-Sparsemax): masses, density, entropy, KL and the authors' variant
// against closed forms and quadrature.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>
#include <random>
#include <vector>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::dvec;
using mixdist::testing::expect_error_containing;
using mixdist::testing::max_abs_diff;
using mixdist::testing::Phi;
using mixdist::testing::seeded;

// ---------------------------------------------------------------- ClippedGaussian

// -∫_0^1 p log p for p = N(loc, s^2), Simpson in long double with 20000 intervals.
double continuous_entropy_part(double loc, double s) {
  const int64_t m = 20000;
  long double acc = 0;
  for (int64_t k = 0; k <= m; ++k) {
    const long double y = static_cast<long double>(k) / m;
    const long double z = (y - loc) / s;
    const long double lp =
        -0.5L * z * z - std::log(static_cast<long double>(s)) - 0.5L * std::log(2.0L * M_PIl);
    const long double w = (k == 0 || k == m) ? 1 : (k % 2 ? 4 : 2);
    acc += w * (-std::exp(lp) * lp);
  }
  return static_cast<double>(acc / (3.0L * m));
}

TEST(ClippedGaussian, MassesAndEntropyMatchMath36AndQuadrature) {
  // the table of docs/math.md#reference-values-used-by-the-tests (six decimals) and an independent quadrature
  // of the continuous part.
  const std::vector<std::vector<double>> table{{0.3, 1, 1.077897, 0.382089, 0.241964},
                                               {0.3, 0.5, 0.821363, 0.274253, 0.080757},
                                               {2.0, 1, 0.491249, 0.022750, 0.841345}};
  for (const auto& r : table) {
    mixdist::ClippedGaussian d(dvec({r[0]}), dvec({r[1]}));
    EXPECT_NEAR(d.entropy().item<double>(), r[2], 1e-6);
    EXPECT_NEAR(d.log_prob_zero().exp().item<double>(), r[3], 1e-6);
    EXPECT_NEAR(d.log_prob_one().exp().item<double>(), r[4], 1e-6);
    const double p0 = Phi(-r[0] / r[1]), p1 = Phi((r[0] - 1) / r[1]);
    const double h = -p0 * std::log(p0) - p1 * std::log(p1) + continuous_entropy_part(r[0], r[1]);
    EXPECT_NEAR(d.entropy().item<double>(), h, 1e-10);
    EXPECT_NEAR(d.log_prob(dvec({0.0})).item<double>(), std::log(p0), 1e-12);
  }
}

TEST(ClippedGaussian, EntropyMeanAndKLAgainstMonteCarlo) {
  mixdist::ClippedGaussian p(dvec({0.3, 2.0, -0.4}), dvec({1.0, 0.5, 0.3}));
  mixdist::ClippedGaussian q(dvec({0.5, 0.0, 0.9}), dvec({0.2, 2.0, 0.6}));
  const int64_t n = 200000;
  auto y = p.sample({n}, seeded(20));
  auto lp = p.log_prob(y);
  auto se_h = lp.std(0) / std::sqrt(static_cast<double>(n));
  EXPECT_TRUE(((-lp.mean(0) - p.entropy()).abs() <= 5 * se_h).all().item<bool>())
      << -lp.mean(0) << p.entropy();
  auto se_m = y.std(0) / std::sqrt(static_cast<double>(n));
  EXPECT_TRUE(((y.mean(0) - p.mean()).abs() <= 5 * se_m).all().item<bool>()) << y.mean(0) << p.mean();
  auto diff = lp - q.log_prob(y);
  auto se_kl = diff.std(0) / std::sqrt(static_cast<double>(n));
  auto kl = mixdist::kl_divergence(p, q);
  EXPECT_TRUE(((diff.mean(0) - kl).abs() <= 5 * se_kl).all().item<bool>()) << diff.mean(0) << kl;
  EXPECT_LT(mixdist::kl_divergence(p, p).abs().max().item<double>(), 1e-12);
  // Through the registry (dispatch on the dynamic types).
  const mixdist::Distribution& pd = p;
  const mixdist::Distribution& qd = q;
  EXPECT_LT(max_abs_diff(mixdist::kl_divergence(pd, qd), kl), 1e-15);
}

TEST(ClippedGaussian, IsTheTwoDimensionalGaussianSparsemax) {
  // sparsemax([l, 1 - l] + std n)_1 is ClippedGaussian(l, std/sqrt 2): same entropy, same log_prob in the
  // chart y_1, and the samples of the first coordinate have the clipped law's masses.
  const double l = 0.3, sd = 1.0;
  auto bit = mixdist::bit_gaussian_sparsemax(dvec({l}), sd);
  mixdist::GaussianSparsemax gsp(dvec({l, 1 - l}), dvec({sd, sd}));
  EXPECT_NEAR(bit.entropy().item<double>(), gsp.entropy().item<double>(), 1e-14);
  auto y1 = dvec({0.0, 0.25, 0.8, 1.0});
  auto y = torch::stack({y1, 1 - y1}, -1);
  EXPECT_LT(max_abs_diff(bit.log_prob(y1.unsqueeze(-1)).squeeze(-1), gsp.log_prob(y)), 1e-13);
  auto s = gsp.sample({200000}, seeded(21)).select(-1, 0);
  const double p0 = (s == 0).to(torch::kDouble).mean().item<double>();
  // 0.3357 (docs/math.md#the-authors-scale-quirk)
  EXPECT_NEAR(p0, Phi(-l * std::sqrt(2.0)), 5 * std::sqrt(0.25 / 200000));
}

TEST(ClippedGaussian, AuthorsScaleMismatchIsReproducibleOnRequest) {
  const double l = 0.3;
  mixdist::ClippedGaussian ours(dvec({l}), dvec({1.0}));
  mixdist::ClippedGaussian theirs(dvec({l}), dvec({1.0}),
                                  mixdist::ClippedGaussianOptions().reproduce_authors(true));
  const int64_t n = 200000;
  const double tol = 5 * std::sqrt(0.25 / n);
  // Sampler: ours has P(0) = Phi(-0.3) = 0.3821; theirs samples with std/sqrt 2 (0.3357) ...
  EXPECT_NEAR((ours.sample({n}, seeded(22)) == 0).to(torch::kDouble).mean().item<double>(), 0.382089, tol);
  EXPECT_NEAR((theirs.sample({n}, seeded(22)) == 0).to(torch::kDouble).mean().item<double>(), 0.335734, tol);
  // ... but evaluates the density with std (plus 1e-12 inside the logs).
  EXPECT_NEAR(theirs.log_prob(dvec({0.0})).exp().item<double>(), 0.382089 + 1e-12, 1e-6);
  EXPECT_NEAR(theirs.entropy().item<double>(), 1.077897, 1e-6);  // identical at std = 1
  // At std = 0.5 their entropy weights the continuous term by std/2: hand-coded from
  // docs/math.md#the-authors-scale-quirk.
  const double s = 0.5, a = -l / s, b = (1 - l) / s;
  const double p0 = Phi(a), p1 = Phi(-b);
  auto phi = [](double u) { return std::exp(-0.5 * u * u) / std::sqrt(2 * M_PI); };
  const double m2 = Phi(b) - Phi(a) + a * phi(a) - b * phi(b);
  const double h_theirs = -p0 * std::log(p0 + 1e-12) - p1 * std::log(p1 + 1e-12) +
                          (1 - p0 - p1) * std::log(std::sqrt(2 * M_PI) * s) + 0.5 * s * m2;
  mixdist::ClippedGaussian theirs_half(dvec({l}), dvec({s}),
                                       mixdist::ClippedGaussianOptions().reproduce_authors(true));
  EXPECT_NEAR(theirs_half.entropy().item<double>(), h_theirs, 1e-12);
  EXPECT_GT(std::abs(h_theirs - 0.821363), 0.05);  // the correct value differs
  EXPECT_THROW(mixdist::kl_divergence(theirs, ours), c10::Error);
}

TEST(ClippedGaussian, ExtremeParametersGradientsAndErrors) {
  for (double sc : {1e-3, 1e3}) {
    auto loc = dvec({100.0, -100.0, 0.5}).requires_grad_();
    auto scale = torch::full({3}, sc, torch::kDouble).requires_grad_();
    mixdist::ClippedGaussian d(loc, scale);
    auto y = d.rsample({20}, seeded(23));
    auto total = d.log_prob(y).sum() + d.entropy().sum() + d.mean().sum() + y.sum();
    ASSERT_TRUE(total.isfinite().item<bool>()) << sc;
    auto g = torch::autograd::grad({total}, {loc, scale});
    EXPECT_TRUE(g[0].isfinite().all().item<bool>() && g[1].isfinite().all().item<bool>()) << sc;
  }
  // Pathwise: d E[Y] / d loc = P(0 < Y < 1), against the closed-form mean's gradient.
  auto loc = dvec({0.3}).requires_grad_();
  mixdist::ClippedGaussian d(loc, dvec({0.8}));
  auto g_mc = torch::autograd::grad({d.rsample({200000}, seeded(24)).mean()}, {loc})[0];
  auto g_exact = torch::autograd::grad({d.mean().sum()}, {loc})[0];
  EXPECT_NEAR(g_mc.item<double>(), g_exact.item<double>(), 5 * std::sqrt(0.25 / 200000));
  expect_error_containing([] { mixdist::ClippedGaussian(torch::zeros({3}), torch::ones({2})); },
                          "do not broadcast");
  expect_error_containing(
      [] {
        mixdist::ClippedGaussian(torch::zeros({2}), torch::tensor({1.0, -1.0}));
      },
      "scale must be positive");
  expect_error_containing(
      [] {
        mixdist::ClippedGaussian(torch::zeros({2}), torch::ones({2})).log_prob(torch::tensor({0.5, 1.5}));
      },
      "in [0, 1]");
  expect_error_containing(
      [] { mixdist::ClippedGaussian(torch::zeros({2}), torch::ones({2})).log_prob(torch::zeros({3})); },
      "broadcast");
}
}  // namespace
