// Ctrl-C and SIGTERM sent to the real `mixdist` program at many points of training and evaluation, for every
// experiment: each time the process must end cleanly and soon (a stop note and exit 128 + signal, or death
// by that very signal while nothing listens, or exit 0 if it had finished), never by an abort or a crash,
// and the run folder must stay resumable; at the end an uninterrupted --resume finishes the run.
//
// The signal lands wherever the run is at that moment, so the place differs from try to try; what is
// asserted holds wherever it lands. The last signal of each experiment waits for its final evaluation, where
// a stop used to be ignored until the evaluation ended (and then exit 0), and where a signal handler running
// inside oneDNN's JIT GEMM corrupted the heap in most tries.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli_process.h"
#include "mixdist/data/mnist.h"
#include "temp_dir.h"

namespace {

using mixdist::testing::TempDir;

#ifdef MIXDIST_CLI
using mixdist::testing::Clock;
using mixdist::testing::outcome;
using mixdist::testing::Process;
using mixdist::testing::read_log;

// Waits up to `seconds` for `text` to appear in the log (or the process to end).
bool wait_for_text(Process& p, const std::string& log, const std::string& text, double seconds) {
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < until) {
    if (read_log(log).find(text) != std::string::npos) return true;
    if (p.wait(0.05)) return false;
  }
  return false;
}

struct Experiment {
  std::string name;
  std::vector<std::string> train_args;  // without --out / --resume
};

// Small settings on the real data sets: five short epochs whose validations take longer than their training
// steps, and a final evaluation of a few seconds. Every epoch ends with a line "epoch K/5: ...".
constexpr const char* kEpochLine = "/5: ";
std::vector<Experiment> experiments() {
  return {
      {"vae",
       {"train", "vae", "--latent", "gaussian", "--epochs", "5", "--train-size", "1000", "--valid-is-samples",
        "30", "--is-samples", "20", "--no-figures"}},
      {"bitvae",
       {"train", "bitvae", "--latent", "gaussian-sparsemax", "--epochs", "5", "--train-size", "1000",
        "--valid-is-samples", "4", "--is-samples", "4", "--no-figures"}},
      {"game",
       {"train", "game", "--channel", "gaussian-sparsemax", "--epochs", "5", "--steps-per-epoch", "20",
        "--no-figures"}},
  };
}

// The log's line that says where the run stopped, if any.
std::string stop_note(const std::string& log) {
  const size_t at = log.find("stopped during");
  return at == std::string::npos ? "(no stop note)" : log.substr(at, log.find('\n', at) - at);
}

// One interrupted try: the process ended, soon, cleanly, as the signal asked.
void expect_clean_stop(Process& p, int signal_number, const std::string& log, const std::string& where) {
  SCOPED_TRACE(where);
  ASSERT_TRUE(p.wait(5.0)) << "still running 5 s after the signal; log:\n" << read_log(log);
  const int status = p.status();
  const std::string text = read_log(log);
  EXPECT_EQ(text.find("corrupted"), std::string::npos) << text;
  EXPECT_EQ(text.find("terminate called"), std::string::npos) << text;
  if (WIFSIGNALED(status)) {
    // Only while nothing listens (loading data, before the first step): the default action, at once.
    EXPECT_EQ(WTERMSIG(status), signal_number) << text;
  } else {
    ASSERT_TRUE(WIFEXITED(status));
    const int code = WEXITSTATUS(status);
    if (code != 0) {
      EXPECT_EQ(code, 128 + signal_number) << text;
      EXPECT_NE(text.find("resume with"), std::string::npos) << text;
    }
  }
}

TEST(CliStop, SignalsAtManyPointsOfEveryExperimentEndCleanlyAndTheRunResumes) {
  try {
    mixdist::data::locate_mnist(mixdist::data::Split::kTest);
    mixdist::data::locate_fashion_mnist(mixdist::data::Split::kTest);
  } catch (const c10::Error& e) {
    GTEST_SKIP() << "MNIST or Fashion-MNIST is not installed (make data): " << e.what_without_backtrace();
  }
  TempDir tmp;
  for (const Experiment& e : experiments()) {
    SCOPED_TRACE(e.name);
    const std::string dir = tmp.file(e.name);
    // Where each try sends its signal, as (what to wait for in its log, then how many seconds more): 0.3 s
    // after the start (loading the data, before anything listens); a growing delay after the first epoch
    // line of the try (the next epoch's training steps, then its validation, which these settings make
    // longer than its steps); the final evaluation. Each mid-training try completes an epoch first, so the
    // run moves on however fast the machine is.
    const std::vector<std::pair<std::string, double>> points = {{"", 0.3},         {kEpochLine, 0.02},
                                                                {kEpochLine, 0.3}, {kEpochLine, 0.8},
                                                                {kEpochLine, 1.5}, {"final evaluation", 0.3}};
    int tries_with_folder = 0;
    for (size_t i = 0; i < points.size(); ++i) {
      const int signal_number = i % 2 == 0 ? SIGINT : SIGTERM;
      std::vector<std::string> args = e.train_args;
      args.insert(args.end(), {"--out", dir});
      const bool resume = std::filesystem::exists(dir + "/config.json");
      if (resume) args.push_back("--resume");
      tries_with_folder += resume;
      const std::string log = tmp.file(e.name + "-" + std::to_string(i) + ".log");
      Process p(args, log);
      const auto& [marker, delay] = points[i];
      if (!marker.empty() && !wait_for_text(p, log, marker, 120)) continue;  // it ended first
      if (p.wait(delay)) continue;                                           // finished before the signal
      const auto sent = Clock::now();
      p.signal(signal_number);
      expect_clean_stop(p, signal_number, log, "try " + std::to_string(i));
      const double seconds = std::chrono::duration<double>(Clock::now() - sent).count();
      std::cout << e.name << " try " << i << " (" << strsignal(signal_number) << "): " << outcome(p.status())
                << " after " << seconds << " s; " << stop_note(read_log(log)) << "\n";
      EXPECT_LT(seconds, 3.0) << "try " << i << " took " << seconds << " s to stop";
      if (marker == "final evaluation" && WIFEXITED(p.status()) && WEXITSTATUS(p.status()) != 0) {
        EXPECT_FALSE(std::filesystem::exists(dir + "/summary.json"))
            << "a stopped evaluation wrote a summary";
        EXPECT_NE(read_log(log).find("stopped during the final evaluation"), std::string::npos)
            << read_log(log);
      }
    }
    EXPECT_GT(tries_with_folder, 0);
    // Uninterrupted, the run finishes from whatever the signals left.
    std::vector<std::string> args = e.train_args;
    args.insert(args.end(), {"--out", dir});
    if (std::filesystem::exists(dir + "/config.json")) args.push_back("--resume");
    const std::string log = tmp.file(e.name + "-final.log");
    Process p(args, log);
    ASSERT_TRUE(p.wait(300)) << read_log(log);
    ASSERT_TRUE(WIFEXITED(p.status()) && WEXITSTATUS(p.status()) == 0) << read_log(log);
    EXPECT_TRUE(std::filesystem::exists(dir + "/summary.json")) << read_log(log);
  }
}

#else
TEST(CliStop, SignalsAtManyPointsOfEveryExperimentEndCleanlyAndTheRunResumes) {
  GTEST_SKIP() << "built without the mixdist tool (MIXDIST_BUILD_TOOLS=OFF)";
}
#endif

}  // namespace
