#pragma once

/// @file
/// @brief Line charts saved as PNG (e.g. train and test loss per epoch).
///
/// Line charts saved as PNG, e.g. train and test loss per epoch.

#include <torch/arg.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mixdist::report {

/// One line of a chart: a label and one value per x.
struct LineSeries {
  std::string label;           ///< shown in the legend
  std::vector<double> values;  ///< one per x; NaN marks a missing value (a gap, unless connect_gaps)
};

/// Options of save_line_chart() and line_point().
///
/// @code
/// auto options = mixdist::report::LineChartOptions().title("loss").x_label("epoch").connect_gaps(true);
/// @endcode
struct LineChartOptions {
  /// Title above the plot; empty: none.
  TORCH_ARG(std::string, title) = "";
  /// Label of the horizontal axis; empty: none.
  TORCH_ARG(std::string, x_label) = "";
  /// Label of the vertical axis; empty: none.
  TORCH_ARG(std::string, y_label) = "";
  /// Width of the PNG in pixels (too small for the plot: an error when saving).
  TORCH_ARG(int64_t, width) = 640;
  /// Height of the PNG in pixels.
  TORCH_ARG(int64_t, height) = 400;
  /// A dot at every value, so that single points between gaps stay visible.
  TORCH_ARG(bool, markers) = true;
  /// Draw the line straight across missing values (e.g. a test loss computed every few epochs) instead of
  /// breaking it there.
  TORCH_ARG(bool, connect_gaps) = false;
};

/// A point of the PNG in pixels.
struct PixelPoint {
  double x;  ///< column, growing to the right
  double y;  ///< row, growing downwards
};

/// Where save_line_chart() puts value `index` of series `series_index` (the centre of its marker).
///
/// Both axes span the data, widened to round tick values.
/// @param x            the x values, as for save_line_chart().
/// @param series       the series, as for save_line_chart().
/// @param series_index index into series.
/// @param index        index into x.
/// @param options      title, labels, size and line style.
/// @return the point in pixels.
/// @throws c10::Error for the same invalid input as save_line_chart(), an index out of range, or a NaN value.
PixelPoint line_point(const std::vector<double>& x, const std::vector<LineSeries>& series,
                      size_t series_index, size_t index, const LineChartOptions& options = {});

/// Saves a line chart as a PNG (written atomically).
///
/// Series s is drawn in series_colour(s), with axes, tick labels, grid lines, axis labels, a title and a
/// legend above the plot.
/// @param x       the x values, at least one, finite.
/// @param series  at least one series, each with one value per x (NaN: missing; infinite: an error).
/// @param path    the PNG file to write.
/// @param options title, labels, size and line style.
/// @throws c10::Error naming `path` for no x values or series, a series whose size differs from x's, a
///         non-finite x or an infinite value, a size too small for the plot, or a failed write.
///
/// @code
/// mixdist::report::save_line_chart({1, 2, 3}, {{"train", {110.0, 104.2, 101.9}}}, "loss.png");
/// @endcode
void save_line_chart(const std::vector<double>& x, const std::vector<LineSeries>& series,
                     const std::string& path, const LineChartOptions& options = {});

}  // namespace mixdist::report
