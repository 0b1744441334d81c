// The extrinsic family: GaussianSparsemax (K-dimensional) and ClippedGaussian (its 1-D bit version).
// References independent of the library's code paths: a long-double trapezoid of the density's defining
// integral in tau (not the m/c reduction the library uses), hand-coded K = 2 and clipped-Gaussian formulas
// with std::erfc, numerical integration along faces, the reference values of
// docs/math.md#reference-values-used-by-the-tests, sampling frequencies (fixed seeds, tolerances in standard
// errors), and finite differences with common random numbers.
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

long double log_Phi_ld(long double u) {
  if (u > -140.0L) return std::log(0.5L * std::erfc(-u / std::sqrt(2.0L)));
  // Asymptotic series (erfcl loses range below here); relative error of Phi ~ 105/u^8.
  const long double r = 1.0L / (u * u);
  return -0.5L * u * u - std::log(-u) - 0.5L * std::log(2.0L * M_PIl) +
         std::log1p(-r + 3 * r * r - 15 * r * r * r);
}

// log p_Y(y) = log( s * ∫ prod_{i in S} N(y_i + tau; mu_i, sigma_i^2) prod_{j in Z} Phi((tau - mu_j)/sigma_j)
// dtau ), the defining integral of docs/math.md#gaussian-sparsemax-density (not the m/c reduction the library
// uses), by a trapezoid in long double. The log integrand L is concave: its maximum is found by
// golden-section search, the range is where L is within 60 of it (what lies outside is below e^-60 of the
// mass), and the step is 1/16 of the smallest width the integrand can have anywhere, 1/sqrt(sum_i sigma_i^-2)
// (L'' >= -sum_i sigma_i^-2). The integrand is analytic and decays like a Gaussian, so the trapezoid
// converges spectrally at that step.
double reference_log_prob(const std::vector<double>& mu, const std::vector<double>& sigma,
                          const std::vector<double>& y) {
  const size_t K = mu.size();
  long double lo = INFINITY, hi = -INFINITY, smax = 0, precision = 0;
  int s = 0;
  for (size_t i = 0; i < K; ++i) {
    const long double centre = y[i] > 0 ? mu[i] - y[i] : mu[i];
    s += y[i] > 0;
    lo = std::min(lo, centre);
    hi = std::max(hi, centre);
    smax = std::max<long double>(smax, sigma[i]);
    precision += 1.0L / (static_cast<long double>(sigma[i]) * sigma[i]);
  }
  auto L = [&](long double tau) {
    long double acc = 0;
    for (size_t i = 0; i < K; ++i) {
      if (y[i] > 0) {
        const long double z = (y[i] + tau - mu[i]) / sigma[i];
        acc += -0.5L * z * z - std::log(static_cast<long double>(sigma[i])) - 0.5L * std::log(2.0L * M_PIl);
      } else {
        acc += log_Phi_ld((tau - mu[i]) / sigma[i]);
      }
    }
    return acc;
  };
  // The maximum lies within 40 of the largest sigma of the factors' centres.
  long double a = lo - 40 * smax, b = hi + 40 * smax;
  for (int it = 0; it < 300; ++it) {
    const long double m1 = a + 0.381966L * (b - a), m2 = b - 0.381966L * (b - a);
    if (L(m1) < L(m2)) {
      a = m1;
    } else {
      b = m2;
    }
  }
  const long double top = 0.5L * (a + b), Lmax = L(top), width = 1.0L / std::sqrt(precision);
  auto reach = [&](long double dir) {
    long double out = width;
    while (L(top + dir * out) > Lmax - 60) out *= 2;
    long double in = 0;
    for (int it = 0; it < 200; ++it) {
      const long double mid = 0.5L * (in + out);
      (L(top + dir * mid) > Lmax - 60 ? in : out) = mid;
    }
    return out;
  };
  const long double left = top - reach(-1), right = top + reach(1);
  const int64_t n = static_cast<int64_t>(std::ceil((right - left) / (width / 16)));
  const long double h = (right - left) / n;
  long double sum = 0;
  for (int64_t k = 0; k <= n; ++k) sum += (k == 0 || k == n ? 0.5L : 1.0L) * std::exp(L(left + h * k) - Lmax);
  return static_cast<double>(std::log(static_cast<long double>(s)) + Lmax + std::log(sum * h));
}

double gsp_log_prob(const std::vector<double>& mu, const std::vector<double>& sigma,
                    const std::vector<double>& y,
                    mixdist::GaussianSparsemaxOptions opts = mixdist::GaussianSparsemaxOptions()) {
  return mixdist::GaussianSparsemax(dvec(mu), dvec(sigma), opts).log_prob(dvec(y)).item<double>();
}

struct Case {
  std::vector<double> mu, sigma, y;
};

