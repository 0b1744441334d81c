// experiments/bitvector_vae/model: decoded means and prior codes of each family.
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

TEST(BitVectorVaeModel, DecodesMeansAndDrawsPriorCodesOfEachFamily) {
  for (BitLatent latent : all_latents()) {
    SCOPED_TRACE(latent_name(latent));
    const BitVaeConfig c = tiny_config(latent);
    at::manual_seed(6);
    BitVaeModel model(c);
    const at::Tensor z = model->prior_sample(200);
    ASSERT_EQ(z.sizes(), (std::vector<int64_t>{200, 16}));
    EXPECT_GE(z.min().item<double>(), 0.0);
    EXPECT_LE(z.max().item<double>(), 1.0);
    const std::vector<double> counts = bit_value_counts(z);
    const bool discrete = latent == BitLatent::kGumbelSoftmax || latent == BitLatent::kGumbelSoftmaxST;
    if (discrete) {
      EXPECT_EQ(counts[1], 0.0);
    } else if (latent == BitLatent::kBinaryConcrete) {
      EXPECT_EQ(counts[0] + counts[2], 0.0);
    } else {
      for (double n : counts) EXPECT_NEAR(n, 16.0 / 3, 1.0);  // 1/3 each
    }
    const at::Tensor mean = model->decode_mean(z.slice(0, 0, 5));
    ASSERT_EQ(mean.sizes(), (std::vector<int64_t>{5, 784}));
    EXPECT_GE(mean.min().item<double>(), 0.0);
    EXPECT_LE(mean.max().item<double>(), 1.0);
  }
}

}  // namespace
}  // namespace mixdist::experiments::bitvector_vae
