// `mixdist train game` (tools/game.cpp) through the real program: --steps on the command line are epochs
// in steps, and bad ones are refused by name.
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

using mixdist::testing::TempDir;

#ifdef MIXDIST_CLI
// Runs the real `mixdist` with `args`, its output into `log`; its exit code.
int run_cli(const std::string& args, const std::string& log) {
  const int status =
      std::system((std::string(MIXDIST_CLI) + " --threads 2 " + args + " > " + log + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SignalGameCli, StepsOnTheCommandLineAreEpochsInStepsAndBadOnesAreRefusedByName) {
  TempDir tmp;
  const std::string dir = tmp.file("run"), log = tmp.file("log");
  // Refused before anything is loaded or written.
  EXPECT_EQ(run_cli("train game --channel gs --steps 250 --out " + dir, log), 1);
  EXPECT_NE(io::read_file(log).find("--steps 250 is not a positive multiple of the 100 steps per epoch"),
            std::string::npos)
      << io::read_file(log);
  EXPECT_EQ(run_cli("train game --channel gs --steps 400 --epochs 3 --out " + dir, log), 1);
  EXPECT_NE(io::read_file(log).find("--steps 400 and --epochs 3 disagree"), std::string::npos)
      << io::read_file(log);
  EXPECT_FALSE(std::filesystem::exists(dir));
  // The experiments without --steps refuse it, and run as before without it.
  EXPECT_NE(run_cli("train vae --latent gaussian --steps 4 --out " + dir, log), 0);
  EXPECT_NE(io::read_file(log).find("--steps"), std::string::npos) << io::read_file(log);
  EXPECT_EQ(run_cli("train vae --latent gaussian --preset nonesuch --out " + dir, log), 1);
  EXPECT_NE(io::read_file(log).find("unknown preset 'nonesuch'"), std::string::npos) << io::read_file(log);
  try {
    data::locate_mnist(data::Split::kTest);
  } catch (const c10::Error& e) {
    GTEST_SKIP() << "MNIST not available: " << e.what_without_backtrace();
  }
  // 4 steps at 2 per epoch, then --resume --steps 6 at the run's own 2 per epoch, then a refused shortening.
  const std::string game =
      "train game --channel gaussian-sparsemax --no-figures --validate-every 0 --out " + dir;
  ASSERT_EQ(run_cli(game + " --steps-per-epoch 2 --steps 4", log), 0) << io::read_file(log);
  EXPECT_EQ(GameConfig::from_json(io::read_file(dir + "/config.json")).epochs, 2);
  EXPECT_EQ(nlohmann::json::parse(io::read_file(dir + "/summary.json"))["steps"], 4);
  EXPECT_TRUE(std::filesystem::exists(dir + "/interactions_test.jsonl"));
  ASSERT_EQ(run_cli(game + " --resume --steps 6", log), 0) << io::read_file(log);
  EXPECT_EQ(GameConfig::from_json(io::read_file(dir + "/config.json")).epochs, 3);
  EXPECT_EQ(nlohmann::json::parse(io::read_file(dir + "/summary.json"))["steps"], 6);
  EXPECT_EQ(run_cli(game + " --resume --steps 2", log), 1);
  EXPECT_NE(io::read_file(log).find("with --steps 2, i.e. --epochs 1: it has already completed epoch 3"),
            std::string::npos)
      << io::read_file(log);
}
#endif

}  // namespace
}  // namespace mixdist::experiments::signal_game
