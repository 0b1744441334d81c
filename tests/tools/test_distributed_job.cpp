// The torchrun variables as the real `mixdist` program reads them (tools/distributed_job.cpp): a half-set
// environment or an experiment that cannot run data-parallel is one clear error before anything is written.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_process.h"
#include "ranks.h"
#include "temp_dir.h"

namespace {

using mixdist::testing::TempDir;

#ifdef MIXDIST_CLI
using mixdist::testing::run_cli;

// Sets the variables for the child processes this test starts, and removes them afterwards.
class Variables {
 public:
  explicit Variables(const std::vector<std::pair<std::string, std::string>>& values) {
    for (const auto& [name, value] : values) {
      ::setenv(name.c_str(), value.c_str(), 1);
      names_.push_back(name);
    }
  }
  ~Variables() {
    for (const auto& name : names_) ::unsetenv(name.c_str());
  }
  Variables(const Variables&) = delete;
  Variables& operator=(const Variables&) = delete;

 private:
  std::vector<std::string> names_;
};

TEST(CliDataParallel, AHalfSetEnvironmentIsRefusedByName) {
  TempDir tmp;
  const Variables v({{"RANK", "0"}, {"WORLD_SIZE", "2"}});
  std::string output;
  const int code =
      run_cli({"train", "vae", "--latent", "gaussian", "--out", tmp.file("run")}, tmp.file("log"), output);
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("RANK WORLD_SIZE set but MASTER_ADDR MASTER_PORT unset"), std::string::npos)
      << output;
  EXPECT_FALSE(std::filesystem::exists(tmp.file("run")));
}

TEST(CliDataParallel, ABadValueIsRefusedByNameAndValue) {
  TempDir tmp;
  const Variables v(
      {{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"}});
  std::string output;
  EXPECT_EQ(run_cli({"eval", tmp.file("run")}, tmp.file("log"), output), 1) << output;
  EXPECT_NE(output.find("RANK=2 is out of range: with WORLD_SIZE=2 it must be 0 .. 1"), std::string::npos)
      << output;
  EXPECT_NE(run_cli({"--dist-timeout", "0", "info"}, tmp.file("log2"), output), 0);
  EXPECT_NE(output.find("--dist-timeout"), std::string::npos) << output;
}

// The bit-vector VAE has no data-parallel path yet: a job of one rank says so (after loading its data, which
// it needs to build the experiment).
TEST(CliDataParallel, AnExperimentWithoutADataParallelPathRefuses) {
  TempDir tmp;
  const Variables v({{"RANK", "0"},
                     {"WORLD_SIZE", "1"},
                     {"MASTER_ADDR", "127.0.0.1"},
                     {"MASTER_PORT", std::to_string(mixdist::testing::free_port())}});
  std::string output;
  const int code =
      run_cli({"train", "bitvae", "--latent", "gs", "--out", tmp.file("run")}, tmp.file("log"), output);
  if (output.find("Fashion-MNIST") != std::string::npos && output.find("data-parallel") == std::string::npos)
    GTEST_SKIP() << "Fashion-MNIST is not installed: " << output;
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("experiment bitvector_vae does not support data-parallel runs yet"),
            std::string::npos)
      << output;
  EXPECT_FALSE(std::filesystem::exists(tmp.file("run/config.json")));
}
#endif

}  // namespace