// Points for the accuracy tests: the vectors of docs/math.md#reference-values-used-by-the-tests, improbable
// vertices whose integrand sits far from N(m, c)'s centre, and a heterogeneous-scale K = 4 (scales 0.2 .. 2,
// so the zero set's CDF factors cut N(m, c) off sharply on one side).
std::vector<Case> accuracy_cases() {
  const std::vector<double> mu{0.6, 0.2, 0.2}, sg{0.6, 0.3, 0.9};
  return {
      {mu, sg, {1, 0, 0}},
      {mu, sg, {0, 1, 0}},
      {mu, sg, {0.7, 0.3, 0}},
      {mu, sg, {0.5, 0.3, 0.2}},
      {mu, sg, {0, 0.45, 0.55}},
      {{-30, 0, 0}, {1, 1, 1}, {1, 0, 0}},  // tau ~ N(-31, 1), mass near -10: log p ~ -300
      {{0, 3, -2, 1}, {0.2, 2.0, 0.5, 1.0}, {0, 0, 1, 0}},
      {{0, 3, -2, 1}, {0.2, 2.0, 0.5, 1.0}, {0.3, 0, 0.7, 0}},
      {{0, 3, -2, 1}, {0.2, 2.0, 0.5, 1.0}, {0, 0.9, 0, 0.1}},
      {{2, -1, 0.5, 0, 1}, {0.5, 0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 0, 0}},  // log p ~ -45
  };
}

TEST(GaussianSparsemax, MatchesTheTestVectorsOfMath33) {
  mixdist::GaussianSparsemax d(dvec({0.6, 0.2, 0.2}), dvec({0.6, 0.3, 0.9}));
  const std::vector<std::pair<std::vector<double>, double>> table{
      {{1, 0, 0}, -2.247235},     {{0, 1, 0}, -5.430040},    {{0, 0, 1}, -2.705877},
      {{.7, .3, 0}, -0.808175},   {{.5, .3, .2}, -0.323715}, {{.2, 0, .8}, -1.583426},
      {{0, .45, .55}, -2.504978},
  };
  for (const auto& [y, expected] : table) {
    // Six decimals are given: rounding error <= 5e-7.
    EXPECT_NEAR(d.log_prob(dvec(y)).item<double>(), expected, 1e-6) << y[0] << "," << y[1] << "," << y[2];
  }
  // Vertex masses, five significant digits given.
  const auto v = d.vertex_log_probs().exp();
  EXPECT_NEAR(v[0].item<double>(), 0.10569, 1e-5);
  EXPECT_NEAR(v[1].item<double>(), 0.00438, 1e-5);
  EXPECT_NEAR(v[2].item<double>(), 0.06681, 1e-5);
}

TEST(GaussianSparsemax, LogProbMatchesHighOrderQuadrature) {
  // Error in log p (= relative error of p) against the long-double reference: the default adaptive rule, and
  // the fixed Gauss–Hermite rule per node count, centred on the mode and plain around N(m, c).
  const auto cases = accuracy_cases();
  std::vector<double> ref;
  for (const auto& c : cases) ref.push_back(reference_log_prob(c.mu, c.sigma, c.y));
  double worst_adaptive = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const double err = std::abs(gsp_log_prob(cases[i].mu, cases[i].sigma, cases[i].y) - ref[i]);
    EXPECT_LT(err, 1e-9) << "case " << i;
    worst_adaptive = std::max(worst_adaptive, err);
  }
  std::cout << "[ accuracy ] adaptive Gauss-Kronrod (default): max |error in log p| = " << worst_adaptive
            << "\n";
  for (bool centred : {true, false}) {
    for (int64_t n : {8, 16, 32, 64, 128}) {
      double worst = 0;
      for (size_t i = 0; i < cases.size(); ++i) {
        const auto opts =
            mixdist::GaussianSparsemaxOptions().adaptive_quadrature(false).quadrature_nodes(n).centre_on_mode(
                centred);
        worst =
            std::max(worst, std::abs(gsp_log_prob(cases[i].mu, cases[i].sigma, cases[i].y, opts) - ref[i]));
      }
      std::cout << "[ accuracy ] fixed " << (centred ? "mode-centred" : "plain") << " Gauss-Hermite, " << n
                << " nodes: max |error in log p| = " << worst << "\n";
      if (centred && n >= 64) {
        EXPECT_LT(worst, 1e-6) << n << " nodes";
      }
      // The plain rule is what the centring fixes: the far vertex is off by far more than 1e-6.
      if (!centred && n == 64) {
        EXPECT_GT(worst, 1e-4);
      }
    }
  }
}

