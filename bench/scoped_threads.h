#pragma once

// Runs one benchmark on a given number of ATen threads and restores the previous count afterwards (the bench
// binary's main sets 1 thread for the sparse-map tables).

#include <ATen/Parallel.h>

namespace mixdist::bench {

class ScopedThreads {
 public:
  explicit ScopedThreads(int threads) : previous_(at::get_num_threads()) { at::set_num_threads(threads); }
  ~ScopedThreads() { at::set_num_threads(previous_); }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int previous_;
};

}  // namespace mixdist::bench
