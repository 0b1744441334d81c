// experiments/run/checkpoint through the run layer on the toy experiment of toy_experiment.h: a contradicting
// config, a failed write, a flipped bit and version-one checkpoints.
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

TEST(RunLayerCheckpoint, AConfigThatContradictsTheCheckpointIsANamedError) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  RunOptions first = quiet(tmp.file("run"), log);
  first.stop_after_epoch = 2;
  train(info, config_to_json(config), first);
  // config.json edited by hand: another learning rate than the one the checkpoint was trained with.
  ToyConfig edited = config;
  edited.lr = 0.5;
  io::write_file_atomically(tmp.file("run/config.json"), config_to_json(edited));
  RunOptions resume = resuming(tmp.file("run"), log);
  expect_error_containing([&] { train(info, config_to_json(edited), resume); },
                          "lr 0.05 in the checkpoint, 0.5 in the config");
  expect_error_containing([&] { evaluate_run(info, tmp.file("run"), "test", "last", 0, nullptr); },
                          "lr 0.05 in the checkpoint, 0.5 in the config");
  // The planned epochs may differ: that is how a run is extended.
  io::write_file_atomically(tmp.file("run/config.json"), config_to_json(config));
  resume.explicit_settings = {{"epochs", "--epochs"}};
  ToyConfig longer = config;
  longer.epochs = 6;
  EXPECT_TRUE(train(info, config_to_json(longer), resume).finished);
}

// A checkpoint that cannot be written (the file-size limit fails write() as a full disk does) ends the run
// with one error naming the file and saying the previous checkpoint is intact: LibTorch's own file writer
// aborted the process instead. In a child process, since the limit is process-wide.
TEST(RunLayerCheckpoint, AFailedCheckpointWriteIsACleanErrorAndTheRunResumesLater) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  RunOptions first = quiet(tmp.file("run"), log);
  first.stop_after_epoch = 1;
  train(info, config_to_json(ToyConfig()), first);
  const auto size = std::filesystem::file_size(tmp.file("run/ckpt.last"));
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlim_t bytes = size / 2;  // config.json and metrics.csv fit, a checkpoint does not
    const struct rlimit limit = {bytes, bytes};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(2);
    std::ostringstream child_log;
    RunOptions resume = resuming(tmp.file("run"), child_log);
    try {
      train(info, config_to_json(ToyConfig()), resume);
    } catch (const c10::Error& e) {
      const std::string message = e.what_without_backtrace();
      ::_exit(message.find("cannot write " + tmp.file("run/ckpt.last")) != std::string::npos &&
                      message.find("is intact") != std::string::npos
                  ? 0
                  : 3);
    }
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The folder is as the first slice left it, and resumes.
  RunOptions resume = resuming(tmp.file("run"), log);
  EXPECT_TRUE(train(info, config_to_json(ToyConfig()), resume).finished);
}

TEST(RunLayerCheckpoint, AFlippedBitInAWeightIsRefusedByName) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  config.epochs = 1;
  train(info, config_to_json(config), quiet(tmp.file("run"), log));
  // Find the trained weight's float bytes in ckpt.last (they are stored raw) and flip one bit of them.
  auto toy = info.create(config_to_json(config));
  load_model(tmp.file("run/ckpt.last"), info, "sgd", toy->model());
  const float weight = toy->model().parameters()[0].item<float>();
  std::string bytes = io::read_file(tmp.file("run/ckpt.last"));
  const std::string needle(reinterpret_cast<const char*>(&weight), sizeof weight);
  const size_t at = bytes.find(needle);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = static_cast<char>(bytes[at + 1] ^ 0x04);
  io::write_file_atomically(tmp.file("run/ckpt.last"), bytes);
  expect_error_containing([&] { load_model(tmp.file("run/ckpt.last"), info, "sgd", toy->model()); },
                          "ckpt.last is damaged: the CRC-32 of its content");
  expect_error_containing([&] { evaluate_run(info, tmp.file("run"), "test", "last", 0, nullptr); },
                          "damaged");
}

TEST(RunLayerCheckpoint, VersionOneCheckpointsStillLoad) {
  // The layout of format_version 1 (before the checksum), written by hand.
  TempDir tmp;
  const ExperimentInfo info = toy_info();
  torch::manual_seed(3);
  auto toy = info.create(config_to_json(ToyConfig{}));
  torch::serialize::OutputArchive archive, model;
  toy->model().save(model);
  archive.write("experiment", c10::IValue(std::string("toy")));
  archive.write("method", c10::IValue(std::string("sgd")));
  archive.write("format_version", c10::IValue(int64_t{1}));
  archive.write("model", model);
  archive.write("epoch", c10::IValue(int64_t{2}));
  archive.write("step", c10::IValue(int64_t{4}));
  archive.save_to(tmp.file("v1.ckpt"));
  torch::manual_seed(4);
  auto other = info.create(config_to_json(ToyConfig{}));
  const Progress p = load_model(tmp.file("v1.ckpt"), info, "sgd", other->model());
  EXPECT_EQ(p.step, 4);
  EXPECT_TRUE(torch::equal(other->model().parameters()[0], toy->model().parameters()[0]));
}

}  // namespace
}  // namespace mixdist::experiments::run