// Random points whose integrands are hard for a fixed rule, from a fixed seed: K = 3..10; every scale
// 10^U(-1, 1), so zero-set scales range from 1e-2 to 1e2 times the support's and the Phi cut-offs fall next
// to the mode, far from it or not at all; faces of every size; vertices, including the least probable one of
// each point (log p down to about -1e3 with the wide locations drawn here).
std::vector<Case> hard_cases() {
  std::mt19937_64 rng(2024);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  std::vector<Case> out;
  for (int r = 0; r < 96; ++r) {
    const int K = 3 + r % 8;
    std::vector<double> mu(K), sigma(K), y(K, 0.0);
    const double spread = r % 16 < 8 ? 1.0 : 6.0;
    for (int k = 0; k < K; ++k) {
      mu[k] = spread * normal(rng);
      sigma[k] = std::pow(10.0, 2 * uniform(rng) - 1);
    }
    if (r % 3 == 0) {
      y[std::min_element(mu.begin(), mu.end()) - mu.begin()] = 1;  // the least probable vertex (roughly)
    } else if (r % 3 == 1) {
      y[rng() % K] = 1;
    } else {
      std::vector<int> idx(K);
      std::iota(idx.begin(), idx.end(), 0);
      std::shuffle(idx.begin(), idx.end(), rng);
      const int size = 2 + static_cast<int>(rng() % (K - 1));
      double total = 0;
      for (int j = 0; j < size; ++j) total += (y[idx[j]] = 0.05 + uniform(rng));
      for (int j = 0; j < size; ++j) y[idx[j]] /= total;
    }
    out.push_back({mu, sigma, y});
  }
  // The two extreme ratios exactly, with the cut-off just left of the mode and ~1 sd of N(m, c) left of it.
  for (double ratio : {1e-2, 1e2}) {
    for (double mu_zero : {0.3, -2.0}) {
      out.push_back({{0, 0, mu_zero}, {1.0, 1.0, ratio}, {0.5, 0.5, 0}});
      out.push_back(
          {{0, 0, 0, mu_zero, mu_zero + 0.5}, {3.0, 3.0, 3.0, 3 * ratio, 3 * ratio}, {0.2, 0.3, 0.5, 0, 0}});
    }
  }
  return out;
}

TEST(GaussianSparsemax, LogProbIsAccurateOnHardCases) {
  // Support scales 3 against a zero-set scale 0.05 put a CDF cut of width 0.05 next to the mode of a Gaussian
  // of width 2.1. One zero coordinate has the closed form E = Phi((m - mu_j) / sqrt(c + sigma_j^2)), which
  // checks the reference; the fixed rule converges slowly here (6e-2 at 32 nodes, 5e-3 at 128, 3e-4 at 512),
  // the default adaptive rule does not.
  {
    const std::vector<double> mu{0, 0, 0.3}, sg{3, 3, 0.05}, y{0.5, 0.5, 0};
    const double c = 4.5, m = -0.5;
    const double exact = std::log(2.0) - 0.5 * std::log(2 * M_PI) - 2 * std::log(3.0) -
                         0.5 * std::log(2.0 / 9) + std::log(Phi((m - 0.3) / std::sqrt(c + 0.05 * 0.05)));
    EXPECT_NEAR(reference_log_prob(mu, sg, y), exact, 1e-12);
    EXPECT_NEAR(gsp_log_prob(mu, sg, y), exact, 1e-9);
    const double fixed = gsp_log_prob(
        mu, sg, y, mixdist::GaussianSparsemaxOptions().adaptive_quadrature(false).quadrature_nodes(128));
    EXPECT_GT(std::abs(fixed - exact), 1e-3);
  }
  // The grid, against the long-double reference; one batched call (the rows are independent).
  const auto cases = hard_cases();
  double worst = 0, worst_moderate = 0, worst_fixed = 0, lowest = 0;
  for (const auto& c : cases) {
    const double ref = reference_log_prob(c.mu, c.sigma, c.y);
    const double err = std::abs(gsp_log_prob(c.mu, c.sigma, c.y) - ref);
    EXPECT_LT(err, 1e-8) << "mu " << dvec(c.mu) << " sigma " << dvec(c.sigma) << " y " << dvec(c.y);
    worst = std::max(worst, err);
    if (ref > -100) worst_moderate = std::max(worst_moderate, err);
    worst_fixed = std::max(
        worst_fixed, std::abs(gsp_log_prob(c.mu, c.sigma, c.y,
                                           mixdist::GaussianSparsemaxOptions().adaptive_quadrature(false)) -
                              ref));
    lowest = std::min(lowest, ref);
  }
  std::cout << "[ accuracy ] " << cases.size() << " hard cases (log p down to " << lowest
            << "): max |error in log p| = " << worst << " adaptive (default; " << worst_moderate
            << " where log p > -100), " << worst_fixed << " fixed 64-node Gauss-Hermite\n";
  EXPECT_LT(lowest, -300.0);  // the grid does reach improbable vertices
  // What the adaptive default is for: the fixed rule misses by far more on the same grid.
  EXPECT_GT(worst_fixed, 1e-3);
}

