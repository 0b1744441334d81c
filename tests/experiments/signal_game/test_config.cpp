// experiments/signal_game/config: presets, the temperature and JSON.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "mixdist/data/concept_pool.h"
#include "mixdist/data/mnist.h"
#include "mixdist/experiments/registry.h"
#include "mixdist/experiments/signal_game/data.h"
#include "mixdist/experiments/signal_game/evaluation.h"
#include "mixdist/experiments/signal_game/experiment.h"
#include "mixdist/experiments/signal_game/mlp_features.h"
#include "mixdist/experiments/signal_game/model.h"
#include "mixdist/experiments/signal_game/report.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/fused_adam.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/rng_state.h"
#include "temp_dir.h"
#include "test_util.h"

namespace mixdist::experiments::signal_game {
namespace {

TEST(SignalGameConfig, PresetsTemperatureAndJson) {
  const GameConfig paper = make_preset(Channel::kKDHardConcrete, "paper");
  EXPECT_EQ(paper.epochs * paper.steps_per_epoch, 50000);
  EXPECT_EQ(paper.seed, 322);
  EXPECT_EQ(paper.batch_size, 64);
  EXPECT_EQ(paper.game_size, 16);
  EXPECT_EQ(paper.valid_games, 1024);
  EXPECT_EQ(paper.test_games, 9984);
  EXPECT_DOUBLE_EQ(paper.kd_lambda, 1.1);
  EXPECT_DOUBLE_EQ(paper.lr, 1e-3);
  EXPECT_EQ(make_preset(Channel::kGumbelSoftmax, "quick").epochs * 100, 2000);
  for (Channel channel : all_channels())
    for (const char* preset : {"quick", "paper"}) {
      const GameConfig c = make_preset(channel, preset);
      EXPECT_EQ(GameConfig::from_json(c.to_json()).to_json(), c.to_json());
    }
  // The schedule the reference code ran: tau set after every step t with t % 1000 == 0.
  double tau = 1.0;
  for (int64_t t = 0; t < 50000; ++t) {
    ASSERT_DOUBLE_EQ(temperature_at(paper, t), tau) << t;
    if (t % 1000 == 0) tau = std::max(0.5, std::exp(-1e-5 * static_cast<double>(t)));
  }
  EXPECT_NEAR(temperature_at(paper, 49001), std::exp(-0.49), 1e-12);
  EXPECT_EQ(temperature_at(make_preset(Channel::kGaussianSparsemax, "paper"), 49001), 1.0);
  GameConfig authors = paper;
  authors.compat = "authors";
  EXPECT_EQ(evaluation_temperature(authors, 49001, /*final=*/true), 1.0);
  EXPECT_EQ(evaluation_temperature(authors, 49001, /*final=*/false), temperature_at(paper, 49001));
  EXPECT_EQ(evaluation_temperature(paper, 49001, /*final=*/true), temperature_at(paper, 49001));
}

}  // namespace
}  // namespace mixdist::experiments::signal_game
