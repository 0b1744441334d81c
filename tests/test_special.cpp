// special/: log_ndtr, log1mexp and the Gibbs face normaliser, Gauss–Hermite rules, the Poisson-binomial DP.
// References are computed here in long double from independent formulas (erfc, continued fractions, Taylor
// series, enumeration, closed forms), never from the code under test.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>
#include <mixdist/special/gauss_hermite.h>
#include <mixdist/special/lgamma_digamma.h>
#include <mixdist/special/log1mexp.h>
#include <mixdist/special/log_ndtr.h>
#include <mixdist/special/poisson_binomial.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using mixdist::testing::error_message;

using mixdist::testing::finite_difference_grad;
using mixdist::testing::max_abs_diff;
namespace sp = mixdist::special;

const long double kPi = 3.141592653589793238462643383279502884L;

// phi(x)/Phi(x) for x <= -30 by Laplace's continued fraction of the Mills ratio:
// Phi(x)/phi(x) = 1/(t + 1/(t + 2/(t + 3/(t + ...)))), t = -x.
long double mills_continued_fraction(long double x) {
  const long double t = -x;
  long double d = t;
  for (int k = 400; k >= 1; --k) d = t + k / d;
  return d;
}

long double ref_log_ndtr(long double x, bool force_erfc = false) {
  if (x >= 0) return std::log1p(-std::erfc(x / std::sqrt(2.0L)) / 2);
  if (x > -30 || force_erfc) return std::log(std::erfc(-x / std::sqrt(2.0L)) / 2);
  return -x * x / 2 - 0.5L * std::log(2 * kPi) - std::log(mills_continued_fraction(x));
}

long double ref_log_ndtr_grad(long double x) {
  if (x > -30) return std::exp(-x * x / 2) / std::sqrt(2 * kPi) / (std::erfc(-x / std::sqrt(2.0L)) / 2);
  return mills_continued_fraction(x);
}

// Relative error, with an absolute floor for values that underflow in the tested dtype.
double rel_err(double got, long double want, double floor) {
  return static_cast<double>(std::fabs(got - want) /
                             std::max(std::fabs(want), static_cast<long double>(floor)));
}

// ---------------------------------------------------------------- log_ndtr

TEST(LogNdtr, ReferenceBranchesAgree) {
  // The test's own reference switches formulas at -30; both must agree where both are valid.
  for (long double x : {-30.0L, -45.0L, -60.0L, -100.0L}) {
    const long double a = ref_log_ndtr(x, /*force_erfc=*/true), b = ref_log_ndtr(x);
    EXPECT_LT(std::fabs((a - b) / b), 1e-17L) << static_cast<double>(x);
  }
}

TEST(LogNdtr, ValueAndGradientMatchLongDoubleReference) {
  const std::vector<double> xs = {-1e6, -1e4, -2000, -1000, -100, -40, -38, -20, -10, -5, -1.5, -1,
                                  -0.5, 0,    0.3,   1,     2,    5,   8,   10,  12,  20, 30,   37};
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    const bool is_float = dtype == torch::kFloat;
    const double tol = is_float ? 2e-7 : 1e-13;
    const double floor = is_float ? 1e-37 : 1e-300;
    for (double x0 : xs) {
      if (is_float && x0 > 12) continue;  // Phi(-x) is denormal or 0 in float beyond about 13
      auto x = torch::full({1}, x0, torch::TensorOptions().dtype(dtype).requires_grad(true));
      auto y = sp::log_ndtr(x);
      ASSERT_EQ(y.scalar_type(), dtype);
      y.sum().backward();
      const long double xv = x.item<double>();
      // The value's condition number is about x^2 for x > 0, where log Phi(x) ~ -Phi(-x) ~ e^{-x^2/2}.
      const double value_tol = tol * std::max(1.0, is_float ? 1.0 : 0.01 * x0 * x0);
      EXPECT_LT(rel_err(y.item<double>(), ref_log_ndtr(xv), floor), value_tol) << "value, x = " << x0;
      EXPECT_LT(rel_err(x.grad().item<double>(), ref_log_ndtr_grad(xv), floor), 10 * tol)
          << "gradient, x = " << x0 << (is_float ? " (float)" : " (double)");
    }
  }
}

