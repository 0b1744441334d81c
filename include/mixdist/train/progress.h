#pragma once

/// @file
/// @brief A one-line progress bar for training epochs, and the pure functions that format it.
///
/// A one-line progress bar for training epochs, and the pure functions that format it.
///
/// On a terminal the bar redraws in place, at most about ten times a second:
///
///     epoch 3 [########............] 123/550  45.6 steps/s  loss 123.4  ETA 0:09
///
/// Elsewhere (a log file, CI) redrawing would fill the log with partial lines, so the bar stays silent until
/// finish() prints one summary line:
///
///     epoch 3: test loss 98.7 (550 steps, 12.3 s, 44.7 steps/s)

#include <c10/util/Optional.h>
#include <torch/arg.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

namespace mixdist::train {

/// TORCH_ARG pastes its type textually after "const", which would make std::ostream* a pointer to const.
using OstreamPointer = std::ostream*;

/// Options of ProgressBar.
///
/// @code
/// auto options = mixdist::train::ProgressOptions().label("epoch 3").total_steps(550);
/// @endcode
struct ProgressOptions {
  /// Printed first on every line; may be empty.
  TORCH_ARG(std::string, label) = "";
  /// Steps in the epoch; 0 if unknown (then no bar and no ETA are drawn).
  TORCH_ARG(int64_t, total_steps) = 0;
  /// Whether to redraw a bar in place. nullopt: whether `stream` is a terminal (std::cerr / std::clog:
  /// stderr, std::cout: stdout; any other stream counts as not a terminal).
  TORCH_ARG(c10::optional<bool>, interactive) = c10::nullopt;
  /// Where to print; must outlive the ProgressBar.
  TORCH_ARG(OstreamPointer, stream) = &std::cerr;
};

/// A duration as "S:SS" below an hour, "H:MM:SS" from an hour on, seconds rounded to the nearest.
///
/// @param seconds the duration.
/// @return the text; "?:??" for a negative or non-finite duration (e.g. an ETA before any step has finished).
std::string format_duration(double seconds);

/// The text of one interactive redraw (no carriage return, no newline).
///
/// Label, bar and count (or just the count when total_steps is 0), rate, running loss (4 significant digits)
/// and ETA. Rate and ETA read "?" until both completed_steps and elapsed_seconds are positive.
/// completed_steps beyond total_steps draws a full bar.
/// @param label           printed first; may be empty.
/// @param completed_steps steps done.
/// @param total_steps     steps in the epoch; 0 if unknown.
/// @param elapsed_seconds seconds since the epoch started.
/// @param running_loss    the loss to show.
/// @param bar_width       characters inside the brackets, >= 1.
/// @return the line.
/// @throws c10::Error if bar_width < 1.
std::string format_progress_line(const std::string& label, int64_t completed_steps, int64_t total_steps,
                                 double elapsed_seconds, double running_loss, int64_t bar_width = 20);

/// The last interactive redraw: like format_progress_line, but with the elapsed time instead of the loss and
/// ETA, followed by the summary: "epoch 3 [####################] 550/550  44.7 steps/s  12.3 s  test
/// loss 98.7".
///
/// @param label           printed first; may be empty.
/// @param completed_steps steps done.
/// @param total_steps     steps in the epoch; 0 if unknown.
/// @param elapsed_seconds seconds the epoch took.
/// @param summary         appended at the end (e.g. "test loss 98.7").
/// @param bar_width       characters inside the brackets, >= 1.
/// @return the line.
/// @throws c10::Error if bar_width < 1.
std::string format_final_progress_line(const std::string& label, int64_t completed_steps, int64_t total_steps,
                                       double elapsed_seconds, const std::string& summary,
                                       int64_t bar_width = 20);

/// The non-interactive summary line: "label: summary (550 steps, 12.3 s, 44.7 steps/s)". An empty label drops
/// "label: "; the rate is omitted when it is unknown (no steps or no elapsed time).
///
/// @param label           the epoch's label; may be empty.
/// @param summary         what the epoch achieved (e.g. "test loss 98.7").
/// @param completed_steps steps done.
/// @param elapsed_seconds seconds the epoch took.
/// @return the line, without a newline.
std::string format_summary_line(const std::string& label, const std::string& summary, int64_t completed_steps,
                                double elapsed_seconds);

/// A one-line progress bar for an epoch: redrawn in place on a terminal, one summary line elsewhere.
///
/// @code
/// mixdist::train::ProgressBar bar(mixdist::train::ProgressOptions().label("epoch 1").total_steps(550));
/// for (int64_t step = 1; step <= 550; ++step) bar.update(step, /*running_loss=*/loss);
/// bar.finish("test loss 98.7");
/// @endcode
class ProgressBar {
 public:
  /// Starts the clock.
  /// @param options label, total_steps, interactive and stream.
  /// @throws c10::Error for a null stream or negative total_steps.
  explicit ProgressBar(ProgressOptions options);
  /// If the bar was drawn but never finished (e.g. an exception left the epoch), ends its line so that later
  /// output does not overwrite it.
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;             ///< Not copyable.
  ProgressBar& operator=(const ProgressBar&) = delete;  ///< Not copyable.

  /// Records progress. Interactive: redraws the line if it is the first update or at least 0.1 s passed since
  /// the last redraw. Non-interactive: prints nothing.
  /// @param completed_steps steps done so far.
  /// @param running_loss    the loss to show.
  void update(int64_t completed_steps, double running_loss);
  /// Interactive: the final bar line (format_final_progress_line), then a newline. Non-interactive: exactly
  /// one line, format_summary_line. The step count is the last one given to update(). Call it once.
  /// @param summary what the epoch achieved (e.g. "test loss 98.7").
  void finish(const std::string& summary);

  /// Whether the bar redraws in place (options.interactive, or whether the stream is a terminal).
  /// @return true if interactive.
  bool interactive() const { return interactive_; }
  /// Seconds since construction.
  /// @return the elapsed time.
  double elapsed_seconds() const;

 private:
  using Clock = std::chrono::steady_clock;

  ProgressOptions options_;
  bool interactive_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  bool drawn_ = false;
  bool finished_ = false;
  int64_t completed_steps_ = 0;
};

}  // namespace mixdist::train
