// Grouped bar charts saved as PNG, e.g. the histogram of face sizes under the posterior and the prior:
// categories "1".."10", one bar per series in each category.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mixdist::report {

struct BarSeries {
  std::string label;           // shown in the legend
  std::vector<double> values;  // one per category, finite
};

struct BarChartOptions {
  TORCH_ARG(std::string, title) = "";
  TORCH_ARG(std::string, x_label) = "";
  TORCH_ARG(std::string, y_label) = "";
  // Size of the PNG in pixels.
  TORCH_ARG(int64_t, width) = 640;
  TORCH_ARG(int64_t, height) = 400;
};

// A bar's pixels: columns x .. x + width - 1, rows y .. y + height - 1 (y grows downwards). Integer edges, so
// that a bar's inside is exactly its series' colour.
struct BarRect {
  int64_t x, y, width, height;
};

// Where save_bar_chart draws the bar of series `series_index` in category `category`. The value axis always
// includes 0 and is widened to round tick values; bars grow up from 0 (down for negative values). Throws
// c10::Error for the same invalid input as save_bar_chart, or an index out of range.
BarRect bar_rect(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                 size_t category, size_t series_index, const BarChartOptions& options = {});

// Saves a grouped bar chart as a PNG (written atomically): axes with tick labels, grid lines, category
// labels, axis labels, a title, and a legend above the plot. Series s is drawn in series_colour(s). Throws
// c10::Error naming `path` for no categories or series, a series whose size differs from the number of
// categories, a non-finite value, a size too small for the plot, or a failed write.
void save_bar_chart(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                    const std::string& path, const BarChartOptions& options = {});

}  // namespace mixdist::report
