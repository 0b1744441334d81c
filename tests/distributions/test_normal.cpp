// Normal: log-density, entropy and KL against closed forms; reparameterised, reproducible sampling.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::max_abs_diff;
using mixdist::testing::mc_entropy;
using mixdist::testing::mc_kl;
using mixdist::testing::seeded;

TEST(Normal, LogProbEntropyAndKL) {
  auto loc = torch::tensor({0.0, 1.5, -2.0}, torch::kDouble);
  auto scale = torch::tensor({1.0, 0.5, 3.0}, torch::kDouble);
  mixdist::Normal p(loc, scale);
  auto v = torch::tensor({0.3, 1.0, 4.0}, torch::kDouble);
  auto expected = -((v - loc) * (v - loc)) / (2 * scale * scale) - scale.log() - 0.5 * std::log(2 * M_PI);
  EXPECT_LT(max_abs_diff(p.log_prob(v), expected), 1e-14);
  // Entropy by Monte Carlo: 2e5 samples, standard error ~ 0.7/sqrt(2e5) = 1.6e-3; tolerance 1e-2.
  EXPECT_LT(max_abs_diff(p.entropy(), mc_entropy(p, 200000, 1)), 1e-2);
  mixdist::Normal q(torch::tensor({0.5, 1.0, 0.0}, torch::kDouble),
                    torch::tensor({2.0, 0.5, 1.0}, torch::kDouble));
  auto kl = mixdist::kl_divergence(p, q);
  EXPECT_LT(max_abs_diff(kl, mc_kl(p, q, 200000, 2)), 3e-2);
  EXPECT_TRUE((kl >= 0).all().item<bool>());
  EXPECT_LT(mixdist::kl_divergence(p, p).abs().max().item<double>(), 1e-15);
}

TEST(Normal, ReparameterisedAndReproducible) {
  auto loc = torch::tensor({0.5}, torch::kDouble).requires_grad_();
  auto scale = torch::tensor({2.0}, torch::kDouble).requires_grad_();
  mixdist::Normal p(loc, scale);
  auto y = p.rsample({1000}, seeded(3));
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({1000, 1}));
  auto grads = torch::autograd::grad({y.mean()}, {loc, scale});
  EXPECT_NEAR(grads[0].item<double>(), 1.0, 1e-12);  // d mean(y)/d loc = 1 exactly
  EXPECT_TRUE(torch::equal(p.sample({5}, seeded(7)), p.sample({5}, seeded(7))));
  EXPECT_FALSE(p.sample({5}).requires_grad());
}
}  // namespace