TEST(LogNdtr, GradientMatchesFiniteDifferences) {
  auto x = torch::tensor({-35.0, -12.0, -3.0, -0.7, 0.0, 0.4, 2.5, 6.0}, torch::kDouble).requires_grad_(true);
  sp::log_ndtr(x).sum().backward();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double xi = x[i].item<double>(), h = 1e-5 * std::max(1.0, std::fabs(xi));
    const double fd = static_cast<double>((ref_log_ndtr(xi + h) - ref_log_ndtr(xi - h)) / (2 * h));
    EXPECT_NEAR(x.grad()[i].item<double>(), fd, 1e-8 * std::max(1.0, std::fabs(fd))) << xi;
  }
  // The same against the library's own forward, as a check of forward/backward consistency. The values reach
  // -617 at x = -35, so the rounding error of the differences is about 1e-13 * 617 / h.
  auto f = [](const torch::Tensor& v) { return sp::log_ndtr(v).sum(); };
  EXPECT_LT(max_abs_diff(x.grad(), finite_difference_grad(f, x.detach(), 1e-5)), 1e-6);
}

TEST(LogNdtr, SecondDerivativeMatchesFiniteDifferencesOfGradient) {
  for (double x0 : {-50.0, -3.0, 0.5, 4.0}) {
    auto x = torch::full({1}, x0, torch::kDouble).requires_grad_(true);
    auto g = torch::autograd::grad({sp::log_ndtr(x).sum()}, {x}, {}, true, true)[0];
    auto gg = torch::autograd::grad({g.sum()}, {x})[0].item<double>();
    const double h = 1e-5 * std::max(1.0, std::fabs(x0));
    const double fd = static_cast<double>((ref_log_ndtr_grad(x0 + h) - ref_log_ndtr_grad(x0 - h)) / (2 * h));
    EXPECT_NEAR(gg, fd, 1e-6 * std::max(1.0, std::fabs(fd))) << x0;
  }
}

TEST(LogNdtr, GradientIsNeverNaN) {
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    const double big = dtype == torch::kFloat ? 1e30 : 1e300;
    auto x = torch::tensor({-big, -1e10, -1e3, -0.0, 0.0, 1e3, 1e10, big}, torch::kDouble)
                 .to(dtype)
                 .requires_grad_(true);
    sp::log_ndtr(x).sum().backward();
    EXPECT_TRUE(torch::isfinite(x.grad()).all().item<bool>()) << x.grad();
    EXPECT_GE(x.grad().min().item<double>(), 0.0);
    // d/dx log Phi(x) -> -x as x -> -inf.
    EXPECT_NEAR(x.grad()[1].item<double>(), 1e10, 1e10 * 1e-6);

    auto inf = torch::tensor({-INFINITY, INFINITY}, dtype).requires_grad_(true);
    auto y = sp::log_ndtr(inf);
    EXPECT_EQ(y[0].item<double>(), -INFINITY);
    EXPECT_EQ(y[1].item<double>(), 0.0);
    y.sum().backward();
    EXPECT_EQ(inf.grad()[0].item<double>(), INFINITY);
    EXPECT_EQ(inf.grad()[1].item<double>(), 0.0);
  }
}

TEST(LogNdtr, AnyShapeNonContiguousAndLowPrecision) {
  torch::manual_seed(3);
  auto x = (10 * torch::randn({3, 4, 5}, torch::kDouble)).transpose(0, 2);
  ASSERT_FALSE(x.is_contiguous());
  auto y = sp::log_ndtr(x);
  ASSERT_EQ(y.sizes(), x.sizes());
  auto xf = x.reshape({-1});
  auto yf = y.reshape({-1});
  for (int64_t i = 0; i < xf.numel(); ++i)
    EXPECT_LT(rel_err(yf[i].item<double>(), ref_log_ndtr(xf[i].item<double>()), 1e-300), 1e-12);
  auto yh = sp::log_ndtr(x.to(torch::kHalf));
  EXPECT_EQ(yh.scalar_type(), torch::kHalf);
  EXPECT_TRUE(torch::allclose(yh.to(torch::kDouble), sp::log_ndtr(x.to(torch::kHalf).to(torch::kDouble)),
                              1e-3, 1e-6));
  EXPECT_NE(error_message([] { sp::log_ndtr(torch::tensor({1, 2})); }).find("log_ndtr"), std::string::npos);
}