TEST(GaussianSparsemax, OneAndTwoDimensionalClosedForms) {
  // K = 1: y = 1 surely.
  mixdist::GaussianSparsemax one(dvec({0.3}), dvec({2.0}));
  EXPECT_EQ(one.log_prob(dvec({1.0})).item<double>(), 0.0);
  EXPECT_EQ(one.vertex_log_probs().item<double>(), 0.0);
  EXPECT_EQ(one.entropy().item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(one.sample({3}, seeded(1)), torch::ones({3, 1}, torch::kDouble)));

  // K = 2: hand-coded formulas of docs/math.md#the-two-vertex-case (d = z1 - z2), the closed-form path and
  // the general quadrature path.
  const double m1 = 0.4, m2 = -0.3, s1 = 0.7, s2 = 1.1;
  const double md = m1 - m2, sd = std::sqrt(s1 * s1 + s2 * s2);
  mixdist::GaussianSparsemax closed(dvec({m1, m2}), dvec({s1, s2}));
  mixdist::GaussianSparsemax general(dvec({m1, m2}), dvec({s1, s2}),
                                     mixdist::GaussianSparsemaxOptions().closed_form_k2(false));
  auto values = dvec({1, 0, 0, 1, 0.2, 0.8, 0.5, 0.5, 0.93, 0.07}).view({5, 2});
  auto lc = closed.log_prob(values), lg = general.log_prob(values);
  std::vector<double> expected{std::log(Phi((md - 1) / sd)), std::log(Phi((-1 - md) / sd))};
  for (double y1 : {0.2, 0.5, 0.93}) {
    const double t = (2 * y1 - 1 - md) / sd;
    expected.push_back(std::log(2 / sd) - 0.5 * t * t - 0.5 * std::log(2 * M_PI));
  }
  EXPECT_LT(max_abs_diff(lc, dvec(expected)), 1e-13);
  EXPECT_LT(max_abs_diff(lg, dvec(expected)), 1e-10);
  auto fp = closed.face_probability(torch::tensor({{true, false}, {false, true}, {true, true}}));
  EXPECT_NEAR(fp[2].item<double>(), Phi((1 - md) / sd) - Phi((-1 - md) / sd), 1e-14);
  EXPECT_NEAR(fp.sum().item<double>(), 1.0, 1e-14);
  // The Monte Carlo form is exact here too (no sampling for K = 2): standard error 0.
  auto fp_mc = closed.face_probability_mc(torch::tensor({{true, false}, {false, true}, {true, true}}), 10);
  EXPECT_TRUE(torch::equal(fp_mc.value, fp));
  EXPECT_EQ(fp_mc.standard_error.abs().max().item<double>(), 0.0);
}

TEST(GaussianSparsemax, FaceProbabilitiesMatchFrequenciesAndSumToOne) {
  mixdist::GaussianSparsemax d(dvec({0.6, 0.2, 0.2}), dvec({0.6, 0.3, 0.9}));
  auto faces = mixdist::enumerate_faces(3);  // ids 1..7
  const int64_t n = 200000;
  auto est = d.face_probability_mc(faces, n, seeded(2));
  EXPECT_NEAR(est.value.sum().item<double>(), 1.0, 0.01);  // vertices exact, the rest MC
  // Frequencies from an independent sample: every face within 5 standard errors (binomial, <= 1.1e-3).
  auto y = d.sample({n}, seeded(3));
  auto ids = mixdist::face_ids(y > 0);
  auto freq = torch::bincount(ids, {}, 8).slice(0, 1).to(torch::kDouble) / n;
  auto se = (freq * (1 - freq) / n).sqrt();
  EXPECT_TRUE(((freq - est.value).abs() <= 5 * se + 5 * est.standard_error).all().item<bool>())
      << freq << est.value;
  // docs/math.md#reference-values-used-by-the-tests: interior 0.26264 (estimated here with its standard
  // error).
  EXPECT_NEAR(est.value[6].item<double>(), 0.26264, 5 * est.standard_error[6].item<double>());
  EXPECT_GT(est.standard_error[6].item<double>(), 0.0);
  EXPECT_EQ(est.standard_error[0].item<double>(), 0.0);  // vertex {1}: exact
  // The exact method answers for vertices and refuses higher faces, naming the Monte Carlo one.
  EXPECT_EQ(d.face_probability(faces[0]).item<double>(), est.value[0].item<double>());
  expect_error_containing([&] { d.face_probability(faces); }, "use face_probability_mc");
}

