#pragma once

/// @file
/// @brief An exclusive lock on a run folder, so that two processes never write one run.
///
/// One process at a time in a run folder. Two `mixdist train` commands started on the same --out would
/// otherwise both write config.json, checkpoints and metrics, and the folder could end with one run's config
/// and the other's results. The lock is flock(2) on `<run folder>/.lock`, which the kernel releases when the
/// holder exits however it exits (a crash or kill -9 leaves no stale lock); the file holds the holder's PID
/// so that the refusal can name it.

#include <string>

namespace mixdist::experiments::run {

/// Holds the lock of a run folder from construction to destruction (RAII; not copyable).
///
/// run::train and run::evaluate_run take it. While it is held, locking the same folder again is refused, in
/// any process (this one included: each lock opens the file anew).
///
/// @code
/// const mixdist::experiments::run::RunFolderLock lock("runs/x");
/// @endcode
class RunFolderLock {
 public:
  /// Locks `run_dir` (which must exist), creating its .lock file if needed and writing this process's PID
  /// into it.
  /// @throws c10::Error naming the folder and the PID that holds it, or naming the lock file if it cannot be
  ///   opened or locked for another reason.
  explicit RunFolderLock(const std::string& run_dir);
  /// Releases the lock (the .lock file stays).
  ~RunFolderLock();
  RunFolderLock(const RunFolderLock&) = delete;
  RunFolderLock& operator=(const RunFolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace mixdist::experiments::run
