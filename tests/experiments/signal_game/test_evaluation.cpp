// experiments/signal_game/evaluation: repeatable, leaves the generator and mode alone, and the interaction
// log's lines.
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
#include "tiny_game.h"

namespace mixdist::experiments::signal_game {
namespace {

using mixdist::testing::expect_error_containing;

TEST(SignalGameEvaluation, IsRepeatableAndLeavesTheGeneratorAndModeAlone) {
  at::manual_seed(4);
  const GameConfig config = tiny_config(Channel::kKDHardConcrete);
  const GameData data = load_game_data(config);
  GameModel model(config, data.pool.feature_dim());
  model->train();
  const at::Tensor before = train::global_rng_state();
  const GameMetrics a = evaluate(*model, data.pool.train, data.valid, config);
  EXPECT_TRUE(train::global_rng_state().equal(before));
  EXPECT_TRUE(model->is_training());
  const GameMetrics b = evaluate(*model, data.pool.train, data.valid, config);
  EXPECT_EQ(a.accuracy, b.accuracy);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(a.nonzeros, b.nonzeros);
  EXPECT_EQ(a.games, 128);
  EXPECT_EQ(a.language.distinct_supports, b.language.distinct_supports);
  EXPECT_EQ(a.language.topographic_similarity, b.language.topographic_similarity);
  EXPECT_GT(a.language.distinct_symbols, 1);
  EXPECT_LE(a.language.symbol_entropy, std::log2(32.0));
  // A lower temperature gives sparser K-D Hard Concrete messages.
  model->set_temperature(0.3);
  EXPECT_LT(evaluate(*model, data.pool.train, data.valid, config).nonzeros, a.nonzeros);
}

TEST(SignalGameInteractions, OneJsonLinePerGameWithTheMessagesSupportAndTheReceiversPick) {
  // Two games of three candidates over concepts of two digits (concept c = digits (c / 10, c % 10)).
  const data::Games games{at::tensor({5, 12, 97, 40, 8, 3}, at::kLong).view({2, 3}),
                          at::zeros({2, 3}, at::kLong), at::tensor({2, 0}, at::kLong)};
  const at::Tensor digits =
      at::stack({at::arange(100, at::kLong).div(10, "floor"), at::arange(100, at::kLong) % 10}, 1);
  GamePlays plays{at::tensor({0.0f, 0.1f, 0.0f, 0.9f, 1.0f, 0.0f, 0.0f, 0.0f}).view({2, 4}),
                  at::tensor({2, 1}, at::kLong), at::tensor({1, 0}, at::kLong).to(at::kBool)};
  EXPECT_EQ(
      interactions_jsonl(games, digits, plays),
      "{\"game\":0,\"target\":97,\"target_digits\":[9,7],\"target_position\":2,\"candidates\":[5,12,97],"
      "\"symbols\":[1,3],\"weights\":[0.1,0.9],\"choice\":2,\"chosen\":97,\"correct\":true}\n"
      "{\"game\":1,\"target\":40,\"target_digits\":[4,0],\"target_position\":0,\"candidates\":[40,8,3],"
      "\"symbols\":[0],\"weights\":[1.0],\"choice\":1,\"chosen\":8,\"correct\":false}\n");
  // The weights read back as the message's floats.
  plays.messages = at::tensor({0.0f, 1.0f / 3, 0.0f, 2.0f / 3, 0.3f, 0.7f, 0.0f, 0.0f}).view({2, 4});
  std::stringstream lines(interactions_jsonl(games, digits, plays));
  std::string first;
  std::getline(lines, first);
  EXPECT_NE(first.find("\"weights\":[0.33333334,0.6666667]"), std::string::npos) << first;
  const auto w = nlohmann::json::parse(first)["weights"];
  EXPECT_EQ(static_cast<float>(w[0].get<double>()), 1.0f / 3);
  EXPECT_EQ(static_cast<float>(w[1].get<double>()), 2.0f / 3);
  plays.choices = plays.choices.slice(0, 0, 1);
  expect_error_containing([&] { interactions_jsonl(games, digits, plays); },
                          "one message, choice and outcome for each of the 2 games");
}

}  // namespace
}  // namespace mixdist::experiments::signal_game
