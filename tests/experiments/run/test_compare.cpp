// experiments/run/compare on toy runs (toy_experiment.h): grouping by experiment, each one's spread, and runs
// that differ in a setting other than the seed.
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

TEST(RunLayerCompare, GroupsByExperimentAndUsesEachOnesSpread) {
  TempDir tmp;
  std::vector<ExperimentInfo> experiments = {toy_info(), toy_info()};
  experiments[1].name = "toy_pop";
  experiments[1].title = "Toy with population std";
  experiments[1].spread = ExperimentInfo::Spread::kPopulationStd;
  std::vector<RunSummary> runs;
  for (const std::string name : {"toy", "toy_pop"}) {
    for (int seed : {1, 2, 3}) {
      const std::string dir = tmp.file(name + std::to_string(seed));
      std::filesystem::create_directories(dir);
      nlohmann::json j;
      j["experiment"] = name;
      j["method"] = "sgd";
      j["preset"] = "quick";
      j["seed"] = seed;
      j["test"] = {{"loss", double(seed)}};
      io::write_file_atomically(dir + "/summary.json", j.dump());
      runs.push_back(read_run_summary(experiments, dir, "test"));
    }
  }
  // A run whose distinguishing setting differs from its default is another method.
  experiments[0].distinguishing_settings = {{"mode", "plain"}};
  {
    const std::string dir = tmp.file("toy-other");
    std::filesystem::create_directories(dir);
    io::write_file_atomically(dir + "/summary.json",
                              R"({"experiment": "toy", "method": "sgd", "mode": "other",
                                                          "preset": "quick", "seed": 1, "test": {"loss": 7}})");
    const RunSummary other = read_run_summary(experiments, dir, "test");
    EXPECT_EQ(other.variant, "sgd (mode other)");
    runs.insert(runs.begin(), other);
  }
  runs.push_back(runs.back());  // the same folder named twice counts once
  runs.back().run_dir = tmp.file("toy_pop3/.");
  auto rows = compare_runs(experiments, runs);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].variant, "sgd (mode other)");  // right after its plain variant
  EXPECT_DOUBLE_EQ(rows[1].mean[0], 7.0);
  rows.erase(rows.begin() + 1);
  EXPECT_EQ(rows[0].experiment, "toy");
  EXPECT_DOUBLE_EQ(rows[0].mean[0], 2.0);
  EXPECT_NEAR(rows[0].spread[0], 1.0 / std::sqrt(3.0), 1e-15);  // sample std 1, over sqrt(3)
  EXPECT_NEAR(rows[1].spread[0], std::sqrt(2.0 / 3.0), 1e-15);  // population std
  const std::string md = comparison_markdown(experiments, rows, "test");
  EXPECT_NE(md.find("| sgd | quick | 3 | 2.000 ± 0.577 |"), std::string::npos) << md;
  EXPECT_NE(md.find("mean ± standard error"), std::string::npos);
  EXPECT_NE(md.find("Toy with population std (toy_pop)"), std::string::npos);
  EXPECT_NE(comparison_csv(experiments, rows).find("toy,sgd,quick,3,loss,2,"), std::string::npos);
  expect_error_containing([&] { find_experiment(experiments, "game"); }, "knows: toy, toy_pop");
}

TEST(RunLayerCompare, RunsThatDifferInAnySettingButTheSeedAreNotAveragedTogether) {
  TempDir tmp;
  const std::vector<ExperimentInfo> experiments = {toy_info()};
  std::vector<RunSummary> runs;
  const std::vector<std::tuple<int64_t, int64_t, double>> seeds_epochs_loss = {
      {1, 4, 1.0}, {2, 4, 3.0}, {3, 6, 10.0}};
  for (const auto& [seed, epochs, loss] : seeds_epochs_loss) {
    const std::string dir = tmp.file("run" + std::to_string(seed));
    std::filesystem::create_directories(dir);
    ToyConfig config;
    config.seed = seed;
    config.epochs = epochs;
    io::write_file_atomically(dir + "/config.json", config_to_json(config));
    nlohmann::json j = {{"experiment", "toy"}, {"method", "sgd"}, {"preset", "quick"}, {"seed", seed}};
    j["test"] = {{"loss", loss}};
    io::write_file_atomically(dir + "/summary.json", j.dump());
    runs.push_back(read_run_summary(experiments, dir, "test"));
  }
  const auto rows = compare_runs(experiments, runs);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].variant, "sgd (epochs 4)");
  EXPECT_EQ(rows[0].runs, 2);
  EXPECT_DOUBLE_EQ(rows[0].mean[0], 2.0);
  EXPECT_EQ(rows[1].variant, "sgd (epochs 6)");
  EXPECT_EQ(rows[1].runs, 1);
  // Seeds alone never split a row.
  runs.pop_back();
  const auto same = compare_runs(experiments, runs);
  ASSERT_EQ(same.size(), 1u);
  EXPECT_EQ(same[0].variant, "sgd");
}

TEST(RunLayerCompare, CsvQuotesAVariantLabelWithACommaOrQuote) {
  ComparisonRow row;
  row.experiment = "toy";
  row.variant = "sgd (epochs 4, mode \"x\")";
  row.preset = "quick";
  row.runs = 2;
  row.mean = {1.5};
  row.spread = {0.25};
  const std::string csv = comparison_csv({toy_info()}, {row});
  EXPECT_NE(csv.find("toy,\"sgd (epochs 4, mode \"\"x\"\")\",quick,2,loss,1.5,0.25,"), std::string::npos)
      << csv;
}

}  // namespace
}  // namespace mixdist::experiments::run
