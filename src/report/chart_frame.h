// What bar and line charts share: the plot area inside fixed margins, a value axis with round ticks, and the
// decorations around the plot (title, legend, axis labels, grid lines, ticks).
//
// The margins are fixed rather than fitted to the text, so that the geometry (bar_rect, line_point) is a pure
// function of the data and the options, which tests can check without rendering.
#pragma once

#include <cairo.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mixdist/report/palette.h"

namespace mixdist::report::detail {

// The plot area's edges in pixels; data is drawn in [left, right] x [top, bottom].
struct ChartFrame {
  double left, top, right, bottom;
};

// The frame of a width x height chart. Throws c10::Error (prefixed by `what`) if the plot area would be
// smaller than 20 x 20 pixels or the image larger than cairo allows.
ChartFrame chart_frame(int64_t width, int64_t height, bool has_title, const std::string& what);

// A linear axis from lo to hi whose ends are multiples of step, step being 1, 2, 2.5 or 5 times a power of 10
// chosen so that there are about `target_ticks` intervals. A degenerate range (lo == hi) is widened.
struct Axis {
  double lo, hi, step;
  std::vector<double> ticks;  // lo, lo + step, ..., hi

  // The pixel coordinate of `value` when lo maps to pixel_lo and hi to pixel_hi.
  double to_pixel(double value, double pixel_lo, double pixel_hi) const {
    return pixel_lo + (value - lo) / (hi - lo) * (pixel_hi - pixel_lo);
  }
};
Axis nice_axis(double lo, double hi, int target_ticks = 5);

// A tick value as short text ("0", "2.5", "1e+06").
std::string tick_label(double value);

struct LegendEntry {
  std::string label;
  Rgb colour;
};

// One legend entry per series (anything with a `label`), in series_colour order.
template <typename Series>
std::vector<LegendEntry> legend_of(const std::vector<Series>& series) {
  std::vector<LegendEntry> legend;
  for (size_t s = 0; s < series.size(); ++s) legend.push_back({series[s].label, series_colour(s)});
  return legend;
}

struct ChartText {
  std::string title, x_label, y_label;
};

// Title, legend (above the plot), y grid lines with tick labels, and both axis labels. Called before the data
// is drawn, so the data covers the grid lines.
void draw_chart_background(cairo_t* cr, const ChartFrame& frame, int64_t width, int64_t height,
                           const ChartText& text, const Axis& y_axis, const std::vector<LegendEntry>& legend);

// The left and bottom axis lines: bar charts draw them over the bars' feet, line charts under their markers.
void draw_axis_lines(cairo_t* cr, const ChartFrame& frame);

}  // namespace mixdist::report::detail
