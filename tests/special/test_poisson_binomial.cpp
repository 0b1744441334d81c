// special/poisson_binomial: the DP against enumeration of all outcomes in long double, the binomial case,
// batches and gradients.
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

}  // namespace
