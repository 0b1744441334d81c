// Bernoulli: log_prob, entropy and KL against the two-outcome sums.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::max_abs_diff;
using mixdist::testing::seeded;

TEST(Bernoulli, AgainstTwoOutcomeSums) {
  auto a = torch::tensor({-3.0, 0.0, 2.5, 30.0}, torch::kDouble);
  auto b = torch::tensor({1.0, -1.0, 2.5, -30.0}, torch::kDouble);
  mixdist::Bernoulli p(a), q(b);
  auto pa = a.sigmoid(), pb = b.sigmoid();
  auto h = -(pa * pa.log() + (1 - pa) * (1 - pa).log());
  EXPECT_LT(max_abs_diff(p.entropy().slice(0, 0, 3), h.slice(0, 0, 3)), 1e-12);
  auto kl = pa * (pa.log() - pb.log()) + (1 - pa) * ((1 - pa).log() - (1 - pb).log());
  EXPECT_LT(max_abs_diff(mixdist::kl_divergence(p, q).slice(0, 0, 3), kl.slice(0, 0, 3)), 1e-13);
  // Saturated logits +-30: KL = 30 (p1 - p0) = 30 (1 - e^-30) / (1 + e^-30), worked by hand.
  const double eps30 = std::exp(-30.0);
  EXPECT_NEAR(mixdist::kl_divergence(p, q)[3].item<double>(), 30.0 * (1 - eps30) / (1 + eps30), 1e-12);
  auto ones = torch::ones({4}, torch::kDouble);
  EXPECT_LT(max_abs_diff(p.log_prob(ones), pa.log()), 1e-12);  // the reference log(sigmoid) rounds too
  auto freq = p.sample({50000}, seeded(5)).mean(0);
  EXPECT_LT(max_abs_diff(freq, pa), 1e-2);
}
}  // namespace
