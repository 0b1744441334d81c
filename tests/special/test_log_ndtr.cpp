// special/log_ndtr: values and gradients against long-double references (erfc, Laplace's continued fraction),
// finite differences, any shape and dtype.
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

using mixdist::testing::finite_difference_grad;
using mixdist::testing::max_abs_diff;
namespace sp = mixdist::special;

long double ref_log_ndtr_grad(long double x) {
  if (x > -30) return std::exp(-x * x / 2) / std::sqrt(2 * kPi) / (std::erfc(-x / std::sqrt(2.0L)) / 2);
  return mills_continued_fraction(x);
}

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

}  // namespace