// ---------------------------------------------------------------- log1mexp

// log(1 - e^{-x}) in long double; 1 - e^{-x} by its Taylor series for small x (no cancellation).
long double ref_log1mexp(long double x) {
  if (x < 0.1L) {
    long double term = x, sum = 0;
    for (int k = 1; k < 40; ++k) {
      sum += term;
      term *= -x / (k + 1);
    }
    return std::log(sum);
  }
  return std::log1p(-std::exp(-x));
}

TEST(Log1mexp, MatchesLongDoubleReference) {
  const double ln2 = std::log(2.0);
  const std::vector<double> xs = {1e-300, 1e-20, 1e-8, 1e-3, 0.09, 0.11, 0.5, std::nextafter(ln2, 0.0),
                                  ln2,    0.7,   1.0,  5.0,  20.0, 40.0, 700, 1e4};
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    const bool is_float = dtype == torch::kFloat;
    auto x = torch::tensor(xs, torch::kDouble).to(dtype);
    auto y = sp::log1mexp(x);
    ASSERT_EQ(y.scalar_type(), dtype);
    for (int64_t i = 0; i < x.numel(); ++i) {
      const long double xi = x[i].item<double>();
      if (is_float && xi == 0) continue;  // 1e-300 rounds to 0 in float; covered below
      EXPECT_LT(rel_err(y[i].item<double>(), ref_log1mexp(xi), is_float ? 1e-37 : 1e-300),
                is_float ? 2.4e-7 : 4.5e-16)
          << static_cast<double>(xi);
    }
  }
}

TEST(Log1mexp, GradientIsOneOverExpm1AndFinite) {
  const double ln2 = std::log(2.0);
  auto x = torch::tensor({1e-8, 1e-3, 0.5, ln2 - 1e-9, ln2, ln2 + 1e-9, 1.0, 5.0, 40.0, 1e4}, torch::kDouble)
               .requires_grad_(true);
  sp::log1mexp(x).sum().backward();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const long double xi = x[i].item<double>();
    const long double want = 1.0L / std::expm1(xi);
    EXPECT_LT(rel_err(x.grad()[i].item<double>(), want, 1e-300), 1e-14) << static_cast<double>(xi);
  }
  auto zero = torch::zeros({1}, torch::kDouble).requires_grad_(true);
  auto y = sp::log1mexp(zero);
  EXPECT_EQ(y.item<double>(), -INFINITY);
  y.sum().backward();
  EXPECT_EQ(zero.grad().item<double>(), INFINITY);
  auto inf = torch::full({1}, INFINITY, torch::kDouble).requires_grad_(true);
  auto yi = sp::log1mexp(inf);
  EXPECT_EQ(yi.item<double>(), 0.0);
  yi.sum().backward();
  EXPECT_EQ(inf.grad().item<double>(), 0.0);
}

TEST(Log1mexp, NegativeInputIsAnErrorNamingTheValue) {
  const std::string msg = error_message([] {
    sp::log1mexp(torch::tensor({0.5, -0.25, 1.0}, torch::kDouble));
  });
  EXPECT_NE(msg.find("log1mexp"), std::string::npos) << msg;
  EXPECT_NE(msg.find("-0.25"), std::string::npos) << msg;
  EXPECT_NO_THROW(sp::log1mexp(torch::tensor({NAN}, torch::kDouble)));
}

// log Z of the non-empty bit-vector law by enumerating the 2^K - 1 faces in long double: a sum of positive
// terms, so no cancellation. Also the marginals P(f_k = 1).
long double ref_log_normalizer(const std::vector<double>& w, std::vector<long double>* marginals = nullptr) {
  const size_t K = w.size();
  std::vector<long double> terms;
  long double z = 0;
  std::vector<long double> m(K, 0);
  for (uint64_t id = 1; id < (uint64_t{1} << K); ++id) {
    long double s = 0;
    for (size_t k = 0; k < K; ++k) s += ((id >> k) & 1) ? w[k] : -w[k];
    const long double t = std::exp(s);
    z += t;
    for (size_t k = 0; k < K; ++k)
      if ((id >> k) & 1) m[k] += t;
  }
  if (marginals) {
    marginals->resize(K);
    for (size_t k = 0; k < K; ++k) (*marginals)[k] = m[k] / z;
  }
  return std::log(z);
}

