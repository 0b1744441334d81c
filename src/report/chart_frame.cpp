#include "chart_frame.h"

#include <c10/util/Exception.h>

#include <cmath>
#include <cstdio>

#include "canvas.h"

namespace mixdist::report::detail {
namespace {

// Margins in pixels. Left: tick labels of up to about 8 characters plus the vertical y label. Top: the
// title (if any) and the legend row. Bottom: category or tick labels and the x label.
constexpr double kLeftMargin = 72, kRightMargin = 20, kBottomMargin = 52;
constexpr double kTitleBand = 28, kLegendBand = 24, kTopGap = 6;
constexpr double kMinPlotSide = 20;

constexpr double kFontSize = 12, kTitleFontSize = 15;
const Rgb kTextColour{0x20, 0x20, 0x20}, kGridColour{0xE0, 0xE0, 0xE0}, kAxisColour{0x50, 0x50, 0x50};

}  // namespace

ChartFrame chart_frame(int64_t width, int64_t height, bool has_title, const std::string& what) {
  TORCH_CHECK(width <= kMaxCanvasSide && height <= kMaxCanvasSide, what, ": width ", width, " and height ",
              height, " must be at most ", kMaxCanvasSide);
  const double top = kTopGap + (has_title ? kTitleBand : 0) + kLegendBand;
  const ChartFrame frame{kLeftMargin, top, static_cast<double>(width) - kRightMargin,
                         static_cast<double>(height) - kBottomMargin};
  TORCH_CHECK(frame.right - frame.left >= kMinPlotSide, what, ": width ", width,
              " leaves no room for the plot; it must be at least ",
              kLeftMargin + kRightMargin + kMinPlotSide);
  TORCH_CHECK(frame.bottom - frame.top >= kMinPlotSide, what, ": height ", height,
              " leaves no room for the plot; it must be at least ", top + kBottomMargin + kMinPlotSide);
  return frame;
}

Axis nice_axis(double lo, double hi, int target_ticks) {
  TORCH_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, "nice_axis: invalid range [", lo, ", ", hi,
              "]");
  if (lo == hi) {
    // Constant data: centre it in a range of half its size each way (or [0, 1] around zero).
    const double half = lo == 0 ? 1 : std::abs(lo) / 2;
    lo = lo == 0 ? 0 : lo - half;
    hi = hi + half;
  }
  const double raw_step = (hi - lo) / target_ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  const double normalised = raw_step / magnitude;
  const double multiple = normalised <= 1     ? 1
                          : normalised <= 2   ? 2
                          : normalised <= 2.5 ? 2.5
                          : normalised <= 5   ? 5
                                              : 10;
  Axis axis;
  axis.step = multiple * magnitude;
  // The small slack keeps a value that is a multiple up to rounding (e.g. 0.30000000000000004) from adding a
  // whole extra interval.
  const double first = std::floor(lo / axis.step + 1e-9), last = std::ceil(hi / axis.step - 1e-9);
  axis.lo = first * axis.step;
  axis.hi = last * axis.step;
  const long long count = std::llround(last - first);
  for (long long i = 0; i <= count; ++i) {
    const double tick = (first + static_cast<double>(i)) * axis.step;
    axis.ticks.push_back(std::abs(tick) < axis.step * 1e-9 ? 0.0 : tick);  // no "-0" or "1e-17" label
  }
  return axis;
}

std::string tick_label(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value == 0 ? 0.0 : value);
  return text;
}

void draw_chart_background(cairo_t* cr, const ChartFrame& frame, int64_t width, int64_t height,
                           const ChartText& text, const Axis& y_axis,
                           const std::vector<LegendEntry>& legend) {
  set_colour(cr, kTextColour);
  double band_top = kTopGap;
  if (!text.title.empty()) {
    draw_text(cr, text.title, static_cast<double>(width) / 2, band_top + 19, Align::kCentre, kTitleFontSize,
              true);
    band_top += kTitleBand;
  }

  // Legend: a row of colour swatches with labels, above the plot so that it never hides data.
  double x = frame.left;
  for (const LegendEntry& entry : legend) {
    set_colour(cr, entry.colour);
    cairo_rectangle(cr, x, band_top + 5, 12, 12);
    cairo_fill(cr);
    set_colour(cr, kTextColour);
    draw_text(cr, entry.label, x + 17, band_top + 15, Align::kLeft, kFontSize);
    x += 17 + text_width(cr, entry.label, kFontSize) + 18;
  }

  // Horizontal grid lines and y tick labels. Lines sit on pixel centres (+0.5) so that they are crisp.
  cairo_set_line_width(cr, 1);
  for (double tick : y_axis.ticks) {
    const double y = std::round(y_axis.to_pixel(tick, frame.bottom, frame.top));
    set_colour(cr, kGridColour);
    cairo_move_to(cr, frame.left, y + 0.5);
    cairo_line_to(cr, frame.right, y + 0.5);
    cairo_stroke(cr);
    set_colour(cr, kAxisColour);
    cairo_move_to(cr, frame.left - 5, y + 0.5);
    cairo_line_to(cr, frame.left, y + 0.5);
    cairo_stroke(cr);
    set_colour(cr, kTextColour);
    draw_text(cr, tick_label(tick), frame.left - 8, y + 4.5, Align::kRight, kFontSize);
  }

  draw_text(cr, text.x_label, (frame.left + frame.right) / 2, static_cast<double>(height) - 10,
            Align::kCentre, kFontSize);
  draw_text(cr, text.y_label, 16, (frame.top + frame.bottom) / 2, Align::kCentre, kFontSize, false, true);
}

void draw_axis_lines(cairo_t* cr, const ChartFrame& frame) {
  set_colour(cr, kAxisColour);
  cairo_set_line_width(cr, 1);
  cairo_move_to(cr, frame.left - 0.5, frame.top);
  cairo_line_to(cr, frame.left - 0.5, frame.bottom + 0.5);
  cairo_line_to(cr, frame.right, frame.bottom + 0.5);
  cairo_stroke(cr);
}

}  // namespace mixdist::report::detail
