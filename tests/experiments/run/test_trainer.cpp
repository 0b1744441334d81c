// The shared run layer (experiments/run/) on a toy experiment whose numbers are known in closed form: least
// squares on a fixed data set with plain SGD, so that each epoch's validation loss can be checked against an
// independent computation. Checks the schedule and resume, which checkpoint the summary reports (the best
// one, chosen by a maximised metric here), the metrics table's schema, and the comparison over seeds with the
// standard error, across two experiments at once.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "mixdist/experiments/run/checkpoint.h"
#include "mixdist/experiments/run/compare.h"
#include "mixdist/experiments/run/config_json.h"
#include "mixdist/experiments/run/run_lock.h"
#include "mixdist/experiments/run/trainer.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/stop_signal.h"
#include "temp_dir.h"
#include "test_util.h"
#include "toy_experiment.h"

namespace mixdist::experiments::run {
namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::TempDir;

TEST(RunLayer, ValidationLossesMatchAnIndependentReplayOfTheSameSteps) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  const ToyConfig config;
  ASSERT_TRUE(train(info, config_to_json(config), quiet(tmp.file("run"), log)).finished);

  // The same seed, initialisation, permutations and SGD steps, written out by hand.
  torch::manual_seed(config.seed);
  torch::nn::Linear replay(torch::nn::LinearOptions(1, 1));
  torch::optim::SGD sgd(replay->parameters(), torch::optim::SGDOptions(config.lr));
  const auto x = torch::linspace(-1, 1, 8).unsqueeze(1), y = 2 * x + 1;
  const auto table = train::MetricsTable::load(
      tmp.file("run/metrics.csv"), {"epoch", "step", "seconds", "train_loss", "valid_loss", "valid_score"});
  ASSERT_EQ(table.num_rows(), 4u);
  for (size_t epoch = 0; epoch < 4; ++epoch) {
    const auto order = torch::randperm(8);
    for (int s = 0; s < 2; ++s) {
      const auto idx = order.slice(0, 4 * s, 4 * s + 4);
      const auto loss = (replay->forward(x.index_select(0, idx)) - y.index_select(0, idx)).pow(2).mean();
      sgd.zero_grad();
      loss.backward();
      sgd.step();
    }
    torch::NoGradGuard no_grad;
    const double expected = (replay->forward(x) - y).pow(2).mean().item<double>();
    EXPECT_DOUBLE_EQ(table.value(epoch, "valid_loss"), expected) << "epoch " << epoch + 1;
    EXPECT_EQ(table.value(epoch, "step"), double(2 * (epoch + 1)));
  }
}

TEST(RunLayer, ResumedSlicesEqualOneRunAndTheSummaryReportsTheBestCheckpoint) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  config.lr = 0.6;  // large enough that the loss is not monotone: the best epoch is not the last
  train(info, config_to_json(config), quiet(tmp.file("whole"), log));
  RunOptions first = quiet(tmp.file("sliced"), log);
  first.stop_after_epoch = 1;
  EXPECT_FALSE(train(info, config_to_json(config), first).finished);
  RunOptions second = resuming(tmp.file("sliced"), log);
  EXPECT_TRUE(train(info, config_to_json(config), second).finished);
  const auto a = toy_metrics(tmp.file("whole/metrics.csv"));
  const auto b = toy_metrics(tmp.file("sliced/metrics.csv"));
  ASSERT_EQ(a.num_rows(), b.num_rows());
  size_t best_row = 0;
  for (size_t r = 0; r < a.num_rows(); ++r) {
    EXPECT_EQ(a.value(r, "valid_loss"), b.value(r, "valid_loss"));
    if (a.value(r, "valid_score") > a.value(best_row, "valid_score")) best_row = r;
  }
  const nlohmann::json summary = read_json(tmp.file("whole/summary.json"));
  EXPECT_EQ(summary["checkpoint"], "best");
  EXPECT_DOUBLE_EQ(summary["best_valid_score"].get<double>(), a.value(best_row, "valid_score"));
  // The final evaluation is of ckpt.best: the same model as that epoch's validation.
  EXPECT_DOUBLE_EQ(summary["test"]["loss"].get<double>(), a.value(best_row, "valid_loss"));
  if (best_row + 1 != a.num_rows()) {
    EXPECT_EQ(summary["checkpoint_epoch"].get<int64_t>(), int64_t(best_row + 1));
  }
  EXPECT_EQ(summary["method"], "sgd");
}

// A stop request at the given split and epoch, as the signal watcher makes it when Ctrl-C arrives there.
struct StopAt {
  StopAt(std::string split, int64_t epoch) {
    train::StopSignal::reset();
    evaluation_hook = [split, epoch](const std::string& s, int64_t e) {
      if (s != split || e != epoch) return;
      train::StopSignal::request();
      train::StopSignal::throw_if_requested("a toy evaluation");
    };
  }
  ~StopAt() {
    evaluation_hook = nullptr;
    train::StopSignal::reset();
  }
};

TEST(RunLayerStop, AStopDuringTheFinalEvaluationKeepsTheEpochsAndResumeEvaluatesThem) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  const ToyConfig config;
  ASSERT_TRUE(train(info, config_to_json(config), quiet(tmp.file("whole"), log)).finished);
  {
    const StopAt stop("test", config.epochs);
    const RunResult r = train(info, config_to_json(config), quiet(tmp.file("stopped"), log));
    EXPECT_TRUE(r.stopped);
    EXPECT_TRUE(r.finished);
    EXPECT_EQ(r.epochs_completed, config.epochs);
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.file("stopped/summary.json")));
  EXPECT_NE(log.str().find("stopped during the final evaluation"), std::string::npos) << log.str();
  RunOptions resume = resuming(tmp.file("stopped"), log);
  const RunResult r = train(info, config_to_json(config), resume);
  EXPECT_FALSE(r.stopped);
  const nlohmann::json a = read_json(tmp.file("whole/summary.json")),
                       b = read_json(tmp.file("stopped/summary.json"));
  EXPECT_EQ(a["test"], b["test"]);
  EXPECT_EQ(a["valid"], b["valid"]);
}

