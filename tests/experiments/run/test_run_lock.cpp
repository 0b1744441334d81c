// experiments/run/run_lock: a second process in the same run folder is refused, naming the holder; on the toy
// experiment of toy_experiment.h.
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

TEST(RunLayer, ASecondProcessInTheSameRunFolderIsRefusedNamingTheHolder) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  config.epochs = 1;
  train(info, config_to_json(config), quiet(tmp.file("run"), log));
  {
    // flock locks belong to open file descriptions, so a second lock in this process conflicts like another
    // process's would.
    const RunFolderLock holder(tmp.file("run"));
    RunOptions resume = resuming(tmp.file("run"), log);
    const std::string pid = std::to_string(::getpid());
    expect_error_containing([&] { train(info, config_to_json(config), resume); },
                            "is in use by another mixdist process (PID " + pid + ")");
    expect_error_containing([&] { evaluate_run(info, tmp.file("run"), "test", "last", 0); }, "PID " + pid);
    expect_error_containing([&] { RunFolderLock again(tmp.file("run")); }, "in use");
  }
  // Released with its holder: the run can be evaluated again.
  EXPECT_NO_THROW(evaluate_run(info, tmp.file("run"), "test", "last", 0, nullptr));
}

}  // namespace
}  // namespace mixdist::experiments::run
