// report/line_chart: PNGs read back with cairo; markers and gaps checked pixel by pixel.
#include <cairo.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "mixdist/report/figures.h"
#include "png_pixels.h"
#include "temp_dir.h"
#include "test_util.h"

namespace {

using mixdist::testing::error_message;
using mixdist::testing::TempDir;
using namespace mixdist::report;

TEST(LineChart, MarkersSitWhereLinePointSaysInTheSeriesColour) {
  TempDir dir;
  const std::vector<double> epochs = {1, 2, 3, 4, 5};
  const double gap = std::numeric_limits<double>::quiet_NaN();
  const std::vector<LineSeries> series = {{"train", {5, 4, 3, 2, 1}}, {"test", {gap, 4.5, gap, 2.5, 1.5}}};
  const auto options = LineChartOptions().title("loss").x_label("epoch").width(500).height(320);
  const std::string path = dir.file("loss.png");
  save_line_chart(epochs, series, path, options);
  const Image image = read_png(path);
  ASSERT_EQ(image.width, 500);
  ASSERT_EQ(image.height, 320);
  for (size_t s = 0; s < series.size(); ++s) {
    for (size_t i = 0; i < epochs.size(); ++i) {
      if (std::isnan(series[s].values[i])) continue;
      const PixelPoint p = line_point(epochs, series, s, i, options);
      EXPECT_EQ(image.at(static_cast<int64_t>(p.x), static_cast<int64_t>(p.y)), packed(series_colour(s)))
          << "series " << s << " point " << i;
    }
  }
  // Larger values are higher up, and x grows to the right.
  EXPECT_LT(line_point(epochs, series, 0, 0, options).y, line_point(epochs, series, 0, 1, options).y);
  EXPECT_LT(line_point(epochs, series, 0, 0, options).x, line_point(epochs, series, 0, 1, options).x);
  EXPECT_NE(error_message([&] { line_point(epochs, series, 1, 0, options); }).find("NaN"), std::string::npos);
}

TEST(LineChart, MissingValuesBreakTheLineUnlessConnectGaps) {
  TempDir dir;
  const std::vector<double> x = {0, 1, 2};
  // A horizontal segment 2 pixels wide covers the whole pixel that holds its centre line: an exact colour.
  const std::vector<LineSeries> series = {{"floor", {1, 1, 1}}, {"sparse", {3, NAN, 3}}};
  const auto options = LineChartOptions().markers(false);
  const PixelPoint a = line_point(x, series, 1, 0, options), b = line_point(x, series, 1, 2, options);
  ASSERT_EQ(a.y, b.y);
  const int64_t mid_x = static_cast<int64_t>((a.x + b.x) / 2), mid_y = static_cast<int64_t>(a.y);
  save_line_chart(x, series, dir.file("broken.png"), options);
  save_line_chart(x, series, dir.file("connected.png"), LineChartOptions(options).connect_gaps(true));
  EXPECT_NE(read_png(dir.file("broken.png")).at(mid_x, mid_y), packed(series_colour(1)));
  EXPECT_EQ(read_png(dir.file("connected.png")).at(mid_x, mid_y), packed(series_colour(1)));
}

TEST(LineChart, BadInputGetsNamedErrors) {
  TempDir dir;
  const std::string path = dir.file("loss.png");
  std::string message = error_message([&] { save_line_chart({1, 2}, {{"train", {1.0}}}, path); });
  EXPECT_NE(message.find("series 'train' has 1 values"), std::string::npos) << message;
  message = error_message([&] { save_line_chart({1}, {{"train", {INFINITY}}}, path); });
  EXPECT_NE(message.find("inf"), std::string::npos) << message;
  message = error_message([&] { save_line_chart({NAN}, {{"train", {1.0}}}, path); });
  EXPECT_NE(message.find("x[0]"), std::string::npos) << message;
  EXPECT_TRUE(dir.entries().empty());
}

}  // namespace
