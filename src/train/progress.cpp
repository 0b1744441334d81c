#include "mixdist/train/progress.h"

#include <c10/util/Exception.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mixdist::train {
namespace {

// Redrawing more often than this costs terminal time and is unreadable anyway.
constexpr std::chrono::milliseconds kRedrawInterval{100};

// Beyond this (about 31700 years) a duration is not worth printing, and llround would overflow.
constexpr double kMaxPrintableSeconds = 1e12;

template <class... Args>
std::string printf_string(const char* format, Args... args) {
  char text[64];
  std::snprintf(text, sizeof text, format, args...);
  return text;
}

bool rate_known(int64_t completed_steps, double elapsed_seconds) {
  return completed_steps > 0 && elapsed_seconds > 0 && std::isfinite(elapsed_seconds);
}

std::string rate_text(int64_t completed_steps, double elapsed_seconds) {
  if (!rate_known(completed_steps, elapsed_seconds)) return "? steps/s";
  return printf_string("%.1f steps/s", static_cast<double>(completed_steps) / elapsed_seconds);
}

// "label [#####.....] 12/50" or, with no total, "label 12 steps".
std::string bar_and_count(const std::string& label, int64_t completed_steps, int64_t total_steps,
                          int64_t bar_width) {
  std::string line = label.empty() ? "" : label + " ";
  if (total_steps <= 0) return line + std::to_string(completed_steps) + " steps";
  const int64_t shown = std::clamp<int64_t>(completed_steps, 0, total_steps);
  // Integer arithmetic: a bar is full only when every step is done.
  const int64_t filled = bar_width * shown / total_steps;
  line += "[" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "] ";
  return line + std::to_string(completed_steps) + "/" + std::to_string(total_steps);
}

bool is_terminal(const std::ostream* stream) {
  if (stream == &std::cerr || stream == &std::clog) return ::isatty(STDERR_FILENO) == 1;
  if (stream == &std::cout) return ::isatty(STDOUT_FILENO) == 1;
  return false;
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxPrintableSeconds) return "?:??";
  const long long total = std::llround(seconds);
  const long long hours = total / 3600, minutes = total % 3600 / 60, secs = total % 60;
  if (hours > 0) return printf_string("%lld:%02lld:%02lld", hours, minutes, secs);
  return printf_string("%lld:%02lld", minutes, secs);
}

std::string format_progress_line(const std::string& label, int64_t completed_steps, int64_t total_steps,
                                 double elapsed_seconds, double running_loss, int64_t bar_width) {
  TORCH_CHECK(bar_width >= 1, "format_progress_line: bar_width must be positive, got ", bar_width);
  std::string line = bar_and_count(label, completed_steps, total_steps, bar_width);
  line += "  " + rate_text(completed_steps, elapsed_seconds);
  line += "  loss " + printf_string("%.4g", running_loss);
  if (total_steps > 0) {
    std::string eta = "?";
    if (rate_known(completed_steps, elapsed_seconds)) {
      const double remaining = static_cast<double>(std::max<int64_t>(total_steps - completed_steps, 0));
      eta = format_duration(remaining * elapsed_seconds / static_cast<double>(completed_steps));
    }
    line += "  ETA " + eta;
  }
  return line;
}

std::string format_final_progress_line(const std::string& label, int64_t completed_steps, int64_t total_steps,
                                       double elapsed_seconds, const std::string& summary,
                                       int64_t bar_width) {
  TORCH_CHECK(bar_width >= 1, "format_final_progress_line: bar_width must be positive, got ", bar_width);
  std::string line = bar_and_count(label, completed_steps, total_steps, bar_width);
  line += "  " + rate_text(completed_steps, elapsed_seconds);
  line += "  " + printf_string("%.1f s", elapsed_seconds);
  if (!summary.empty()) line += "  " + summary;
  return line;
}

std::string format_summary_line(const std::string& label, const std::string& summary, int64_t completed_steps,
                                double elapsed_seconds) {
  std::string line = label;
  if (!summary.empty()) line += (label.empty() ? "" : ": ") + summary;
  if (!line.empty()) line += " ";
  line += "(" + std::to_string(completed_steps) + " steps, " + printf_string("%.1f s", elapsed_seconds);
  if (rate_known(completed_steps, elapsed_seconds))
    line += ", " + rate_text(completed_steps, elapsed_seconds);
  return line + ")";
}

ProgressBar::ProgressBar(ProgressOptions options) : options_(std::move(options)) {
  TORCH_CHECK(options_.stream() != nullptr, "ProgressBar: options.stream is null");
  TORCH_CHECK(options_.total_steps() >= 0, "ProgressBar: options.total_steps must be >= 0, got ",
              options_.total_steps());
  interactive_ = options_.interactive().value_or(is_terminal(options_.stream()));
  start_ = last_draw_ = Clock::now();
}

ProgressBar::~ProgressBar() {
  if (interactive_ && drawn_ && !finished_) *options_.stream() << '\n' << std::flush;
}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void ProgressBar::update(int64_t completed_steps, double running_loss) {
  TORCH_CHECK(!finished_, "ProgressBar::update(", completed_steps, "): the bar '", options_.label(),
              "' is already finished");
  completed_steps_ = completed_steps;
  if (!interactive_) return;
  const auto now = Clock::now();
  if (drawn_ && now - last_draw_ < kRedrawInterval) return;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  // "\x1b[K" clears what is left of a longer previous line.
  *options_.stream() << '\r'
                     << format_progress_line(options_.label(), completed_steps, options_.total_steps(),
                                             elapsed, running_loss)
                     << "\x1b[K" << std::flush;
  drawn_ = true;
  last_draw_ = now;
}

void ProgressBar::finish(const std::string& summary) {
  TORCH_CHECK(!finished_, "ProgressBar::finish: the bar '", options_.label(), "' is already finished");
  finished_ = true;
  const double elapsed = elapsed_seconds();
  std::ostream& out = *options_.stream();
  if (interactive_) {
    out << '\r'
        << format_final_progress_line(options_.label(), completed_steps_, options_.total_steps(), elapsed,
                                      summary)
        << "\x1b[K\n"
        << std::flush;
  } else {
    out << format_summary_line(options_.label(), summary, completed_steps_, elapsed) << '\n' << std::flush;
  }
}

}  // namespace mixdist::train
