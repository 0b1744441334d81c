#include "mixdist/train/stop_signal.h"

#include <c10/util/Exception.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>

namespace mixdist::train {
namespace {

// Only lock-free atomics may be touched from a signal handler.
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "StopSignal needs lock-free atomics");

std::atomic<bool> stop_requested{false};
std::atomic<int> signals_received{0};

constexpr int kSignals[] = {SIGINT, SIGTERM};
struct sigaction previous_actions[2];
bool installed = false;
std::mutex install_mutex;  // install()/uninstall() from several threads must not interleave

void handle_stop_signal(int signal_number) {
  if (signals_received.fetch_add(1) == 0) {
    stop_requested.store(true);
    return;
  }
  // Second signal: behave as if we had never installed a handler. The signal is blocked while its handler
  // runs, so the re-raised one is delivered (with the default action) as soon as we return.
  struct sigaction default_action;
  std::memset(&default_action, 0, sizeof default_action);
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(signal_number, &default_action, nullptr);
  raise(signal_number);
}

}  // namespace

void StopSignal::install() {
  std::lock_guard<std::mutex> lock(install_mutex);
  if (installed) return;
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = handle_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int i = 0; i < 2; ++i) {
    if (sigaction(kSignals[i], &action, &previous_actions[i]) != 0) {
      const int error = errno;
      for (int j = 0; j < i; ++j) sigaction(kSignals[j], &previous_actions[j], nullptr);  // all or nothing
      TORCH_CHECK(false, "StopSignal::install: sigaction(", strsignal(kSignals[i]),
                  ") failed: ", std::strerror(error));
    }
  }
  installed = true;
}

void StopSignal::uninstall() {
  std::lock_guard<std::mutex> lock(install_mutex);
  if (!installed) return;
  for (int i = 0; i < 2; ++i) sigaction(kSignals[i], &previous_actions[i], nullptr);
  installed = false;
}

bool StopSignal::requested() {
  return stop_requested.load(std::memory_order_relaxed);
}

void StopSignal::request() {
  stop_requested.store(true);
}

void StopSignal::reset() {
  signals_received.store(0);
  stop_requested.store(false);
}

}  // namespace mixdist::train
