#include "mixdist/train/stop_signal.h"

#include <c10/util/Exception.h>
#include <fmt/core.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>
#include <thread>

namespace mixdist::train {
namespace {

std::atomic<bool> stop_requested{false};
std::atomic<int> signals_received_while_listening{0};
std::atomic<int> listeners{0};
std::atomic<int> first_signal{0};

std::mutex install_mutex;
pid_t installed_in = 0;  // the process whose watcher thread runs (a fork()ed child has none)

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Ends the process as the signal's default action would, so that a parent sees "killed by SIGINT".
[[noreturn]] void end_process_with(int signal_number) {
  struct sigaction default_action;
  std::memset(&default_action, 0, sizeof default_action);
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(signal_number, &default_action, nullptr);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, signal_number);
  pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  raise(signal_number);          // delivered to this thread, which no longer blocks it
  ::_exit(128 + signal_number);  // only if the default action did not end the process
}

void watch_signals(sigset_t set) {
  for (;;) {
    int signal_number = 0;
    if (sigwait(&set, &signal_number) != 0) continue;
    if (listeners.load() > 0 && signals_received_while_listening.fetch_add(1) == 0) {
      first_signal.store(signal_number);
      stop_requested.store(true);
      fmt::print(stderr,
                 "\n{} received: stopping at the next step or evaluation batch; send it again to quit at "
                 "once\n",
                 signal_number == SIGINT ? "Ctrl-C (SIGINT)" : "SIGTERM");
      std::fflush(stderr);
      continue;
    }
    end_process_with(signal_number);
  }
}

}  // namespace

Stopped::Stopped(const std::string& where) : std::runtime_error("stopped during " + where) {}

void StopSignal::install() {
  std::lock_guard<std::mutex> lock(install_mutex);
  if (installed_in == ::getpid()) return;
  const sigset_t set = stop_signals();
  const int error = pthread_sigmask(SIG_BLOCK, &set, nullptr);
  TORCH_CHECK(error == 0, "StopSignal::install: pthread_sigmask failed: ", std::strerror(error));
  std::thread(watch_signals, set).detach();  // inherits the block, as sigwait() requires
  installed_in = ::getpid();
}

StopSignal::Listening::Listening() {
  install();
  listeners.fetch_add(1);
}

StopSignal::Listening::~Listening() {
  listeners.fetch_sub(1);
}

bool StopSignal::requested() {
  return stop_requested.load(std::memory_order_relaxed);
}

void StopSignal::throw_if_requested(const std::string& where) {
  if (requested()) throw Stopped(where);
}

void StopSignal::request() {
  stop_requested.store(true);
}

void StopSignal::reset() {
  signals_received_while_listening.store(0);
  first_signal.store(0);
  stop_requested.store(false);
}

int StopSignal::signals_received() {
  return signals_received_while_listening.load();
}

int StopSignal::exit_status() {
  const int signal_number = first_signal.load();
  return 128 + (signal_number != 0 ? signal_number : SIGINT);
}

}  // namespace mixdist::train
