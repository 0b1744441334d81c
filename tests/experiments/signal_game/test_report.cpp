// experiments/signal_game/report: the pictures, leaving the generator and mode alone.
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

using mixdist::testing::TempDir;

TEST(SignalGameReport, WritesThePicturesAndLeavesTheGeneratorAndModeAlone) {
  TempDir tmp;
  at::manual_seed(6);
  const GameConfig config = tiny_config(Channel::kGaussianSparsemax);
  const GameData data = load_game_data(config);
  GameModel model(config, data.pool.feature_dim());
  model->train();
  const at::Tensor before = train::global_rng_state();
  const std::vector<std::string> columns = {"epoch", "train_accuracy", "valid_accuracy", "train_loss",
                                            "valid_loss"};
  const std::vector<std::vector<double>> rows = {{1, 10, 12, 2.5, 2.4}, {2, 20, std::nan(""), 2.2, 2.1}};
  const std::vector<std::string> written = write_report_figures(*model, data, columns, rows, tmp.path());
  EXPECT_EQ(written,
            (std::vector<std::string>{tmp.file("message_weights.png"), tmp.file("support_sizes.png"),
                                      tmp.file("learning_curves.png"), tmp.file("loss_curves.png")}));
  for (const auto& path : written) EXPECT_TRUE(std::filesystem::exists(path)) << path;
  EXPECT_TRUE(train::global_rng_state().equal(before));
  EXPECT_TRUE(model->is_training());
}

}  // namespace
}  // namespace mixdist::experiments::signal_game