TEST(Log1mexp, NonEmptyBitVectorNormalizerMatchesEnumeration) {
  torch::manual_seed(4);
  for (int64_t K : {1, 2, 3, 5, 8, 10}) {
    auto w = (2 * torch::randn({K}, torch::kDouble)).requires_grad_(true);
    std::vector<double> wv(w.data_ptr<double>(), w.data_ptr<double>() + K);
    std::vector<long double> marginals;
    const long double want = ref_log_normalizer(wv, &marginals);
    auto got = sp::log_nonempty_bitvector_normalizer(w);
    EXPECT_LT(rel_err(got.item<double>(), want, 1.0), 1e-14) << "K = " << K;
    // d log Z / d w_k = E[2 f_k - 1].
    got.backward();
    for (int64_t k = 0; k < K; ++k)
      EXPECT_NEAR(w.grad()[k].item<double>(), static_cast<double>(2 * marginals[k] - 1), 1e-13);
  }
  // docs/math.md#reference-values-used-by-the-tests.
  auto w = torch::tensor({0.3, -1.2, 2.0, -0.5}, torch::kDouble);
  EXPECT_NEAR(sp::log_nonempty_bitvector_normalizer(w).item<double>(), 4.851454835324269, 1e-13);
}

TEST(Log1mexp, NonEmptyBitVectorNormalizerDoesNotCancelInFloat) {
  // All scores at the clamp -10: the non-empty mass is ~10 e^{-20}, far below float's resolution of 1.
  for (double score : {-10.0, -30.0, 3.0}) {
    std::vector<double> wv(10, score);
    const long double want = ref_log_normalizer(wv);
    auto got = sp::log_nonempty_bitvector_normalizer(torch::tensor(wv, torch::kDouble).to(torch::kFloat));
    EXPECT_LT(rel_err(got.item<double>(), want, 1.0), 1e-6) << score;
  }
}

TEST(Log1mexp, NonEmptyBitVectorNormalizerBatchAndDim) {
  torch::manual_seed(5);
  auto w = torch::randn({4, 6}, torch::kDouble);
  auto along_last = sp::log_nonempty_bitvector_normalizer(w);
  auto along_first = sp::log_nonempty_bitvector_normalizer(w.t().contiguous(), 0);
  ASSERT_EQ(along_last.sizes(), torch::IntArrayRef({4}));
  EXPECT_LT(max_abs_diff(along_last, along_first), 1e-14);
  for (int64_t r = 0; r < 4; ++r) {
    std::vector<double> wv(6);
    for (int64_t k = 0; k < 6; ++k) wv[k] = w[r][k].item<double>();
    EXPECT_LT(rel_err(along_last[r].item<double>(), ref_log_normalizer(wv), 1.0), 1e-14);
  }
  auto f = [](const torch::Tensor& v) { return sp::log_nonempty_bitvector_normalizer(v).sum(); };
  auto x = w.clone().requires_grad_(true);
  f(x).backward();
  EXPECT_LT(max_abs_diff(x.grad(), finite_difference_grad(f, w)), 1e-8);
}

// ---------------------------------------------------------------- Gauss–Hermite

TEST(GaussHermite, SmallRulesMatchClosedForms) {
  const double sqrt_pi = std::sqrt(M_PI);
  struct Case {
    std::vector<double> nodes, weights;
  };
  const double s6 = std::sqrt(6.0);
  const std::vector<Case> cases = {
      {{0.0}, {sqrt_pi}},
      {{-std::sqrt(0.5), std::sqrt(0.5)}, {sqrt_pi / 2, sqrt_pi / 2}},
      {{-std::sqrt(1.5), 0.0, std::sqrt(1.5)}, {sqrt_pi / 6, 2 * sqrt_pi / 3, sqrt_pi / 6}},
      {{-std::sqrt((3 + s6) / 2), -std::sqrt((3 - s6) / 2), std::sqrt((3 - s6) / 2), std::sqrt((3 + s6) / 2)},
       {sqrt_pi / (4 * (3 + s6)), sqrt_pi / (4 * (3 - s6)), sqrt_pi / (4 * (3 - s6)),
        sqrt_pi / (4 * (3 + s6))}},
  };
  for (size_t c = 0; c < cases.size(); ++c) {
    auto rule = sp::gauss_hermite(static_cast<int64_t>(c + 1));
    EXPECT_LT(max_abs_diff(rule.nodes, torch::tensor(cases[c].nodes, torch::kDouble)), 1e-15)
        << "n = " << c + 1;
    EXPECT_LT(max_abs_diff(rule.weights, torch::tensor(cases[c].weights, torch::kDouble)), 1e-15)
        << "n = " << c + 1;
    EXPECT_LT(max_abs_diff(rule.log_weights, torch::tensor(cases[c].weights, torch::kDouble).log()), 1e-14);
  }
}

