// Categorical: sampling frequencies, entropy and KL against brute-force sums.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::max_abs_diff;
using mixdist::testing::seeded;

TEST(Categorical, FrequenciesEntropyAndKL) {
  auto logits = torch::tensor(
      {{0.0, 1.0, -1.0, 2.0}, {3.0, 0.0, 0.0, -std::numeric_limits<double>::infinity()}}, torch::kDouble);
  mixdist::Categorical p(logits);
  auto probs = torch::softmax(logits, -1);
  const int64_t n = 100000;
  auto s = p.sample({n}, seeded(4));
  EXPECT_EQ(s.sizes(), torch::IntArrayRef({n, 2}));
  for (int64_t b = 0; b < 2; ++b) {
    auto freq = torch::bincount(s.select(1, b), {}, 4).to(torch::kDouble) / n;
    // Binomial standard error <= 0.5/sqrt(n) = 1.6e-3; 5 sigma.
    EXPECT_LT(max_abs_diff(freq, probs[b]), 8e-3) << b;
  }
  EXPECT_EQ((s.select(1, 1) == 3).sum().item<int64_t>(), 0);  // probability-0 class never drawn
  auto brute_h = -(probs * probs.clamp_min(1e-300).log()).sum(-1);
  EXPECT_LT(max_abs_diff(p.entropy(), brute_h), 1e-14);
  mixdist::Categorical q(torch::zeros({2, 4}, torch::kDouble));
  auto brute_kl = (probs * (probs.clamp_min(1e-300).log() - std::log(0.25))).sum(-1);
  EXPECT_LT(max_abs_diff(mixdist::kl_divergence(p, q), brute_kl), 1e-14);
  // q excludes a class p charges: +inf.
  EXPECT_TRUE(std::isinf(mixdist::kl_divergence(q, p)[1].item<double>()));
  EXPECT_NEAR(p.log_prob(torch::tensor({3, 0})).exp()[0].item<double>(), probs[0][3].item<double>(), 1e-15);
}
}  // namespace
