// train/stop_signal: the stop request, what the first and second signal do, and the signal mask of threads.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mixdist/train/evaluation_progress.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/progress.h"
#include "mixdist/train/stop_signal.h"
#include "temp_dir.h"
#include "test_util.h"

namespace {

using namespace mixdist::train;

TEST(StopSignal, RequestAndReset) {
  StopSignal::reset();
  EXPECT_FALSE(StopSignal::requested());
  EXPECT_NO_THROW(StopSignal::throw_if_requested("nothing"));
  StopSignal::request();
  EXPECT_TRUE(StopSignal::requested());
  EXPECT_THROW(StopSignal::throw_if_requested("a test"), Stopped);
  EXPECT_EQ(StopSignal::exit_status(), 128 + SIGINT);
  StopSignal::reset();
  EXPECT_FALSE(StopSignal::requested());
}

// Runs `child` in a fork()ed process (the expected outcomes include death by a signal) and returns its wait
// status. The child is single-threaded, as a program is when main() calls StopSignal::install().
template <typename F>
int status_of_child(F child) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    child();
    ::_exit(0);
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return status;
}

// Polls for up to 10 s: the watcher thread sets the flag asynchronously.
bool wait_for_stop_request() {
  for (int i = 0; i < 1000 && !StopSignal::requested(); ++i) ::usleep(10000);
  return StopSignal::requested();
}

TEST(StopSignal, WhileListeningTheFirstSignalAsksForAStopAndTheSecondEndsTheProcess) {
  const int status = status_of_child([] {
    StopSignal::install();
    StopSignal::reset();
    const StopSignal::Listening listening;
    ::kill(::getpid(), SIGTERM);  // to the process, as `kill PID` sends it
    if (!wait_for_stop_request()) ::_exit(2);
    if (StopSignal::exit_status() != 128 + SIGTERM) ::_exit(3);
    ::kill(::getpid(), SIGINT);  // the second signal, of either kind, gets the default action
    ::sleep(10);
    ::_exit(4);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited with code " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGINT);
}

TEST(StopSignal, WithNobodyListeningASignalEndsTheProcessAtOnce) {
  const int status = status_of_child([] {
    StopSignal::install();
    StopSignal::reset();
    { const StopSignal::Listening listened_and_gone; }
    ::kill(::getpid(), SIGTERM);
    ::sleep(10);
    ::_exit(StopSignal::requested() ? 2 : 3);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited with code " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

// No thread but the watcher may ever take the signals: a handler running on a thread inside oneDNN's JIT GEMM
// corrupts the heap. Threads started after install() inherit the block, including LibTorch's workers.
TEST(StopSignal, ThreadsStartedAfterInstallBlockTheSignals) {
  const int status = status_of_child([] {
    StopSignal::install();
    bool blocked_in_new_thread = false;
    std::thread([&] {
      sigset_t mask;
      pthread_sigmask(SIG_BLOCK, nullptr, &mask);
      blocked_in_new_thread = sigismember(&mask, SIGINT) == 1 && sigismember(&mask, SIGTERM) == 1;
    }).join();
    ::_exit(blocked_in_new_thread ? 0 : 2);
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
