// Long-double references shared by the special/ tests (log_ndtr, relative error): computed from independent
// formulas, never from the code under test.
#pragma once
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
inline long double mills_continued_fraction(long double x) {
  const long double t = -x;
  long double d = t;
  for (int k = 400; k >= 1; --k) d = t + k / d;
  return d;
}

inline long double ref_log_ndtr(long double x, bool force_erfc = false) {
  if (x >= 0) return std::log1p(-std::erfc(x / std::sqrt(2.0L)) / 2);
  if (x > -30 || force_erfc) return std::log(std::erfc(-x / std::sqrt(2.0L)) / 2);
  return -x * x / 2 - 0.5L * std::log(2 * kPi) - std::log(mills_continued_fraction(x));
}

// Relative error, with an absolute floor for values that underflow in the tested dtype.
inline double rel_err(double got, long double want, double floor) {
  return static_cast<double>(std::fabs(got - want) /
                             std::max(std::fabs(want), static_cast<long double>(floor)));
}

}  // namespace
