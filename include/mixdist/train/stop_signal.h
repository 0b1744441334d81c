// Cooperative Ctrl-C / SIGTERM for training loops: the first signal asks the loop to stop at the next step
// boundary (so it can write a checkpoint and the metrics it has), a second one kills the process as usual.
//
//   StopSignal::install();
//   for (...) { step(); if (StopSignal::requested()) { save_checkpoint(); break; } }
#pragma once

namespace mixdist::train {

class StopSignal {
 public:
  // Installs handlers for SIGINT and SIGTERM. The handler only sets an atomic flag (nothing else is safe in a
  // signal handler); the second signal received restores that signal's default action and re-raises it, so
  // a user can still force-quit a loop that never polls. Idempotent; the handlers in place before the first
  // install() are kept for uninstall(). Uses SA_RESTART so that blocking reads are not cut short.
  static void install();
  // Puts back the handlers that install() replaced (a no-op if not installed). For tests and for programs
  // that stop training and go on doing other work.
  static void uninstall();
  // Whether a stop was asked for, by a signal or by request(). Cheap: one atomic load.
  static bool requested();
  // Asks for a stop without a signal (e.g. from another thread, or a time limit).
  static void request();
  // Clears the flag and the count of signals received (the next signal is again a "first" one).
  static void reset();
};

}  // namespace mixdist::train