TEST(GaussianSparsemax, DensityIntegratesToTheEdgeProbability) {
  // ∫_0^1 p(t, 1 - t, 0) dt over the edge {1, 2} (Lebesgue on the free coordinate t), by composite Simpson
  // with 2000 intervals, against P(edge{1,2}) of docs/math.md#reference-values-used-by-the-tests = 0.28173
  // and the edge's sampling frequency.
  mixdist::GaussianSparsemax d(dvec({0.6, 0.2, 0.2}), dvec({0.6, 0.3, 0.9}));
  const int64_t m = 2000;
  auto t = torch::linspace(0, 1, m + 1, torch::kDouble);
  auto y = torch::stack({t, 1 - t, torch::zeros_like(t)}, -1);
  auto face = torch::tensor({true, true, false}).expand({m + 1, 3});
  auto p = d.log_prob(y, face).exp();
  auto w = torch::ones({m + 1}, torch::kDouble);
  w.slice(0, 1, m, 2).fill_(4);
  w.slice(0, 2, m, 2).fill_(2);
  const double integral = (p * w).sum().item<double>() / (3.0 * m);
  EXPECT_NEAR(integral, 0.28173, 1e-5);
  const int64_t n = 200000;
  auto s = d.sample({n}, seeded(4));
  const double freq =
      ((s > 0) == torch::tensor({true, true, false})).all(-1).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(freq, integral, 5 * std::sqrt(integral * (1 - integral) / n));
}

TEST(GaussianSparsemax, EntropyAndKLByMonteCarloAgainstClosedForms) {
  // K = 2: closed-form entropy vs E[-log p(Y)], and the MC KL vs the clipped-Gaussian closed form.
  mixdist::GaussianSparsemax p(dvec({0.4, -0.3}), dvec({0.7, 1.1}));
  mixdist::GaussianSparsemax q(dvec({-0.2, 0.1}), dvec({0.5, 0.4}));
  const int64_t n = 200000;
  auto h = p.entropy_mc(n, seeded(5));
  EXPECT_NEAR(h.value.item<double>(), p.entropy().item<double>(), 5 * h.standard_error.item<double>());
  EXPECT_LT(h.standard_error.item<double>(), 5e-3);
  auto chart = [](const mixdist::GaussianSparsemax& g) {
    auto l = g.loc(), s = g.scale();
    return mixdist::ClippedGaussian((l[0] - l[1] + 1) / 2, (s[0].square() + s[1].square()).sqrt() / 2);
  };
  const double kl_exact = mixdist::kl_divergence(chart(p), chart(q)).item<double>();
  auto kl = mixdist::kl_divergence_mc(p, q, n, seeded(6));
  EXPECT_NEAR(kl.value.item<double>(), kl_exact, 5 * kl.standard_error.item<double>());
  EXPECT_EQ(mixdist::kl_divergence_mc(p, p, 100, seeded(7)).value.item<double>(), 0.0);
  // K = 3 against any Distribution: a Dirichlet charges only the interior, so a p that almost surely lands
  // inside (loc near the barycentre, small scale) has a finite KL, and one that charges the boundary has not.
  mixdist::Dirichlet dir(dvec({2.0, 2.0, 2.0}));
  mixdist::GaussianSparsemax inside(dvec({0.3, 0.3, 0.4}), dvec({0.02, 0.02, 0.02}));
  auto kl_in = mixdist::kl_divergence_mc(inside, dir, 2000, seeded(8));
  EXPECT_TRUE(std::isfinite(kl_in.value.item<double>()));
  EXPECT_GT(kl_in.value.item<double>(), 0.0);
  mixdist::GaussianSparsemax spread(dvec({0.6, 0.2, 0.2}), dvec({0.6, 0.3, 0.9}));
  EXPECT_FALSE(std::isfinite(mixdist::kl_divergence_mc(spread, dir, 200, seeded(9)).value.item<double>()));
  // K = 3 MC entropy is reproducible and finite; entropy() names the MC alternative.
  auto h3 = spread.entropy_mc(1000, seeded(10));
  EXPECT_EQ(h3.value.item<double>(), spread.entropy_mc(1000, seeded(10)).value.item<double>());
  EXPECT_THROW(spread.entropy(), c10::Error);
}

