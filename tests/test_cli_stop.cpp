// Ctrl-C and SIGTERM sent to the real `mixdist` program at many points of training and evaluation, for every
// experiment: each time the process must end cleanly and soon (a stop note and exit 128 + signal, or death
// by that very signal while nothing listens, or exit 0 if it had finished), never by an abort or a crash,
// and the run folder must stay resumable; at the end an uninterrupted --resume finishes the run.
//
// The signal lands wherever the run is at that moment, so the place differs from try to try; what is
// asserted holds wherever it lands. The last signal of each experiment waits for its final evaluation, where
// a stop used to be ignored until the evaluation ended (and then exit 0), and where a signal handler running
// inside oneDNN's JIT GEMM corrupted the heap in most tries.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "mixdist/data/mnist.h"
#include "mixdist/io/atomic_file.h"
#include "temp_dir.h"

extern char** environ;

namespace {

using mixdist::testing::TempDir;
using Clock = std::chrono::steady_clock;

#ifdef MIXDIST_CLI

// A `mixdist` process whose stdout and stderr go to one log file.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::string& log_path) {
    std::vector<std::string> argv_storage = {MIXDIST_CLI};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&files, 1, 2);
    // The child starts as from a terminal: nothing blocked or ignored, whatever this test process inherited.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, stop_signals;
    sigemptyset(&none);
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &stop_signals);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const int error = posix_spawn(&pid_, MIXDIST_CLI, &files, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) throw std::runtime_error("posix_spawn " MIXDIST_CLI " failed");
  }
  ~Process() {
    if (!done_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
    }
  }

  void signal(int signal_number) const { ::kill(pid_, signal_number); }
  // Whether it ended within `seconds`; its wait status in status().
  bool wait(double seconds) {
    const auto until = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < until) {
      if (::waitpid(pid_, &status_, WNOHANG) == pid_) return done_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  int status() const { return status_; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool done_ = false;
};

std::string read_log(const std::string& path) {
  try {
    return mixdist::io::read_file(path);
  } catch (const std::exception&) {
    return "";
  }
}

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

// Small settings: two short epochs and a final evaluation of a few seconds, on the real data sets.
std::vector<Experiment> experiments() {
  return {
      {"vae",
       {"train", "vae", "--latent", "gaussian", "--epochs", "2", "--train-size", "1000", "--valid-is-samples",
        "5", "--is-samples", "20", "--no-figures"}},
      {"bitvae",
       {"train", "bitvae", "--latent", "gaussian-sparsemax", "--epochs", "2", "--train-size", "1000",
        "--valid-is-samples", "0", "--is-samples", "4", "--no-figures"}},
      {"game",
       {"train", "game", "--channel", "gaussian-sparsemax", "--epochs", "2", "--steps-per-epoch", "20",
        "--no-figures"}},
  };
}

std::string outcome(int status) {
  if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
  return "exit " + std::to_string(WEXITSTATUS(status));
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
    // Signals at growing delays after the start (data loading, training steps, validations), then one
    // that waits for the final evaluation.
    const std::vector<double> delays = {0.3, 2.0, 3.0, 4.0, -1.0};
    int tries_with_folder = 0;
    for (size_t i = 0; i < delays.size(); ++i) {
      const int signal_number = i % 2 == 0 ? SIGINT : SIGTERM;
      std::vector<std::string> args = e.train_args;
      args.insert(args.end(), {"--out", dir});
      const bool resume = std::filesystem::exists(dir + "/config.json");
      if (resume) args.push_back("--resume");
      tries_with_folder += resume;
      const std::string log = tmp.file(e.name + "-" + std::to_string(i) + ".log");
      Process p(args, log);
      if (delays[i] >= 0) {
        if (p.wait(delays[i])) continue;  // finished before the signal
      } else {
        if (!wait_for_text(p, log, "final evaluation", 120)) continue;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
      }
      const auto sent = Clock::now();
      p.signal(signal_number);
      expect_clean_stop(p, signal_number, log, "try " + std::to_string(i));
      const double seconds = std::chrono::duration<double>(Clock::now() - sent).count();
      std::cout << e.name << " try " << i << " (" << strsignal(signal_number) << "): " << outcome(p.status())
                << " after " << seconds << " s; " << stop_note(read_log(log)) << "\n";
      EXPECT_LT(seconds, 3.0) << "try " << i << " took " << seconds << " s to stop";
      if (delays[i] < 0 && WIFEXITED(p.status()) && WEXITSTATUS(p.status()) != 0) {
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