TEST(GaussHermite, ExactOnPolynomialsUpToDegreeTwoNMinusOne) {
  for (int64_t n : {1, 2, 3, 5, 8, 12, 20}) {
    auto rule = sp::gauss_hermite(n);
    for (int64_t k = 0; k <= 2 * n; ++k) {
      // ∫ t^k e^{-t^2} dt = Gamma((k+1)/2) for even k, 0 for odd k.
      const long double exact = (k % 2) ? 0.0L : std::tgamma((k + 1) / 2.0L);
      const double got = (rule.weights * rule.nodes.pow(k)).sum().item<double>();
      const double scale = (rule.weights * rule.nodes.abs().pow(k)).sum().item<double>();
      if (k <= 2 * n - 1) {
        EXPECT_LE(std::fabs(got - exact), 1e-13 * scale) << "n = " << n << ", degree " << k;
      } else {
        // Degree 2n is the first one the rule cannot integrate: this shows the check above can fail.
        EXPECT_GT(std::fabs(got - exact), 1e-6 * scale) << "n = " << n << ", degree " << k;
      }
    }
  }
}

TEST(GaussHermite, WeightsMatchHermiteFormulaAndSumToSqrtPi) {
  for (int64_t n : {5, 10, 20, 30}) {
    auto rule = sp::gauss_hermite(n);
    for (int64_t i = 0; i < n; ++i) {
      // Physicists' Hermite polynomials H_k by H_{k+1} = 2t H_k - 2k H_{k-1};
      // w_i = 2^{n-1} n! sqrt(pi) / (n^2 H_{n-1}(t_i)^2), and H_n(t_i) = 0.
      const long double t = rule.nodes[i].item<double>();
      long double h_prev = 1, h = 2 * t;
      for (int64_t k = 1; k < n - 1; ++k) {
        const long double next = 2 * t * h - 2 * k * h_prev;
        h_prev = h;
        h = next;
      }
      const long double h_nm1 = (n == 1) ? 1 : h;
      const long double h_n = 2 * t * h_nm1 - 2 * (n - 1) * ((n == 1) ? 0 : h_prev);
      const long double w = std::pow(2.0L, n - 1) * std::tgamma(static_cast<long double>(n + 1)) *
                            std::sqrt(kPi) / (n * n * h_nm1 * h_nm1);
      EXPECT_LT(rel_err(rule.weights[i].item<double>(), w, 1e-300), 1e-13) << "n = " << n << ", i = " << i;
      // |H_n(t_i)| relative to the size of its terms.
      EXPECT_LT(std::fabs(h_n), 1e-13 * std::fabs(2 * t * h_nm1) + 1e-13) << "n = " << n << ", i = " << i;
    }
  }
  for (int64_t n : {1, 2, 7, 50, 100}) {
    EXPECT_NEAR(sp::gauss_hermite(n).weights.sum().item<double>(), std::sqrt(M_PI), 1e-14) << n;
  }
}

TEST(GaussHermite, LargeRulesKeepLogWeightsWhereWeightsUnderflow) {
  auto rule = sp::gauss_hermite(1000);
  EXPECT_TRUE(torch::isfinite(rule.log_weights).all().item<bool>());
  EXPECT_EQ(rule.weights.min().item<double>(), 0.0);  // e^{-t^2} at t ~ 44 underflows in double
  EXPECT_NEAR(torch::logsumexp(rule.log_weights, 0).item<double>(), 0.5 * std::log(M_PI), 1e-13);
  EXPECT_TRUE(torch::equal(rule.nodes, -rule.nodes.flip(0)));
  EXPECT_TRUE((rule.nodes.diff() > 0).all().item<bool>());
  // Second moment: ∫ t^2 e^{-t^2} = sqrt(pi)/2, summed in log space.
  auto log_m2 = torch::logsumexp(rule.log_weights + 2 * rule.nodes.abs().clamp_min(1e-300).log(), 0);
  EXPECT_NEAR(log_m2.item<double>(), std::log(std::sqrt(M_PI) / 2), 1e-12);
}

