// Line charts saved as PNG, e.g. train and test loss per epoch.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mixdist::report {

struct LineSeries {
  std::string label;           // shown in the legend
  std::vector<double> values;  // one per x; NaN marks a missing value (a gap, unless connect_gaps)
};

struct LineChartOptions {
  TORCH_ARG(std::string, title) = "";
  TORCH_ARG(std::string, x_label) = "";
  TORCH_ARG(std::string, y_label) = "";
  // Size of the PNG in pixels.
  TORCH_ARG(int64_t, width) = 640;
  TORCH_ARG(int64_t, height) = 400;
  // A dot at every value, so that single points between gaps stay visible.
  TORCH_ARG(bool, markers) = true;
  // Draw the line straight across missing values (e.g. a test loss computed every few epochs) instead of
  // breaking it there.
  TORCH_ARG(bool, connect_gaps) = false;
};

struct PixelPoint {
  double x, y;  // y grows downwards
};

// Where save_line_chart puts value `index` of series `series_index` (the centre of its marker). Both axes
// span the data, widened to round tick values. Throws c10::Error for the same invalid input as
// save_line_chart, an index out of range, or a NaN value.
PixelPoint line_point(const std::vector<double>& x, const std::vector<LineSeries>& series,
                      size_t series_index, size_t index, const LineChartOptions& options = {});

// Saves a line chart as a PNG (written atomically), series s in series_colour(s), with axes, tick labels,
// grid lines, axis labels, a title and a legend above the plot. Throws c10::Error naming `path` for no x
// values or series, a series whose size differs from x's, a non-finite x or an infinite value, a size too
// small for the plot, or a failed write.
void save_line_chart(const std::vector<double>& x, const std::vector<LineSeries>& series,
                     const std::string& path, const LineChartOptions& options = {});

}  // namespace mixdist::report
