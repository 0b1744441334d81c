// experiments/vae_mnist/config: JSON round trips, the paper's presets and impossible settings.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mixdist/data/synthetic.h"
#include "mixdist/experiments/registry.h"
#include "mixdist/experiments/run/compare.h"
#include "mixdist/experiments/vae_mnist/data.h"
#include "mixdist/experiments/vae_mnist/evaluation.h"
#include "mixdist/experiments/vae_mnist/experiment.h"
#include "mixdist/experiments/vae_mnist/report.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/stop_signal.h"
#include "temp_dir.h"
#include "test_util.h"

namespace mixdist::experiments::vae_mnist {
namespace {

using mixdist::testing::expect_error_containing;

TEST(VaeConfig, RoundTripsThroughJsonForEveryPreset) {
  for (LatentType latent : all_latent_types())
    for (const char* preset : {"quick", "paper"}) {
      VaeConfig c = make_preset(latent, preset);
      c.seed = 13;
      c.data_dir = "/some/where";
      c.inf_l2 = 1.2345678901234567e-6;
      const VaeConfig back = VaeConfig::from_json(c.to_json());
      EXPECT_EQ(back.to_json(), c.to_json());
      EXPECT_EQ(back.latent, latent);
      EXPECT_EQ(back.inf_l2, c.inf_l2);
      EXPECT_EQ(back.preset, preset);
    }
}

TEST(VaeConfig, PresetsFollowThePaper) {
  const VaeConfig cat = make_preset(LatentType::kCategorical, "paper");
  EXPECT_EQ(cat.gen_lr, 1e-5);
  EXPECT_EQ(cat.inf_lr, 1e-4);
  EXPECT_EQ(cat.warmup_steps, 100);
  EXPECT_EQ(cat.grad_clip, 1.0);
  const VaeConfig md = make_preset(LatentType::kMixedDirichlet, "paper");
  EXPECT_EQ(md.epochs, 500);
  EXPECT_EQ(md.final_is_samples, 1000);
  EXPECT_EQ(md.inf_dropout, 0.1);
  EXPECT_EQ(md.face_prior, "authors");
  EXPECT_EQ(make_preset(LatentType::kGumbelSoftmaxST, "paper").gen_lr, 1e-5);
  EXPECT_EQ(make_preset(LatentType::kGaussian, "quick").inf_dropout, 0.0);
}

TEST(VaeConfig, RejectsImpossibleSettingsByName) {
  expect_error_containing([] { parse_latent("gausian"); },
                          "unknown latent 'gausian'; valid latents: gaussian,");
  expect_error_containing([] { make_preset(LatentType::kGaussian, "fast"); }, "unknown preset 'fast'");
  VaeConfig c;
  c.epochs = 0;
  expect_error_containing([&] { c.validate(); }, "epochs must be >= 1, got 0");
  c = VaeConfig();
  c.batch_size = 60000;
  expect_error_containing([&] { c.validate(); }, "batch_size must be in [1, train_size = 55000], got 60000");
  c = VaeConfig();
  c.face_prior = "uniform";
  expect_error_containing([&] { c.validate(); }, "face_prior must be 'authors' or 'derived', got 'uniform'");
  c = VaeConfig();
  c.inf_dropout = 1.0;
  expect_error_containing([&] { c.validate(); }, "inf_dropout must be in [0, 1), got 1");
  expect_error_containing([] { VaeConfig::from_json("{\"experiment\": \"signal_game\"}"); },
                          "belongs to experiment 'signal_game'");
  std::string json = VaeConfig().to_json();
  json.insert(json.find('{') + 1, "\"learning_rate\": 1,");
  expect_error_containing([&] { VaeConfig::from_json(json); }, "unknown key 'learning_rate'");
}

}  // namespace
}  // namespace mixdist::experiments::vae_mnist
