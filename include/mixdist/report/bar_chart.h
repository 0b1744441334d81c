#pragma once

/// @file
/// @brief Grouped bar charts saved as PNG (e.g. face-size histograms).
///
/// Grouped bar charts saved as PNG, e.g. the histogram of face sizes under the posterior and the prior:
/// categories "1".."10", one bar per series in each category.

#include <torch/arg.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mixdist::report {

/// One series of a bar chart: a label and one value per category.
struct BarSeries {
  std::string label;           ///< shown in the legend
  std::vector<double> values;  ///< one per category, finite
};

/// Options of save_bar_chart() and bar_rect().
///
/// @code
/// auto options = mixdist::report::BarChartOptions().title("face sizes").x_label("|F|").y_label("fraction");
/// @endcode
struct BarChartOptions {
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
};

/// A bar's pixels: columns x .. x + width - 1, rows y .. y + height - 1 (y grows downwards). Integer edges,
/// so that a bar's inside is exactly its series' colour.
struct BarRect {
  int64_t x;       ///< left column
  int64_t y;       ///< top row
  int64_t width;   ///< columns
  int64_t height;  ///< rows
};

/// Where save_bar_chart() draws the bar of series `series_index` in category `category`.
///
/// The value axis always includes 0 and is widened to round tick values; bars grow up from 0 (down for
/// negative values).
/// @param categories   the category labels, as for save_bar_chart().
/// @param series       the series, as for save_bar_chart().
/// @param category     index into categories.
/// @param series_index index into series.
/// @param options      title, labels and size.
/// @return the bar's pixels.
/// @throws c10::Error for the same invalid input as save_bar_chart(), or an index out of range.
BarRect bar_rect(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                 size_t category, size_t series_index, const BarChartOptions& options = {});

/// Saves a grouped bar chart as a PNG (written atomically).
///
/// Axes with tick labels, grid lines, category labels, axis labels, a title, and a legend above the plot.
/// Series s is drawn in series_colour(s).
/// @param categories the category labels, at least one.
/// @param series     at least one series, each with one finite value per category.
/// @param path       the PNG file to write.
/// @param options    title, labels and size.
/// @throws c10::Error naming `path` for no categories or series, a series whose size differs from the number
///         of categories, a non-finite value, a size too small for the plot, or a failed write.
///
/// @code
/// mixdist::report::save_bar_chart({"1", "2", "3"}, {{"posterior", {0.5, 0.3, 0.2}}}, "face_sizes.png");
/// @endcode
void save_bar_chart(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                    const std::string& path, const BarChartOptions& options = {});

}  // namespace mixdist::report