TEST(GaussianSparsemax, PathwiseAndLogProbGradientsMatchFiniteDifferences) {
  auto loc0 = dvec({0.6, 0.2, 0.2, -0.1});
  auto scale0 = dvec({0.6, 0.3, 0.9, 0.5});
  const auto weights = dvec({1.0, -2.0, 0.5, 3.0});
  // MC objective E[sum_k w_k y_k^2] with common random numbers: the same seed for every evaluation, so the
  // objective is a fixed piecewise-quadratic function of the parameters and its FD is the pathwise gradient.
  auto objective = [&](const torch::Tensor& loc, const torch::Tensor& scale) {
    auto y = mixdist::GaussianSparsemax(loc, scale).rsample({2000}, seeded(11));
    return (y * y * weights).sum(-1).mean();
  };
  auto loc = loc0.clone().requires_grad_(), scale = scale0.clone().requires_grad_();
  auto grads = torch::autograd::grad({objective(loc, scale)}, {loc, scale});
  auto fd_loc = mixdist::testing::finite_difference_grad(
      [&](const torch::Tensor& l) { return objective(l, scale0); }, loc0, 1e-7);
  auto fd_scale = mixdist::testing::finite_difference_grad(
      [&](const torch::Tensor& s) { return objective(loc0, s); }, scale0, 1e-7);
  EXPECT_LT(max_abs_diff(grads[0], fd_loc), 1e-6);
  EXPECT_LT(max_abs_diff(grads[1], fd_scale), 1e-6);
  EXPECT_GT(grads[0].abs().max().item<double>(), 1e-2);

  // Gradient of log_prob at fixed points on three kinds of faces (the quadrature's gradient; the centre of
  // the rule is a constant, so this checks that it does not bias the derivative).
  auto values = dvec({0, 1, 0, 0, 0.5, 0.3, 0.2, 0, 0.1, 0.2, 0.3, 0.4}).view({3, 4});
  auto lp = [&](const torch::Tensor& l, const torch::Tensor& s) {
    return mixdist::GaussianSparsemax(l, s).log_prob(values).sum();
  };
  auto g2 = torch::autograd::grad({lp(loc, scale)}, {loc, scale});
  auto fd2_loc = mixdist::testing::finite_difference_grad(
      [&](const torch::Tensor& l) { return lp(l, scale0); }, loc0, 1e-6);
  auto fd2_scale = mixdist::testing::finite_difference_grad(
      [&](const torch::Tensor& s) { return lp(loc0, s); }, scale0, 1e-6);
  EXPECT_LT(max_abs_diff(g2[0], fd2_loc), 1e-6);
  EXPECT_LT(max_abs_diff(g2[1], fd2_scale), 1e-6);

  // A hard case for the quadrature: zero coordinates 100x sharper than the support, their cut-offs left of
  // the integrand's mode (a vertex, an edge and a triangle point).
  auto hloc0 = dvec({0.0, 0.1, -0.2, -1.5, 0.4}), hscale0 = dvec({3.0, 3.0, 3.0, 0.03, 0.05});
  auto hvalues = dvec({1, 0, 0, 0, 0, 0.4, 0.6, 0, 0, 0, 0.2, 0.3, 0.5, 0, 0}).view({3, 5});
  auto hlp = [&](const torch::Tensor& l, const torch::Tensor& s) {
    return mixdist::GaussianSparsemax(l, s).log_prob(hvalues).sum();
  };
  auto hloc = hloc0.clone().requires_grad_(), hscale = hscale0.clone().requires_grad_();
  auto g3 = torch::autograd::grad({hlp(hloc, hscale)}, {hloc, hscale});
  auto fd3_loc = mixdist::testing::finite_difference_grad(
      [&](const torch::Tensor& l) { return hlp(l, hscale0); }, hloc0, 1e-6);
  auto fd3_scale = mixdist::testing::finite_difference_grad(
      [&](const torch::Tensor& s) { return hlp(hloc0, s); }, hscale0, 1e-6);
  EXPECT_LT(max_abs_diff(g3[0], fd3_loc), 1e-6) << g3[0] << fd3_loc;
  EXPECT_LT(max_abs_diff(g3[1], fd3_scale), 1e-6) << g3[1] << fd3_scale;
  EXPECT_GT(g3[1].abs().max().item<double>(), 0.1);

  // Second derivatives: the fixed rule's ATen graph has them (checked against finite differences of its
  // first derivative); the adaptive rule's gradient is a constant of the backward pass and says so.
  const auto fixed = mixdist::GaussianSparsemaxOptions().adaptive_quadrature(false);
  auto dlp_dloc0 = [&](const torch::Tensor& l) {
    torch::AutoGradMode enable(true);  // finite_difference_grad runs f without gradients
    auto lv = l.detach().clone().requires_grad_();
    auto out = mixdist::GaussianSparsemax(lv, scale0, fixed).log_prob(values).sum();
    return torch::autograd::grad({out}, {lv})[0][0];
  };
  auto lv = loc0.clone().requires_grad_();
  auto first = torch::autograd::grad({mixdist::GaussianSparsemax(lv, scale0, fixed).log_prob(values).sum()},
                                     {lv}, {}, true, true)[0];
  auto second = torch::autograd::grad({first[0]}, {lv})[0];
  auto fd_second = mixdist::testing::finite_difference_grad(dlp_dloc0, loc0, 1e-5);
  EXPECT_LT(max_abs_diff(second, fd_second), 1e-5) << second << fd_second;
  auto la = loc0.clone().requires_grad_();
  auto lp_adaptive = mixdist::GaussianSparsemax(la, scale0).log_prob(values).sum();
  mixdist::testing::expect_error_containing(
      [&] { torch::autograd::grad({lp_adaptive}, {la}, {}, true, true); }, "adaptive_quadrature(false)");
}

