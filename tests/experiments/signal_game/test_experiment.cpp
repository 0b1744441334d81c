// The signal game through the run layer (experiments/signal_game/experiment): runs resume bit for bit and
// refuse bad input with one clear message, the interaction log holds every game of the final evaluation,
// counted to the last bit as its success and nonzeros, and --steps plans whole epochs, a resumed run counting
// them at its own steps per epoch.
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
using mixdist::testing::TempDir;

TEST(SignalGameRun, ASlicedRunEqualsAnUninterruptedOneWhileTheTemperatureAnneals) {
  TempDir tmp;
  std::ostringstream log;
  GameConfig config = tiny_config(Channel::kKDHardConcrete);
  config.epochs = 3;
  config.steps_per_epoch = 4;
  config.temperature_interval = 1;
  config.temperature_decay = 0.1;
  ASSERT_TRUE(train_game(config, quiet(tmp.file("whole"), log)).finished);
  run::RunOptions first = quiet(tmp.file("sliced"), log);
  first.stop_after_epoch = 1;
  ASSERT_FALSE(train_game(config, first).finished);
  run::RunOptions rest = quiet(tmp.file("sliced"), log);
  rest.resume = true;
  ASSERT_TRUE(train_game(config, rest).finished);
  const std::string a = metrics_without_seconds(tmp.file("whole"));
  EXPECT_EQ(a, metrics_without_seconds(tmp.file("sliced")));
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 3);
  const auto sa = nlohmann::json::parse(io::read_file(tmp.file("whole/summary.json")));
  const auto sb = nlohmann::json::parse(io::read_file(tmp.file("sliced/summary.json")));
  EXPECT_EQ(sa["test"], sb["test"]);
  EXPECT_EQ(sa["checkpoint"], "best");
  // Evaluating the reported checkpoint repeats the summary.
  const run::RunEvaluation e = evaluate_run(tmp.file("whole"), "test", "best", &log);
  for (const auto& [name, value] : e.evaluation.metrics)
    EXPECT_EQ(value, sa["test"][name].get<double>()) << name;
  bool listed = false;
  for (const auto& i : all_experiments()) listed = listed || (i.name == "signal_game" && i.command == "game");
  EXPECT_TRUE(listed);
}