TEST(GaussHermite, CachedRulesAreFreshCopiesAndDtypesAgree) {
  auto a = sp::gauss_hermite(9);
  auto expected = a.nodes.clone();
  a.nodes.mul_(0);
  EXPECT_TRUE(torch::equal(sp::gauss_hermite(9).nodes, expected));
  auto f = sp::gauss_hermite(9, torch::kFloat);
  EXPECT_EQ(f.nodes.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::equal(f.weights, sp::gauss_hermite(9).weights.to(torch::kFloat)));
  EXPECT_NE(error_message([] { sp::gauss_hermite(0); }).find("n = 0"), std::string::npos);
  EXPECT_NE(error_message([] { sp::gauss_hermite(5000); }).find("n = 5000"), std::string::npos);
  EXPECT_THROW(sp::gauss_hermite(4, torch::kLong), c10::Error);
}

TEST(GaussHermite, GaussianExpectationsOfKnownFunctions) {
  auto mean = torch::tensor({-1.0, 0.0, 2.5}, torch::kDouble).requires_grad_(true);
  auto variance = torch::tensor({0.5, 1.0, 3.0}, torch::kDouble);
  // E[tau^2] = m^2 + c, exact with 2 nodes.
  auto m2 = sp::gaussian_expectation([](const torch::Tensor& t) { return t * t; }, mean, variance, 2);
  EXPECT_LT(max_abs_diff(m2, mean.detach().pow(2) + variance), 1e-14);
  m2.sum().backward();
  EXPECT_LT(max_abs_diff(mean.grad(), 2 * mean.detach()), 1e-14);
  // E[exp(tau)] = exp(m + c/2).
  auto mgf =
      sp::gaussian_expectation([](const torch::Tensor& t) { return t.exp(); }, mean.detach(), variance, 30);
  EXPECT_LT(((mgf - (mean.detach() + variance / 2).exp()).abs() / mgf).max().item<double>(), 1e-12);
  // Broadcasting: a [2, 1] mean against a [3] variance gives [2, 3].
  auto b = sp::gaussian_expectation([](const torch::Tensor& t) { return t; },
                                    torch::zeros({2, 1}, torch::kDouble), variance, 3);
  EXPECT_EQ(b.sizes(), torch::IntArrayRef({2, 3}));
}

TEST(GaussHermite, LogExpectationOfNormalCdf) {
  // E_{tau ~ N(m, c)}[Phi(tau)] = Phi(m / sqrt(1 + c)); in log space even where it is astronomically small.
  // The integrand moves the mass to m/(1+c), |m|/(1+c)/sqrt(c) standard deviations from the centre of the
  // nodes, so far-out means need more nodes: at m = -30, c = 1 (15 sd) 64 nodes give only 1e-3.
  for (double m : {-30.0, -10.0, -2.0, 0.0, 3.0}) {
    const int64_t n = m < -20 ? 256 : 64;
    for (double c : {0.25, 1.0, 2.0}) {
      auto got =
          sp::gaussian_log_expectation([](const torch::Tensor& t) { return sp::log_ndtr(t); },
                                       torch::tensor(m, torch::kDouble), torch::tensor(c, torch::kDouble), n);
      const long double want = ref_log_ndtr(m / std::sqrt(1.0L + c));
      EXPECT_LT(rel_err(got.item<double>(), want, 1e-3), 1e-6)
          << "m = " << m << ", c = " << c << ", n = " << n;
    }
  }
}

// ---------------------------------------------------------------- Poisson binomial

// P(count = n) by enumerating all 2^K outcomes in long double.
std::vector<long double> brute_force_pmf(const std::vector<double>& logits) {
  const size_t K = logits.size();
  std::vector<long double> pmf(K + 1, 0);
  for (uint64_t s = 0; s < (uint64_t{1} << K); ++s) {
    long double p = 1;
    int n = 0;
    for (size_t k = 0; k < K; ++k) {
      // Both probabilities from their own logistic form: 1 - p would cancel for large logits.
      const long double l = logits[k];
      if ((s >> k) & 1) {
        p *= 1 / (1 + std::exp(-l));
        ++n;
      } else {
        p *= 1 / (1 + std::exp(l));
      }
    }
    pmf[n] += p;
  }
  return pmf;
}