// The VAE's Monte Carlo KL differentiates log q(z') through the sample z' as well as through the parameters.
// The adaptive rule's gradient (a custom backward) must match the fixed rule's (plain ATen autograd) on that
// whole path, in float and at the tolerance the VAE uses, at K = 10: from near the barycentre (samples on
// 2-3 vertices) to the collapsed regime of a Gaussian-Sparsemax VAE (loc spread 20, scales down to 1e-3:
// almost every sample a vertex, gradients from 1e-4 to 1e4).
TEST(GaussianSparsemax, AdaptiveAndFixedRulesGiveTheSameSampleGradients) {
  for (const double spread : {1.0, 5.0, 20.0}) {
    for (const double scale_level : {1e-3, 0.05, 0.5}) {
      SCOPED_TRACE(testing::Message() << "loc spread " << spread << ", scale " << scale_level);
      const auto loc0 = (spread * torch::randn({64, 10}, seeded(21))).to(torch::kFloat);
      const auto scale0 = (scale_level * (0.5 + torch::rand({64, 10}, seeded(22)))).to(torch::kFloat);
      auto grads = [&](bool adaptive) {
        auto loc = loc0.clone().requires_grad_(), scale = scale0.clone().requires_grad_();
        const auto options =
            mixdist::GaussianSparsemaxOptions().adaptive_quadrature(adaptive).quadrature_tolerance(1e-6);
        const mixdist::GaussianSparsemax q(loc, scale, options);
        const auto z = q.rsample({4}, seeded(23));
        auto g = torch::autograd::grad({q.log_prob(z).sum()}, {loc, scale});
        return std::make_pair(g[0], g[1]);
      };
      const auto [loc_a, scale_a] = grads(true);
      const auto [loc_f, scale_f] = grads(false);
      const double loc_max = loc_f.abs().max().item<double>(), scale_max = scale_f.abs().max().item<double>();
      EXPECT_GT(scale_max, 1.0);
      EXPECT_LT(max_abs_diff(loc_a, loc_f), 1e-5 * (1.0 + loc_max));
      EXPECT_LT(max_abs_diff(scale_a, scale_f), 1e-5 * (1.0 + scale_max));
    }
  }
}

TEST(GaussianSparsemax, ExtremeParametersStayFinite) {
  for (double sc : {1e-3, 1.0, 1e3}) {
    for (auto dtype : {torch::kFloat, torch::kDouble}) {
      auto loc = torch::tensor({{100.0, -100.0, 0.0}, {-100.0, -100.0, 100.0}, {0.0, 0.0, 0.0}}, dtype)
                     .requires_grad_();
      auto scale = torch::full({3, 3}, sc, dtype).requires_grad_();
      mixdist::GaussianSparsemax d(loc, scale);
      auto y = d.rsample({50}, seeded(12));
      ASSERT_TRUE(y.isfinite().all().item<bool>()) << sc;
      auto lp = d.log_prob(y);
      ASSERT_TRUE(lp.isfinite().all().item<bool>()) << sc << " " << dtype;
      auto g = torch::autograd::grad({lp.sum() + y.sum()}, {loc, scale});
      EXPECT_TRUE(g[0].isfinite().all().item<bool>() && g[1].isfinite().all().item<bool>()) << sc;
      auto v = d.vertex_log_probs();
      EXPECT_TRUE((v <= 1e-6).all().item<bool>() && !v.isnan().any().item<bool>()) << sc;
    }
    mixdist::GaussianSparsemax k2(dvec({100.0, -100.0}), dvec({sc, sc}));
    EXPECT_TRUE(k2.entropy().isfinite().item<bool>()) << sc;
  }
  // A vertex 200 standard deviations away: log P(e_2) is about -2e4, finite, close to the reference.
  EXPECT_NEAR(gsp_log_prob({0, -10, 0}, {0.05, 0.05, 0.05}, {0, 1, 0}) /
                  reference_log_prob({0, -10, 0}, {0.05, 0.05, 0.05}, {0, 1, 0}),
              1.0, 1e-9);
  // K = 1000: sampling and log_prob of the samples.
  mixdist::GaussianSparsemax big(torch::randn({2, 1000}, seeded(13), torch::kDouble),
                                 torch::ones({2, 1000}, torch::kDouble));
  EXPECT_TRUE(big.log_prob(big.sample({4}, seeded(14))).isfinite().all().item<bool>());
}

