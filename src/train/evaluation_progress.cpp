#include "mixdist/train/evaluation_progress.h"

#include <c10/util/Exception.h>
#include <fmt/format.h>

#include "mixdist/train/stop_signal.h"

namespace mixdist::train {

std::string format_evaluation_progress(int64_t done, int64_t total, double elapsed_seconds,
                                       const std::string& what) {
  const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
  const double left =
      done > 0 ? elapsed_seconds * (static_cast<double>(total - done) / static_cast<double>(done)) : -1.0;
  return fmt::format("evaluating {} {}: {} done ({:.0f}%), {} elapsed, about {} left", total, what, done,
                     100.0 * fraction, format_duration(elapsed_seconds), format_duration(left));
}

EvaluationProgress::EvaluationProgress(int64_t total, std::string what, std::ostream* stream,
                                       double interval_seconds)
    : total_(total),
      what_(std::move(what)),
      stream_(stream),
      interval_seconds_(interval_seconds),
      start_(Clock::now()),
      last_line_(start_) {
  TORCH_CHECK(stream_ != nullptr, "EvaluationProgress: the stream must not be null");
  TORCH_CHECK(total_ >= 0, "EvaluationProgress: total must be >= 0, got ", total_);
}

void EvaluationProgress::before_batch(int64_t done) {
  StopSignal::throw_if_requested("an evaluation");
  const auto now = Clock::now();
  if (std::chrono::duration<double>(now - last_line_).count() < interval_seconds_) return;
  last_line_ = now;
  *stream_ << format_evaluation_progress(done, total_, std::chrono::duration<double>(now - start_).count(),
                                         what_)
           << std::endl;
}

}  // namespace mixdist::train
