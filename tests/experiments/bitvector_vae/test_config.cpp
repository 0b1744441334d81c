// experiments/bitvector_vae/config: JSON round trips, the paper's presets, one clear message for bad input,
// and the temperature schedule matches the training loop it describes.
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

using mixdist::testing::expect_error_containing;

TEST(BitVectorVaeTemperature, MatchesTheAnnealingLoopItDescribes) {
  struct Schedule {
    double decay, min;
    int64_t interval, steps;
  };
  for (const Schedule s : {Schedule{1e-5, 0.5, 1000, 80000}, Schedule{1e-4, 0.5, 1000, 12000},
                           Schedule{0.05, 0.3, 3, 200}, Schedule{0.0, 0.5, 1000, 3000}}) {
    BitVaeConfig c = tiny_config(BitLatent::kHardConcrete);
    c.temperature_decay = s.decay;
    c.temperature_min = s.min;
    c.temperature_interval = s.interval;
    // The training loop: tau starts at 1 and is reset after every step t with t % interval == 0.
    double tau = 1.0;
    ASSERT_EQ(temperature_at(c, 0), tau);
    for (int64_t t = 0; t < s.steps; ++t) {
      if (t % s.interval == 0) tau = std::max(s.min, std::exp(-s.decay * static_cast<double>(t)));
      ASSERT_EQ(temperature_at(c, t + 1), tau) << "decay " << s.decay << " after step " << t;
    }
  }
  const BitVaeConfig st = make_preset(BitLatent::kGumbelSoftmaxST, "paper");
  EXPECT_DOUBLE_EQ(temperature_at(st, 6001), std::exp(-0.6));
  EXPECT_EQ(temperature_at(st, 7001), 0.5);
  const BitVaeConfig gs = make_preset(BitLatent::kGumbelSoftmax, "paper");
  EXPECT_GT(temperature_at(gs, 69001), 0.5);
  EXPECT_EQ(temperature_at(gs, 70001), 0.5);
  const BitVaeConfig gsp = make_preset(BitLatent::kGaussianSparsemax, "paper");
  EXPECT_EQ(temperature_at(gsp, 50000), 1.0);
  expect_error_containing([&] { temperature_at(gs, -1); }, "completed_steps must be >= 0, got -1");
}

TEST(BitVectorVaeConfig, RoundTripsThroughJsonForEveryLatentAndPreset) {
  for (BitLatent latent : all_latents())
    for (const char* preset : {"quick", "paper"}) {
      BitVaeConfig c = make_preset(latent, preset);
      c.seed = 13;
      c.compat = "authors";
      c.data_dir = "/some/where";
      c.lr = 1.2345678901234567e-3;
      const BitVaeConfig back = BitVaeConfig::from_json(c.to_json());
      EXPECT_EQ(back.to_json(), c.to_json());
      EXPECT_EQ(back.latent, latent);
      EXPECT_EQ(back.lr, c.lr);
      EXPECT_EQ(back.preset, preset);
      EXPECT_EQ(back.compat, "authors");
      const nlohmann::ordered_json j = nlohmann::ordered_json::parse(c.to_json());
      EXPECT_EQ(j.begin().key(), "experiment");
      EXPECT_EQ(j["experiment"], "bitvector_vae");
      EXPECT_EQ(j["latent"], latent_name(latent));
    }
}

