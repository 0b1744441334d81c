#pragma once

/// @file
/// @brief Cooperative Ctrl-C / SIGTERM: the first signal asks a listening loop to stop at its next step.
///
/// Cooperative Ctrl-C / SIGTERM for training and evaluation loops: while a loop listens, the first signal
/// asks it to stop at its next step or batch boundary (so it can keep what it finished and say how to
/// resume); a second signal ends the process as usual.
///
/// @code
///   int main() {
///     StopSignal::install();  // first, before any thread is started
///     ...
///     const StopSignal::Listening listening;
///     for (...) { step(); if (StopSignal::requested()) { save_checkpoint(); break; } }
///   }
/// @endcode
///
/// No signal handler ever runs. install() blocks SIGINT and SIGTERM in the calling thread, so that every
/// thread started afterwards (OpenMP's, oneDNN's, the data loaders') inherits the block, and one dedicated
/// thread receives them with sigwait(). A handler would run on whatever thread the kernel picked, on that
/// thread's stack pointer, and oneDNN's JIT-compiled f32 GEMM kernels point the stack pointer into a heap
/// buffer while they run: a handler's frame pushed there overwrote malloc's bookkeeping, and the process
/// later aborted with "corrupted size vs. prev_size" (oneDNN issue #4845, fixed in oneDNN 3.11.2; Debian's
/// LibTorch ships an older one).

#include <stdexcept>
#include <string>

/// @brief Training building blocks: fused Adam, gradient clipping, progress, metrics, stop signals, RNG
///        state.
namespace mixdist::train {

/// Thrown by StopSignal::throw_if_requested: unwinds an evaluation (or any loop without a natural place to
/// return from) up to the code that knows what a stop means there.
class Stopped : public std::runtime_error {
 public:
  /// @param where what was stopped, e.g. "evaluation of 10000 images" (the message is built from it).
  explicit Stopped(const std::string& where);
};

/// The process-wide stop request: static functions only (install it once, then listen while a loop runs).
///
/// @code
/// mixdist::train::StopSignal::install();
/// const mixdist::train::StopSignal::Listening listening;
/// while (!mixdist::train::StopSignal::requested()) step();
/// @endcode
class StopSignal {
 public:
  /// Blocks SIGINT and SIGTERM in the calling thread and starts the thread that receives them. Call it first
  /// in main(): threads started before it keep the signals unblocked, and a signal the kernel hands to one of
  /// them ends the process at once (the default action) instead of asking for a stop. Idempotent;
  /// thread-safe.
  static void install();

  /// While at least one Listening object exists, the first SIGINT/SIGTERM sets requested() and prints a short
  /// note on stderr; every later one ends the process with that signal's default action. With none, a signal
  /// ends the process at once, as if mixdist had never touched it. Constructing one calls install() if nobody
  /// did (see install() for why that is late).
  class Listening {
   public:
    /// Starts listening (installing first if needed).
    Listening();
    /// Stops listening; with no Listening left, a signal ends the process at once again.
    ~Listening();
    Listening(const Listening&) = delete;             ///< Not copyable.
    Listening& operator=(const Listening&) = delete;  ///< Not copyable.
  };

  /// Whether a stop was asked for, by a signal or by request(). Cheap: one atomic load.
  /// @return true once a stop was requested (until reset()).
  static bool requested();
  /// Throws Stopped(where) if requested(); for loops that leave by exception (evaluations).
  /// @param where what is being stopped, for the exception's message.
  /// @throws Stopped if requested().
  static void throw_if_requested(const std::string& where);
  /// Asks for a stop without a signal (e.g. from another thread, a time limit, or a test).
  static void request();
  /// Clears the flag and the count of signals received (the next signal is again a "first" one).
  static void reset();
  /// Signals received while listening since the last reset() (for tests).
  /// @return the count.
  static int signals_received();
  /// The exit status of a process that stops on request: 128 + the first signal's number, as a shell reports
  /// a process that signal killed (130 for Ctrl-C, 143 for SIGTERM); 130 after request() alone.
  /// @return the exit status.
  static int exit_status();
};

}  // namespace mixdist::train