TEST(PoissonBinomial, MatchesEnumeration) {
  torch::manual_seed(6);
  for (int64_t K : {1, 2, 3, 5, 8, 12}) {
    auto logits = 3 * torch::randn({K}, torch::kDouble);
    if (K >= 3) logits[0] = 20.0, logits[1] = -20.0;  // near-certain outcomes: tiny tail probabilities
    std::vector<double> lv(logits.data_ptr<double>(), logits.data_ptr<double>() + K);
    const auto pmf = brute_force_pmf(lv);
    auto got = sp::poisson_binomial_log_pmf(logits);
    ASSERT_EQ(got.sizes(), torch::IntArrayRef({K + 1}));
    for (int64_t n = 0; n <= K; ++n) {
      if (pmf[n] < 1e-250L) continue;
      EXPECT_LT(std::fabs(got[n].item<double>() - std::log(pmf[n])), 1e-12) << "K = " << K << ", n = " << n;
    }
  }
}

TEST(PoissonBinomial, EqualLogitsGiveBinomial) {
  const int64_t K = 40;
  for (double logit : {-3.0, 0.0, 0.7, 12.0}) {
    auto got = sp::poisson_binomial_log_pmf(torch::full({K}, logit, torch::kDouble));
    const long double log_p = -std::log1p(std::exp(-static_cast<long double>(logit)));
    const long double log_q = -std::log1p(std::exp(static_cast<long double>(logit)));
    for (int64_t n = 0; n <= K; ++n) {
      const long double want = std::lgamma(K + 1.0L) - std::lgamma(n + 1.0L) - std::lgamma(K - n + 1.0L) +
                               n * log_p + (K - n) * log_q;
      EXPECT_LT(rel_err(got[n].item<double>(), want, 1.0), 1e-12) << "logit = " << logit << ", n = " << n;
    }
  }
}

TEST(PoissonBinomial, NormalisedBatchedAndDifferentiable) {
  torch::manual_seed(7);
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    auto logits = (4 * torch::randn({128}, torch::kDouble)).to(dtype);
    auto lp = sp::poisson_binomial_log_pmf(logits);
    EXPECT_NEAR(torch::logsumexp(lp, 0).item<double>(), 0.0, dtype == torch::kFloat ? 1e-5 : 1e-13);
    // Mean count = sum of success probabilities.
    EXPECT_NEAR((lp.exp() * torch::arange(129, lp.options())).sum().item<double>(),
                torch::sigmoid(logits).sum().item<double>(), dtype == torch::kFloat ? 1e-3 : 1e-10);
  }
  auto batch = torch::randn({2, 3, 7}, torch::kDouble);
  auto lp = sp::poisson_binomial_log_pmf(batch);
  ASSERT_EQ(lp.sizes(), torch::IntArrayRef({2, 3, 8}));
  EXPECT_LT(max_abs_diff(lp[1][2], sp::poisson_binomial_log_pmf(batch[1][2])), 1e-15);

  auto weights = torch::randn({8}, torch::kDouble);
  auto f = [&](const torch::Tensor& v) { return (sp::poisson_binomial_log_pmf(v) * weights).sum(); };
  auto x = torch::tensor({-50.0, -2.0, 0.3, 1.0, 4.0, 50.0, 0.0}, torch::kDouble).requires_grad_(true);
  f(x).backward();
  EXPECT_TRUE(torch::isfinite(x.grad()).all().item<bool>());
  EXPECT_LT(max_abs_diff(x.grad(), finite_difference_grad(f, x.detach())), 1e-7);

  auto empty = sp::poisson_binomial_log_pmf(torch::zeros({4, 0}, torch::kDouble));
  ASSERT_EQ(empty.sizes(), torch::IntArrayRef({4, 1}));
  EXPECT_EQ(empty.abs().max().item<double>(), 0.0);
  EXPECT_THROW(sp::poisson_binomial_log_pmf(torch::tensor(1.0)), c10::Error);
}

// ---------------------------------------------------------------- lgamma_digamma

