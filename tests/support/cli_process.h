#pragma once

// The real `mixdist` program as a child process, for the tests of what only a process shows: exit codes,
// signals, messages on the terminal. Needs MIXDIST_CLI, the path of the built tool (tests/CMakeLists.txt).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mixdist/io/atomic_file.h"

extern char** environ;

namespace mixdist::testing {

#ifdef MIXDIST_CLI
using Clock = std::chrono::steady_clock;

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

inline std::string read_log(const std::string& path) {
  try {
    return mixdist::io::read_file(path);
  } catch (const std::exception&) {
    return "";
  }
}

// How a process ended, in words.
inline std::string outcome(int status) {
  if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
  return "exit " + std::to_string(WEXITSTATUS(status));
}

// Runs `mixdist args...` to its end (at most `seconds`) and returns its exit code (-1 if killed by a signal
// or still running) with its output in `output`.
inline int run_cli(const std::vector<std::string>& args, const std::string& log_path, std::string& output,
                   double seconds = 120) {
  Process p(args, log_path);
  const bool ended = p.wait(seconds);
  output = read_log(log_path);
  return ended && WIFEXITED(p.status()) ? WEXITSTATUS(p.status()) : -1;
}
#endif

}  // namespace mixdist::testing
