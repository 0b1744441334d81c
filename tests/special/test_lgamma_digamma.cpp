// special/lgamma_digamma: values against long-double references and known values, gradients (digamma,
// trigamma).
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

using mixdist::testing::finite_difference_grad;
using mixdist::testing::max_abs_diff;
namespace sp = mixdist::special;

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

// A differentiated backward (create_graph) tracks d digamma / dx: the second derivative of lgamma.
TEST(LgammaDigamma, SecondDerivativeOfLgammaIsTrigamma) {
  auto x = torch::tensor({0.3, 1.0, 2.5, 40.0}, torch::kDouble).requires_grad_();
  auto d1 = torch::autograd::grad({mixdist::special::lgamma_digamma(x).first.sum()}, {x}, {}, true, true)[0];
  auto d2 = torch::autograd::grad({d1.sum()}, {x})[0];
  EXPECT_LT(mixdist::testing::max_abs_diff(d2, torch::polygamma(1, x.detach())), 1e-12);
}

}  // namespace