TEST(RunLayerStop, AStopDuringAValidationDropsThatEpochAndResumeRedoesIt) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  config.lr = 0.6;
  ASSERT_TRUE(train(info, config_to_json(config), quiet(tmp.file("whole"), log)).finished);
  {
    const StopAt stop("valid", 2);
    const RunResult r = train(info, config_to_json(config), quiet(tmp.file("stopped"), log));
    EXPECT_TRUE(r.stopped);
    EXPECT_FALSE(r.finished);
    EXPECT_EQ(r.epochs_completed, 1);
  }
  RunOptions resume = resuming(tmp.file("stopped"), log);
  ASSERT_TRUE(train(info, config_to_json(config), resume).finished);
  const auto a = toy_metrics(tmp.file("whole/metrics.csv"));
  const auto b = toy_metrics(tmp.file("stopped/metrics.csv"));
  ASSERT_EQ(a.num_rows(), b.num_rows());
  for (size_t r = 0; r < a.num_rows(); ++r) EXPECT_EQ(a.value(r, "valid_loss"), b.value(r, "valid_loss"));
}

TEST(RunLayer, ARunIsFinishedOnlyOnceItsPicturesAreDrawn) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  RunOptions options = quiet(tmp.file("run"), log);
  options.figures = true;
  figures_fail = true;
  EXPECT_THROW(train(info, config_to_json(ToyConfig()), options), std::runtime_error);
  figures_fail = false;
  // summary.json is what marks a finished run, and it comes after the pictures.
  EXPECT_FALSE(std::filesystem::exists(tmp.file("run/summary.json")));
  RunOptions resume = resuming(tmp.file("run"), log);
  resume.figures = true;
  EXPECT_TRUE(train(info, config_to_json(ToyConfig()), resume).finished);
  EXPECT_TRUE(std::filesystem::exists(tmp.file("run/figure.txt")));
  EXPECT_TRUE(std::filesystem::exists(tmp.file("run/summary.json")));
}

TEST(RunLayer, ATrainingRemovesTheTemporaryFilesOfAKilledWrite) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  RunOptions first = quiet(tmp.file("run"), log);
  first.stop_after_epoch = 1;
  train(info, config_to_json(ToyConfig()), first);
  io::write_file_atomically(tmp.file("run/.ckpt.tmp-Ab12Cd"), "half a checkpoint");
  RunOptions resume = resuming(tmp.file("run"), log);
  ASSERT_TRUE(train(info, config_to_json(ToyConfig()), resume).finished);
  EXPECT_FALSE(std::filesystem::exists(tmp.file("run/.ckpt.tmp-Ab12Cd")));
  EXPECT_NE(log.str().find("removed 1 unfinished temporary file"), std::string::npos) << log.str();
}

TEST(RunLayer, RefusesAnotherExperimentsFolderAndWritesNothingForABadConfig) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig bad;
  bad.epochs = 0;
  expect_error_containing([&] { train(info, config_to_json(bad), quiet(tmp.file("bad"), log)); },
                          "epochs must be >= 1, got 0");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("bad")));
  std::filesystem::create_directories(tmp.file("other"));
  io::write_file_atomically(tmp.file("other/config.json"), "{\"experiment\": \"signal_game\", \"seed\": 1}");
  RunOptions resume = resuming(tmp.file("other"), log);
  expect_error_containing([&] { train(info, config_to_json(ToyConfig{}), resume); },
                          "belongs to experiment 'signal_game', not 'toy'");
  expect_error_containing([&] { evaluate_run(info, tmp.file("other"), "test", "last", 0); },
                          "belongs to experiment 'signal_game', not 'toy'");
  expect_error_containing([&] { config_from_json<ToyConfig>("{\"experiment\": \"toy\", \"lr\": 1}", "toy"); },
                          "missing key 'method'");
  // Integers are integers (no silent truncation of 1.9 to 1), and seeds are not negative.
  expect_error_containing(
      [&] {
        config_from_json<ToyConfig>(
            R"({"experiment": "toy", "method": "sgd", "preset": "quick", "seed": 1, "epochs": 1.9, "lr": 1})",
            "toy");
      },
      "key 'epochs' must be an integer, got 1.9");
  ToyConfig negative;
  negative.seed = -1;
  expect_error_containing([&] { train(info, config_to_json(negative), quiet(tmp.file("neg"), log)); },
                          "seed must be >= 0, got -1");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("neg")));
}

TEST(RunLayer, AFolderWithCompletedEpochsButNoLastCheckpointIsNotRetrainedOverIt) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  config.epochs = 3;
  RunOptions first = quiet(tmp.file("run"), log);
  first.stop_after_epoch = 2;
  train(info, config_to_json(config), first);
  std::filesystem::remove(tmp.file("run/ckpt.last"));
  const std::string metrics = io::read_file(tmp.file("run/metrics.csv"));
  RunOptions resume = resuming(tmp.file("run"), log);
  expect_error_containing([&] { train(info, config_to_json(config), resume); },
                          "has completed epochs (metrics.csv) but no ckpt.last");
  EXPECT_EQ(io::read_file(tmp.file("run/metrics.csv")), metrics);
}

}  // namespace
}  // namespace mixdist::experiments::run
