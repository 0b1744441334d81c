#pragma once

// One process at a time in a run folder. Two `mixdist train` commands started on the same --out would
// otherwise both write config.json, checkpoints and metrics, and the folder could end with one run's config
// and the other's results. The lock is flock(2) on <run folder>/.lock, which the kernel releases when the
// holder exits however it exits (a crash or kill -9 leaves no stale lock); the file holds the holder's PID so
// that the refusal can name it.

#include <string>

namespace mixdist::experiments::run {

class RunFolderLock {
 public:
  // Locks `run_dir` (which must exist) or throws c10::Error naming the folder and the PID that holds it.
  explicit RunFolderLock(const std::string& run_dir);
  ~RunFolderLock();
  RunFolderLock(const RunFolderLock&) = delete;
  RunFolderLock& operator=(const RunFolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace mixdist::experiments::run
