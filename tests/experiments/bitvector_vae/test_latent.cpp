// The bit-vector VAE's latent families (experiments/bitvector_vae/latent) on tiny synthetic data: every one
// trains (a few Adam steps lower a finite loss), the exact-bit shares have the values each family gives by
// construction, and the "authors" compatibility mode changes only the Gaussian-Sparsemax entropy and proposal
// density.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "mixdist/data/synthetic.h"
#include "mixdist/distributions/bernoulli.h"
#include "mixdist/distributions/clipped_gaussian.h"
#include "mixdist/experiments/bitvector_vae/config.h"
#include "mixdist/experiments/bitvector_vae/data.h"
#include "mixdist/experiments/bitvector_vae/evaluation.h"
#include "mixdist/experiments/bitvector_vae/model.h"
#include "mixdist/experiments/bitvector_vae/report.h"
#include "mixdist/train/fused_adam.h"
#include "temp_dir.h"
#include "test_util.h"
#include "tiny_bitvae.h"

namespace mixdist::experiments::bitvector_vae {
namespace {

using mixdist::testing::max_abs_diff;

class EveryBitLatent : public ::testing::TestWithParam<BitLatent> {};

TEST_P(EveryBitLatent, AdamStepsLowerAFiniteLoss) {
  const BitVaeConfig c = tiny_config(GetParam());
  const BitVaeData data = load_bitvae_data(c);
  at::manual_seed(1);
  BitVaeModel model(c);
  const std::vector<double> losses = train_steps(model, c, data.train, 16);
  for (double loss : losses) ASSERT_TRUE(std::isfinite(loss));
  const double first = (losses[0] + losses[1]) / 2, last = (losses[14] + losses[15]) / 2;
  // From ~784 ln 256 = 4347 nats (uniform bytes) the shared pixel layer alone learns the byte histogram.
  EXPECT_LT(last, first - 200.0) << latent_name(GetParam()) << ": loss went from " << first << " to " << last;
}

// The share of latent coordinates exactly 0 or 1 in the decoder's sample is fixed by construction for three
// families (straight-through: all; Gumbel-Softmax and Binary Concrete: none, their samples being clamped
// inside (0, 1)) and strictly in between for the two mixed ones.
TEST_P(EveryBitLatent, ExactBitShareIsWhatTheFamilyGivesByConstruction) {
  const BitVaeConfig c = tiny_config(GetParam());
  const BitVaeData data = load_bitvae_data(c);
  at::manual_seed(2);
  BitVaeModel model(c);
  const BitVaeMetrics m = evaluate(*model, data.test, c, 0);
  at::manual_seed(3);
  const at::Tensor exact = model->objective(data.test).exact_bits;
  const double share = exact.sum().item<double>() / static_cast<double>(data.test.size(0) * c.latent_bits);
  switch (GetParam()) {
    case BitLatent::kGumbelSoftmaxST:
      EXPECT_EQ(share, 1.0);
      EXPECT_EQ(m.exact_share, 1.0);
      break;
    case BitLatent::kGumbelSoftmax:
    case BitLatent::kBinaryConcrete:
      EXPECT_EQ(share, 0.0);
      EXPECT_EQ(m.exact_share, 0.0);
      break;
    case BitLatent::kHardConcrete:
    case BitLatent::kGaussianSparsemax:
      EXPECT_GT(share, 0.02);
      EXPECT_LT(share, 0.98);
      EXPECT_GT(m.exact_share, 0.02);
      EXPECT_LT(m.exact_share, 0.98);
      break;
  }
  EXPECT_DOUBLE_EQ(m.exact_share + m.nonbinary_share, 1.0);
}

// compat "authors" changes the Gaussian-Sparsemax entropy and proposal density (scale std instead of the
// sampler's std / sqrt 2) and nothing else: the same seed gives the same codes, and every other family's
// numbers are bit for bit those of compat "none".
TEST_P(EveryBitLatent, AuthorsCompatChangesOnlyTheGaussianSparsemaxDensity) {
  BitVaeConfig none = tiny_config(GetParam());
  BitVaeConfig authors = none;
  authors.compat = "authors";
  const at::Tensor x = load_bitvae_data(none).test.slice(0, 0, 8);
  at::manual_seed(5);
  BitVaeModel a(none);
  at::manual_seed(5);
  BitVaeModel b(authors);
  for (BitVaeModel* m : {&a, &b}) (*m)->set_temperature(0.7);
  at::NoGradGuard no_grad;
  auto seeded = [](uint64_t seed, auto&& f) {
    at::manual_seed(seed);
    return f();
  };
  const BitVaeObjective oa = seeded(9, [&] { return a->objective(x); });
  const BitVaeObjective ob = seeded(9, [&] { return b->objective(x); });
  const at::Tensor la = seeded(9, [&] { return a->estimate_log_marginal(x, 8, 3); });
  const at::Tensor lb = seeded(9, [&] { return b->estimate_log_marginal(x, 8, 3); });
  EXPECT_TRUE(seeded(11, [&] {
                return a->posterior_sample(x);
              }).equal(seeded(11, [&] { return b->posterior_sample(x); })));
  EXPECT_TRUE(oa.log_likelihood.equal(ob.log_likelihood));
  EXPECT_TRUE(oa.exact_bits.equal(ob.exact_bits));
  if (GetParam() != BitLatent::kGaussianSparsemax) {
    EXPECT_TRUE(oa.loss.equal(ob.loss));
    EXPECT_TRUE(oa.entropy.equal(ob.entropy));
    EXPECT_TRUE(oa.rate.equal(ob.rate));
    EXPECT_TRUE(la.equal(lb));
    return;
  }
  const at::Tensor scores = a->encoder()->forward(x);
  const at::Tensor consistent = bit_gaussian_sparsemax(scores, none.gsp_std).entropy().sum(-1);
  const at::Tensor reference = ClippedGaussian(scores, at::full_like(scores, none.gsp_std),
                                               ClippedGaussianOptions().reproduce_authors(true))
                                   .entropy()
                                   .sum(-1);
  EXPECT_LT(max_abs_diff(oa.entropy, consistent), 1e-4);
  EXPECT_LT(max_abs_diff(ob.entropy, reference), 1e-4);
  EXPECT_GT(max_abs_diff(oa.entropy, ob.entropy), 1.0) << "scales 1 and 1/sqrt(2) on 16 bits";
  EXPECT_GT(max_abs_diff(la, lb), 0.1);
}

INSTANTIATE_TEST_SUITE_P(BitVectorVae, EveryBitLatent, ::testing::ValuesIn(all_latents()),
                         [](const auto& info) { return test_name(info.param); });

}  // namespace
}  // namespace mixdist::experiments::bitvector_vae
