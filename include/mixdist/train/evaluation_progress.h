#pragma once

/// @file
/// @brief Progress lines for long evaluations, and the place where they stop on request.
///
/// Progress of a long evaluation (an importance-sampled NLL over 10,000 images takes minutes to hours), and
/// the place where it stops on request. An evaluation loop makes one and calls before_batch() at each batch:
///
/// @code
///   EvaluationProgress progress(n);
///   for (int64_t begin = 0; begin < n; begin += B) { progress.before_batch(begin); ... }
/// @endcode
///
/// Short evaluations (the per-epoch validations) print nothing; from `interval_seconds` on, one line per
/// interval tells how far it is and how long it will take:
///
///     evaluating 10000 images: 3200 done (32%), 2:13 elapsed, about 4:43 left

#include <cstdint>
#include <iostream>
#include <string>

#include "mixdist/train/progress.h"

namespace mixdist::train {

/// The progress line shown above; "about ?:?? left" before any item is done.
///
/// @param done            items finished.
/// @param total           items in all.
/// @param elapsed_seconds seconds since the evaluation started.
/// @param what            what an item is, plural ("images", "games").
/// @return the line, without a newline.
std::string format_evaluation_progress(int64_t done, int64_t total, double elapsed_seconds,
                                       const std::string& what = "images");

/// Prints a progress line every interval_seconds of a long evaluation and stops it on request (StopSignal).
///
/// @code
/// mixdist::train::EvaluationProgress progress(10000);
/// for (int64_t begin = 0; begin < 10000; begin += 100) { progress.before_batch(begin); /* ... */ }
/// @endcode
class EvaluationProgress {
 public:
  /// Starts the clock.
  /// @param total            items (images, games) to evaluate, >= 0.
  /// @param what             what an item is, plural.
  /// @param stream           where lines go; not null, must outlive this object.
  /// @param interval_seconds seconds between lines (and before the first one).
  /// @throws c10::Error if stream is null or total < 0.
  explicit EvaluationProgress(int64_t total, std::string what = "images", std::ostream* stream = &std::cerr,
                              double interval_seconds = 30);
  /// Throws Stopped if a stop was requested (StopSignal), then prints a progress line if the last one (or the
  /// start) is at least interval_seconds ago.
  /// @param done the items finished before this batch.
  /// @throws Stopped if StopSignal::requested().
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
