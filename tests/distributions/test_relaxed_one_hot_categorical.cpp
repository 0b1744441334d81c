// RelaxedOneHotCategorical (Gumbel-Softmax): two classes reduce to BinaryConcrete, the argmax follows the
// Categorical, straight-through is one-hot, and the noise never gives NaN.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/distributions/binary_concrete.h>
#include <mixdist/distributions/hard_concrete.h>
#include <mixdist/distributions/relaxed_one_hot_categorical.h>

#include <cmath>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::max_abs_diff;
using mixdist::testing::seeded;

TEST(RelaxedOneHotCategorical, TwoClassesReduceToBinaryConcrete) {
  // y_0 = sigmoid((l0 - l1 + g0 - g1)/tau) and g0 - g1 ~ Logistic: y_0 ~ BinaryConcrete(l0 - l1, tau).
  auto logits = torch::tensor({0.9, -0.4}, torch::kDouble);
  const double tau = 0.6;
  mixdist::RelaxedOneHotCategorical d(logits, tau);
  mixdist::BinaryConcrete b(torch::full({}, 1.3, torch::kDouble), tau);
  for (double y : {0.05, 0.4, 0.97}) {
    EXPECT_NEAR(d.log_prob(torch::tensor({y, 1 - y}, torch::kDouble)).item<double>(),
                b.log_prob(torch::full({}, y, torch::kDouble)).item<double>(), 1e-12);
  }
}

TEST(RelaxedOneHotCategorical, ArgmaxFollowsTheCategoricalAndStraightThroughIsOneHot) {
  // Gumbel-max: argmax of the relaxed sample is Categorical(softmax(logits)) at any temperature.
  auto logits = torch::tensor({1.0, 0.0, -1.0, 0.5}, torch::kDouble);
  mixdist::RelaxedOneHotCategorical d(logits, 0.3);
  auto s = d.sample({100000}, seeded(6));
  EXPECT_LT((s.sum(-1) - 1).abs().max().item<double>(), 1e-12);
  auto freq = torch::bincount(s.argmax(-1), {}, 4).to(torch::kDouble) / 100000.0;
  EXPECT_LT(max_abs_diff(freq, torch::softmax(logits, -1)), 8e-3);
  auto l = logits.clone().requires_grad_();
  mixdist::RelaxedOneHotCategorical st(l, 0.5, /*straight_through=*/true);
  mixdist::RelaxedOneHotCategorical relaxed(l, 0.5);
  auto hard = st.rsample({8}, seeded(7));
  auto soft = relaxed.rsample({8}, seeded(7));
  EXPECT_TRUE(torch::equal(hard.detach(), torch::one_hot(soft.argmax(-1), 4).to(torch::kDouble)));
  auto w = torch::randn({8, 4}, torch::kDouble);
  auto g_hard = torch::autograd::grad({(hard * w).sum()}, {l})[0];
  auto g_soft = torch::autograd::grad({(soft * w).sum()}, {l})[0];
  EXPECT_LT(max_abs_diff(g_hard, g_soft), 1e-12);
}

TEST(RelaxedOneHotCategorical, NoiseNeverGivesNaN) {
  mixdist::RelaxedOneHotCategorical d(torch::tensor({{10.0f, -10.0f, 0.0f}}), 0.1);
  auto s = d.sample({200000}, seeded(8));
  EXPECT_TRUE(s.isfinite().all().item<bool>());
  EXPECT_TRUE(std::isfinite(d.entropy_mc(1000, seeded(9)).value.item<float>()));
  mixdist::BinaryConcrete b(torch::full({}, 0.0f), 0.1);
  EXPECT_TRUE(b.sample({200000}, seeded(10)).isfinite().all().item<bool>());
  EXPECT_THROW(mixdist::BinaryConcrete(torch::zeros({2}), 0.0), c10::Error);
}
}  // namespace