TEST(BitVectorVaeConfig, PresetsFollowThePaper) {
  struct Expected {
    BitLatent latent;
    double lr, decay;
  };
  for (const Expected e :
       {Expected{BitLatent::kGumbelSoftmax, 1e-3, 1e-5}, Expected{BitLatent::kGumbelSoftmaxST, 5e-4, 1e-4},
        Expected{BitLatent::kBinaryConcrete, 2e-3, 1e-5}, Expected{BitLatent::kHardConcrete, 1e-3, 1e-5},
        Expected{BitLatent::kGaussianSparsemax, 1e-3, 0.0}}) {
    for (const char* preset : {"paper", "quick"}) {
      const BitVaeConfig c = make_preset(e.latent, preset);
      SCOPED_TRACE(latent_name(e.latent) + " " + preset);
      EXPECT_EQ(c.lr, e.lr);
      EXPECT_EQ(c.temperature_decay, e.decay);
      EXPECT_EQ(c.seed, 42);
      EXPECT_EQ(c.compat, "none");
      EXPECT_EQ(c.dataset, "fashion-mnist");
      EXPECT_EQ(c.train_size, 55000);
      EXPECT_EQ(c.valid_size, 5000);
      EXPECT_EQ(c.test_size, 10000);
      EXPECT_EQ(c.latent_bits, 128);
      EXPECT_EQ(c.hidden, 128);
      EXPECT_EQ(c.out_rank, 5);
      EXPECT_EQ(c.batch_size, 64);
      EXPECT_EQ(c.temperature_min, 0.5);
      EXPECT_EQ(c.temperature_interval, 1000);
      EXPECT_EQ(c.logit_clamp, 85.0);
      EXPECT_EQ(c.gsp_std, 1.0);
      EXPECT_EQ(c.valid_is_samples, 16);
      EXPECT_NO_THROW(c.validate());
    }
    const BitVaeConfig paper = make_preset(e.latent, "paper");
    EXPECT_EQ(paper.epochs, 100);
    EXPECT_EQ(paper.final_is_samples, 1024);
    EXPECT_EQ(paper.final_valid_size, 0);
    EXPECT_EQ(paper.final_test_size, 0);
    EXPECT_EQ(validation_is_samples(paper, 19), 16);
    EXPECT_EQ(validation_is_samples(paper, 20), 64);
    EXPECT_EQ(validation_is_samples(paper, 100), 64);
    const BitVaeConfig quick = make_preset(e.latent, "quick");
    EXPECT_EQ(quick.epochs, 10);
    EXPECT_EQ(quick.final_is_samples, 64);
    EXPECT_EQ(quick.final_valid_size, 2048);
    EXPECT_EQ(quick.final_test_size, 2048);
    for (int64_t epoch = 1; epoch <= 40; ++epoch) EXPECT_EQ(validation_is_samples(quick, epoch), 16);
  }
  EXPECT_EQ(BitVaeConfig().to_json(), make_preset(BitLatent::kGumbelSoftmax, "paper").to_json());
}

TEST(BitVectorVaeConfig, RejectsBadInputWithOneClearMessage) {
  expect_error_containing(
      [] { parse_latent("gumbel"); },
      "unknown latent 'gumbel'; valid latents: gs, gs-st, binary-concrete, hard-concrete, "
      "gaussian-sparsemax");
  expect_error_containing([] { make_preset(BitLatent::kGumbelSoftmax, "fast"); },
                          "unknown preset 'fast'; valid presets: quick, paper");
  const std::string json = BitVaeConfig().to_json();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string j = json;
    const size_t at = j.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return j.replace(at, from.size(), to);
  };
  expect_error_containing(
      [&] { BitVaeConfig::from_json(with("\"latent\": \"gs\"", "\"latent\": \"gumbel\"")); },
      "config.json: key 'latent': unknown latent 'gumbel'; valid latents: gs,");
  expect_error_containing(
      [&] { BitVaeConfig::from_json(with("\"seed\"", "\"learning_rate\": 1, \"seed\"")); },
      "config.json: unknown key 'learning_rate'");
  expect_error_containing([&] { BitVaeConfig::from_json(with("\"bitvector_vae\"", "\"vae_mnist\"")); },
                          "this run folder belongs to experiment 'vae_mnist', not 'bitvector_vae'");
  expect_error_containing(
      [&] { BitVaeConfig::from_json(with("\"compat\": \"none\"", "\"compat\": \"paper\"")); },
      "compat must be 'none' or 'authors', got 'paper'");
  expect_error_containing([&] { BitVaeConfig::from_json(with("\"epochs\": 100,", "")); },
                          "config.json: missing key 'epochs'");
  BitVaeConfig c;
  c.is_chunk = 0;
  expect_error_containing([&] { c.validate(); }, "is_chunk must be >= 1, got 0");
  c = BitVaeConfig();
  c.temperature_min = 0;
  expect_error_containing([&] { c.validate(); }, "temperature_min must be in (0, 1], got 0");
  c = BitVaeConfig();
  c.dataset = "mnist";
  expect_error_containing([&] { c.validate(); },
                          "dataset must be 'fashion-mnist' or 'synthetic', got 'mnist'");
  c = BitVaeConfig();
  c.valid_size = 5001;
  expect_error_containing([&] { c.validate(); }, "train_size + valid_size must be <= 60000");
}

}  // namespace
}  // namespace mixdist::experiments::bitvector_vae