std::vector<nlohmann::json> read_json_lines(const std::string& path) {
  std::vector<nlohmann::json> lines;
  std::stringstream in(io::read_file(path));
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(SignalGameInteractions, TheRunLogsEveryTestGameAsItsSummaryCountsThem) {
  TempDir tmp;
  std::ostringstream log;
  GameConfig config = tiny_config(Channel::kKDHardConcrete);
  config.epochs = 2;
  config.steps_per_epoch = 4;
  const std::string dir = tmp.file("run");
  ASSERT_TRUE(train_game(config, quiet(dir, log)).finished);  // quiet: no figures, the logs all the same
  EXPECT_NE(log.str().find("wrote " + dir + "/interactions_test.jsonl"), std::string::npos) << log.str();
  const auto summary = nlohmann::json::parse(io::read_file(dir + "/summary.json"));
  const GameData data = load_game_data(config);
  for (const std::string split : {"test", "valid"}) {
    const std::vector<nlohmann::json> lines = read_json_lines(dir + "/interactions_" + split + ".jsonl");
    const data::Games& games = data.games(split);
    ASSERT_EQ(static_cast<int64_t>(lines.size()), games.size()) << split;
    double correct = 0, nonzeros = 0;
    for (size_t n = 0; n < lines.size(); ++n) {
      const nlohmann::json& j = lines[n];
      const auto b = static_cast<int64_t>(n);
      ASSERT_EQ(j["game"].get<int64_t>(), b);
      const auto candidates = j["candidates"].get<std::vector<int64_t>>();
      ASSERT_EQ(static_cast<int64_t>(candidates.size()), config.game_size);
      for (int64_t k = 0; k < config.game_size; ++k)
        EXPECT_EQ(candidates[k], games.concepts[b][k].item<int64_t>());
      const int64_t position = j["target_position"].get<int64_t>();
      EXPECT_EQ(position, games.labels[b].item<int64_t>());
      const int64_t target = j["target"].get<int64_t>();
      EXPECT_EQ(target, candidates[position]);
      EXPECT_EQ(j["target_digits"].get<std::vector<int64_t>>(),
                (std::vector<int64_t>{data.pool.concept_digits[target][0].item<int64_t>(),
                                      data.pool.concept_digits[target][1].item<int64_t>()}));
      const auto symbols = j["symbols"].get<std::vector<int64_t>>();
      const auto weights = j["weights"].get<std::vector<double>>();
      ASSERT_EQ(symbols.size(), weights.size());
      ASSERT_FALSE(symbols.empty());
      double total = 0;
      for (size_t i = 0; i < symbols.size(); ++i) {
        EXPECT_TRUE(symbols[i] >= 0 && symbols[i] < config.vocab);
        if (i > 0) {
          EXPECT_LT(symbols[i - 1], symbols[i]);
        }
        EXPECT_GT(weights[i], 0.0);
        total += weights[i];
      }
      EXPECT_NEAR(total, 1.0, 1e-5);
      const int64_t choice = j["choice"].get<int64_t>();
      ASSERT_TRUE(choice >= 0 && choice < config.game_size);
      EXPECT_EQ(j["chosen"].get<int64_t>(), candidates[choice]);
      EXPECT_EQ(j["correct"].get<bool>(), choice == position);
      correct += j["correct"].get<bool>() ? 1 : 0;
      nonzeros += static_cast<double>(symbols.size());
    }
    // The same counts as the reported evaluation, to the last bit.
    const double N = static_cast<double>(lines.size());
    EXPECT_EQ(100.0 * correct / N, summary[split]["accuracy"].get<double>()) << split;
    EXPECT_EQ(nonzeros / N, summary[split]["nonzeros"].get<double>()) << split;
    // K-D Hard Concrete at initialisation: sparse, but not one-hot.
    EXPECT_GT(nonzeros / N, 1.0) << split;
    EXPECT_LT(nonzeros / N, config.vocab) << split;
  }
  // `mixdist eval` of the reported checkpoint logs the same games, under its own name.
  const run::RunEvaluation e = evaluate_run(dir, "test", "best", &log);
  EXPECT_EQ(e.evaluation_logs, std::vector<std::string>{dir + "/interactions_test_best.jsonl"});
  EXPECT_EQ(io::read_file(dir + "/interactions_test_best.jsonl"),
            io::read_file(dir + "/interactions_test.jsonl"));
}

TEST(SignalGameSteps, StepsPlanWholeEpochsAndAResumedRunKeepsItsStepsPerEpoch) {
  TempDir tmp;
  std::ostringstream log;
  EXPECT_EQ(run::epochs_for_steps(50000, 100), 500);
  EXPECT_EQ(run::epochs_for_steps(400, 100, 4), 4);
  expect_error_containing([] { run::epochs_for_steps(250, 100); },
                          "--steps 250 is not a positive multiple of the 100 steps per epoch");
  expect_error_containing([] { run::epochs_for_steps(0, 100); }, "--steps 0 is not a positive multiple");
  expect_error_containing([] { run::epochs_for_steps(-100, 100); },
                          "--steps -100 is not a positive multiple");
  expect_error_containing(
      [] { run::epochs_for_steps(400, 100, 3); },
      "--steps 400 and --epochs 3 disagree: at 100 steps per epoch, --steps 400 is --epochs 4");

  // A new run: --steps 8 at 4 steps per epoch is --epochs 2.
  GameConfig config = tiny_config(Channel::kGaussianSparsemax);
  config.steps_per_epoch = 4;
  run::RunOptions options = quiet(tmp.file("run"), log);
  const std::string planned = run::plan_steps(config.to_json(), "steps_per_epoch", 8, options);
  EXPECT_EQ(GameConfig::from_json(planned).epochs, 2);
  EXPECT_EQ(options.explicit_settings.at("epochs"), "--steps 8, i.e. --epochs");
  const run::RunResult r = run::train(info(), planned, options);
  ASSERT_TRUE(r.finished);
  EXPECT_EQ(r.steps, 8);
  EXPECT_EQ(r.epochs_completed, 2);
  // An --epochs that agrees is accepted, one that does not is refused.
  run::RunOptions both = quiet(tmp.file("other"), log);
  both.explicit_settings["epochs"] = "--epochs";
  GameConfig two = config;
  two.epochs = 2;
  EXPECT_EQ(GameConfig::from_json(run::plan_steps(two.to_json(), "steps_per_epoch", 8, both)).epochs, 2);
  two.epochs = 3;
  expect_error_containing([&] { run::plan_steps(two.to_json(), "steps_per_epoch", 8, both); },
                          "--steps 8 and --epochs 3 disagree");

  // Resumed: the steps count at the run's own 4 steps per epoch, not the preset's 100; 16 steps extend it
  // to 4 epochs, as --epochs 4 does.
  const GameConfig preset = make_preset(Channel::kGaussianSparsemax, "quick");
  run::RunOptions resume = quiet(tmp.file("run"), log);
  resume.resume = true;
  expect_error_containing([&] { run::plan_steps(preset.to_json(), "steps_per_epoch", 10, resume); },
                          "--steps 10 is not a positive multiple of the 4 steps per epoch");
  const std::string extended = run::plan_steps(preset.to_json(), "steps_per_epoch", 16, resume);
  const run::RunResult more = run::train(info(), extended, resume);
  ASSERT_TRUE(more.finished);
  EXPECT_EQ(more.steps, 16);
  EXPECT_EQ(more.epochs_completed, 4);
  EXPECT_EQ(GameConfig::from_json(io::read_file(tmp.file("run/config.json"))).epochs, 4);
  // Below the completed steps: refused as --epochs is, in the words of --steps.
  run::RunOptions shorter = quiet(tmp.file("run"), log);
  shorter.resume = true;
  const std::string three = run::plan_steps(preset.to_json(), "steps_per_epoch", 12, shorter);
  expect_error_containing([&] { run::train(info(), three, shorter); },
                          "with --steps 12, i.e. --epochs 3: it has already completed epoch 4");
}

TEST(SignalGameRun, BadInputIsOneClearMessageAndLeavesNoRunFolder) {
  TempDir tmp;
  std::ostringstream log;
  expect_error_containing([] { make_preset(parse_channel("gumbel"), "quick"); },
                          "unknown channel 'gumbel'; valid channels: gs, gs-st, kd-hard-concrete, "
                          "gaussian-sparsemax");
  // Missing MNIST: the error names the command that fetches it, and nothing is written.
  GameConfig real = make_preset(Channel::kGumbelSoftmax, "quick");
  std::filesystem::create_directories(tmp.file("empty-data"));
  real.data_dir = tmp.file("empty-data");
  expect_error_containing([&] { train_game(real, quiet(tmp.file("no-data-run"), log)); }, "make data");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("no-data-run")));
  // A run folder of another experiment.
  std::filesystem::create_directories(tmp.file("vae-run"));
  io::write_file_atomically(tmp.file("vae-run/config.json"),
                            "{\"experiment\": \"vae_mnist\", \"latent\": \"gaussian\", \"seed\": 10}");
  run::RunOptions resume = quiet(tmp.file("vae-run"), log);
  resume.resume = true;
  expect_error_containing([&] { train_game(tiny_config(Channel::kGumbelSoftmax), resume); },
                          "belongs to experiment 'vae_mnist', not 'signal_game'");
  expect_error_containing([&] { evaluate_run(tmp.file("vae-run"), "test", "last", &log); },
                          "belongs to experiment 'vae_mnist', not 'signal_game'");
  // An impossible setting names itself.
  GameConfig big = tiny_config(Channel::kGumbelSoftmax);
  big.game_size = 101;
  expect_error_containing([&] { train_game(big, quiet(tmp.file("big"), log)); },
                          "game_size must be in [2, concepts = 100]");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("big")));
}

}  // namespace
}  // namespace mixdist::experiments::signal_game