// digamma in long double by the recurrence up to x >= 40 and 6 terms of the asymptotic series (next term
// below 1e-21 there): a different shift, order and precision from the library's.
long double ref_digamma(long double x) {
  long double shift = 0;
  while (x < 40) {
    shift += 1 / x;
    x += 1;
  }
  const long double r2 = 1 / (x * x);
  return std::log(x) - 0.5L / x -
         r2 * (1.0L / 12 -
               r2 * (1.0L / 120 -
                     r2 * (1.0L / 252 - r2 * (1.0L / 240 - r2 * (1.0L / 132 - r2 * 691.0L / 32760))))) -
         shift;
}

TEST(LgammaDigamma, MatchLongDoubleReferencesAndKnownValues) {
  auto x = torch::cat(
      {torch::logspace(-6, 6, 4001, 10, torch::kDouble), torch::linspace(1e-3, 30, 6001, torch::kDouble)});
  auto [lg, dg] = sp::lgamma_digamma(x);
  double worst_lg = 0, worst_dg = 0;
  for (int64_t i = 0; i < x.size(0); ++i) {
    const long double v = x[i].item<double>();
    const long double want_lg = std::lgamma(v), want_dg = ref_digamma(v);
    worst_lg = std::max(worst_lg, rel_err(lg[i].item<double>(), want_lg, 1.0));
    worst_dg = std::max(worst_dg, rel_err(dg[i].item<double>(), want_dg, 1.0));
  }
  // Errors relative to max(1, |value|), as documented.
  EXPECT_LT(worst_lg, 2e-14);
  EXPECT_LT(worst_dg, 2e-15);
  const double euler_gamma = 0.57721566490153286061;
  auto [lk, dk] = sp::lgamma_digamma(torch::tensor({0.5, 1.0, 2.0}, torch::kDouble));
  // lgamma to the documented 2e-14 (the shift's log cancels near its zeros), digamma to 1e-15.
  EXPECT_NEAR(lk[0].item<double>(), 0.5 * std::log(M_PI), 2e-14);
  EXPECT_NEAR(lk[1].item<double>(), 0.0, 2e-14);
  EXPECT_NEAR(lk[2].item<double>(), 0.0, 2e-14);
  EXPECT_NEAR(dk[0].item<double>(), -euler_gamma - 2 * std::log(2.0), 1e-15);
  EXPECT_NEAR(dk[1].item<double>(), -euler_gamma, 1e-15);
  EXPECT_NEAR(dk[2].item<double>(), 1 - euler_gamma, 1e-15);
  // Float in, float out; x <= 0, inf and NaN fall back to ATen's values.
  auto [lf, df] = sp::lgamma_digamma(torch::tensor({0.3f, 7.5f}));
  EXPECT_EQ(lf.scalar_type(), torch::kFloat);
  EXPECT_LT(max_abs_diff(df, torch::digamma(torch::tensor({0.3, 7.5}, torch::kDouble)).to(torch::kFloat)),
            1e-6);
  auto odd = torch::tensor({-0.5, -2.5, std::numeric_limits<double>::infinity()}, torch::kDouble);
  auto [lo, d_o] = sp::lgamma_digamma(odd);
  EXPECT_TRUE(torch::allclose(lo, torch::lgamma(odd)));
  EXPECT_TRUE(torch::allclose(d_o, torch::digamma(odd)));
  EXPECT_TRUE(sp::lgamma_digamma(torch::tensor({NAN}, torch::kDouble)).second.isnan().all().item<bool>());
}

TEST(LgammaDigamma, GradientsAreDigammaAndTrigamma) {
  auto x = torch::tensor({1e-3, 0.4, 1.0, 3.7, 9.99, 10.0, 55.0}, torch::kDouble).requires_grad_();
  auto out = sp::lgamma_digamma(x);
  auto g_lg = torch::autograd::grad({out.first.sum()}, {x}, {}, true)[0];
  EXPECT_LT(max_abs_diff(g_lg, out.second.detach()), 1e-15);
  auto g_dg = torch::autograd::grad({out.second.sum()}, {x})[0];
  auto fd = finite_difference_grad([](const torch::Tensor& v) { return sp::lgamma_digamma(v).second.sum(); },
                                   x.detach(), 1e-7);
  EXPECT_LT(((g_dg - fd).abs() / fd.abs().clamp_min(1)).max().item<double>(), 1e-6) << g_dg << fd;
}

}  // namespace
