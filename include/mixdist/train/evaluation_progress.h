// Progress of a long evaluation (an importance-sampled NLL over 10,000 images takes minutes to hours), and
// the place where it stops on request. An evaluation loop makes one and calls before_batch() at each batch:
//
//   EvaluationProgress progress(n);
//   for (int64_t begin = 0; begin < n; begin += B) { progress.before_batch(begin); ... }
//
// Short evaluations (the per-epoch validations) print nothing; from `interval_seconds` on, one line per
// interval tells how far it is and how long it will take:
//   evaluating 10000 images: 3200 done (32%), 2:13 elapsed, about 4:43 left
#pragma once

#include <cstdint>
#include <iostream>
#include <string>

#include "mixdist/train/progress.h"

namespace mixdist::train {

// The line above; "about ?:?? left" before any item is done.
std::string format_evaluation_progress(int64_t done, int64_t total, double elapsed_seconds,
                                       const std::string& what = "images");

class EvaluationProgress {
 public:
  // `total` items (images, games) to evaluate; lines go to `stream` (must outlive this object).
  explicit EvaluationProgress(int64_t total, std::string what = "images", std::ostream* stream = &std::cerr,
                              double interval_seconds = 30);
  // Throws Stopped if a stop was requested (StopSignal), then prints a progress line if the last one (or the
  // start) is at least interval_seconds ago. `done`: the items finished before this batch.
  void before_batch(int64_t done);

 private:
  using Clock = std::chrono::steady_clock;
  int64_t total_;
  std::string what_;
  std::ostream* stream_;
  double interval_seconds_;
  Clock::time_point start_, last_line_;
};

}  // namespace mixdist::train
