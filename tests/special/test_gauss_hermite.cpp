// special/gauss_hermite: the rules against closed forms and the Hermite weight formula, exactness on
// polynomials, and Gaussian expectations of known functions.
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

#include "long_double_reference.h"
#include "test_util.h"

namespace {

using mixdist::testing::error_message;

using mixdist::testing::max_abs_diff;
namespace sp = mixdist::special;

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

}  // namespace