TEST(GaussianSparsemax, BadShapesAndOutOfSupportValuesGiveNamedErrors) {
  expect_error_containing([] { mixdist::GaussianSparsemax(torch::zeros({3}), torch::ones({4})); },
                          "do not broadcast");
  expect_error_containing([] { mixdist::GaussianSparsemax(torch::zeros({}), torch::ones({})); },
                          "loc needs at least 1");
  expect_error_containing(
      [] {
        mixdist::GaussianSparsemax(torch::zeros({3}), torch::tensor({1.0f, 0.0f, 1.0f}));
      },
      "scale must be positive");
  expect_error_containing(
      [] {
        mixdist::GaussianSparsemax(torch::tensor({0.0f, NAN}), torch::ones({2}));
      },
      "loc must be finite");
  expect_error_containing(
      [] {
        mixdist::GaussianSparsemax(torch::zeros({3}), torch::ones({3}),
                                   mixdist::GaussianSparsemaxOptions().quadrature_nodes(0));
      },
      "quadrature_nodes");
  expect_error_containing(
      [] {
        mixdist::GaussianSparsemax(torch::zeros({3}), torch::ones({3}),
                                   mixdist::GaussianSparsemaxOptions().quadrature_tolerance(0.5));
      },
      "quadrature_tolerance must be in (0, 1e-2], got 0.5");
  mixdist::GaussianSparsemax d(torch::zeros({3}), torch::ones({3}));
  expect_error_containing([&] { d.log_prob(torch::tensor({0.5f, 0.5f})); }, "event shape");
  expect_error_containing(
      [&] {
        d.log_prob(torch::tensor({1.2f, -0.2f, 0.0f}));
      },
      "entries >= 0 summing to 1), got [1.2, -0.2, 0]");
  expect_error_containing([&] { d.log_prob(torch::tensor({0.5f, 0.2f, 0.0f})); }, "got [0.5, 0.2, 0]");
  expect_error_containing(
      [&] {
        d.log_prob(torch::tensor({0.5f, 0.5f, 0.0f}), torch::tensor({true, false, false}));
      },
      "value must be 0 outside the given face, got 0.5 at index [1]");
  expect_error_containing(
      [&] {
        d.log_prob(torch::tensor({1.0f, 0.0f, 0.0f}), torch::tensor({false, false, false}));
      },
      "at least one 1 per row), got [0, 0, 0]");
  expect_error_containing([&] { d.face_probability(torch::tensor({true, false})); }, "face must be a mask");
  expect_error_containing([&] { d.entropy(); }, "use entropy_mc(num_samples, generator)");
  expect_error_containing([&] { d.entropy_bits(16); }, "entropy_bits_mc");
  // Parameters: the offending value and its index.
  expect_error_containing(
      [&] {
        mixdist::GaussianSparsemax(torch::zeros({2, 3}), torch::tensor({{1.f, 1.f, 1.f}, {1.f, 0.f, 1.f}}));
      },
      "GaussianSparsemax: scale must be positive and finite, got 0 at index [1, 1]");
  // A carried face may hold zeros inside it (an underflowed coordinate): fine, and equal to the limit.
  auto inside = d.log_prob(torch::tensor({0.5, 0.5, 0.0}, torch::kDouble), torch::tensor({true, true, true}));
  auto limit = d.log_prob(torch::tensor({0.5, 0.5 - 1e-9, 1e-9}, torch::kDouble));
  EXPECT_NEAR(inside.item<double>(), limit.item<double>(), 1e-6);
}

TEST(GaussianSparsemax, ShapesExpandAndGenerators) {
  auto loc = torch::randn({4, 1, 5}, seeded(15), torch::kDouble);
  mixdist::GaussianSparsemax d(loc, torch::ones({3, 5}, torch::kDouble));
  EXPECT_EQ(d.batch_shape(), torch::IntArrayRef({4, 3}));
  EXPECT_EQ(d.event_shape(), torch::IntArrayRef({5}));
  auto y = d.sample({2}, seeded(16));
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 4, 3, 5}));
  EXPECT_TRUE(torch::equal(y, d.sample({2}, seeded(16))));
  EXPECT_LT((y.sum(-1) - 1).abs().max().item<double>(), 1e-12);
  EXPECT_EQ(d.log_prob(y).sizes(), torch::IntArrayRef({2, 4, 3}));
  EXPECT_EQ(d.vertex_log_probs().sizes(), torch::IntArrayRef({4, 3, 5}));
  auto e = mixdist::GaussianSparsemax(torch::zeros({1, 3}), torch::ones({1, 3})).expand({6, 3});
  EXPECT_EQ(e.batch_shape(), torch::IntArrayRef({6, 3}));
  EXPECT_EQ(e.sample().sizes(), torch::IntArrayRef({6, 3, 3}));
}
}  // namespace
