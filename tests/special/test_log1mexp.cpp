// special/log1mexp and the Gibbs face normaliser: values against long-double references (Taylor series,
// enumeration of the faces), gradients and errors.
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

}  // namespace
