// report/bar_chart: PNGs read back with cairo; bar colours and geometry checked pixel by pixel.
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

const std::vector<std::string> kFaceSizes = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};

const std::vector<BarSeries> kFaceSizeSeries = {
    {"posterior", {0.05, 0.30, 0.25, 0.15, 0.10, 0.06, 0.04, 0.03, 0.02, 0.0}},
    {"prior", {0.01, 0.04, 0.12, 0.21, 0.25, 0.20, 0.11, 0.04, 0.015, 0.005}},
};

TEST(BarChart, PixelsInsideEveryBarHaveTheSeriesColour) {
  TempDir dir;
  const auto options =
      BarChartOptions().title("face sizes").x_label("|F|").y_label("probability").width(560).height(360);
  const std::string path = dir.file("faces.png");
  save_bar_chart(kFaceSizes, kFaceSizeSeries, path, options);
  const Image image = read_png(path);
  ASSERT_EQ(image.width, 560);
  ASSERT_EQ(image.height, 360);
  int64_t bars_checked = 0;
  for (size_t s = 0; s < kFaceSizeSeries.size(); ++s) {
    for (size_t c = 0; c < kFaceSizes.size(); ++c) {
      const BarRect r = bar_rect(kFaceSizes, kFaceSizeSeries, c, s, options);
      ASSERT_GE(r.x, 0);
      ASSERT_LE(r.x + r.width, image.width);
      ASSERT_GE(r.y, 0);
      ASSERT_LE(r.y + r.height, image.height);
      // Every pixel of the bar, edges included: the geometry is integer-aligned, so there is no blending.
      for (int64_t y = r.y; y < r.y + r.height; ++y)
        for (int64_t x = r.x; x < r.x + r.width; ++x)
          ASSERT_EQ(image.at(x, y), packed(series_colour(s)))
              << "series " << s << " category " << c << " at (" << x << ", " << y << ")";
      // Just above the bar is no longer bar.
      if (r.height > 0) {
        EXPECT_NE(image.at(r.x + r.width / 2, r.y - 2), packed(series_colour(s)));
      }
      bars_checked += r.height > 0;
    }
  }
  EXPECT_EQ(bars_checked, 19);  // one value is 0
}

TEST(BarChart, GeometryIsProportionalGroupedAndOrdered) {
  const BarChartOptions options;
  const auto rect = [&](size_t c, size_t s) { return bar_rect(kFaceSizes, kFaceSizeSeries, c, s, options); };
  const BarRect tallest = rect(1, 0);  // 0.30, the largest value
  const int64_t baseline = tallest.y + tallest.height;
  for (size_t s = 0; s < 2; ++s) {
    for (size_t c = 0; c < kFaceSizes.size(); ++c) {
      const BarRect r = rect(c, s);
      EXPECT_EQ(r.y + r.height, baseline) << "bars stand on a common baseline";
      EXPECT_GT(r.width, 0);
      // Heights are rounded to whole pixels: within 2 pixels of proportional.
      const double proportional = kFaceSizeSeries[s].values[c] / 0.30 * static_cast<double>(tallest.height);
      EXPECT_NEAR(static_cast<double>(r.height), proportional, 2.0) << "series " << s << " category " << c;
    }
  }
  EXPECT_EQ(rect(9, 0).height, 0);
  for (size_t c = 0; c + 1 < kFaceSizes.size(); ++c) {
    EXPECT_LE(rect(c, 0).x + rect(c, 0).width, rect(c, 1).x) << "posterior left of prior in category " << c;
    EXPECT_LT(rect(c, 1).x + rect(c, 1).width, rect(c + 1, 0).x)
        << "a gap between categories " << c << ", " << c + 1;
  }
}

TEST(BarChart, NegativeValuesHangBelowTheBaseline) {
  const std::vector<std::string> categories = {"a", "b"};
  const std::vector<BarSeries> series = {{"change", {2.0, -1.0}}};
  const BarRect up = bar_rect(categories, series, 0, 0), down = bar_rect(categories, series, 1, 0);
  EXPECT_EQ(down.y, up.y + up.height);
  EXPECT_NEAR(static_cast<double>(down.height), static_cast<double>(up.height) / 2, 1.0);
  TempDir dir;
  save_bar_chart(categories, series, dir.file("signed.png"));
  const Image image = read_png(dir.file("signed.png"));
  EXPECT_EQ(image.at(down.x + down.width / 2, down.y + down.height / 2), packed(series_colour(0)));
}

TEST(BarChart, BadInputGetsNamedErrors) {
  TempDir dir;
  const std::string path = dir.file("bars.png");
  std::string message = error_message([&] { save_bar_chart({"a", "b"}, {{"prior", {1.0}}}, path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("series 'prior' has 1 values"), std::string::npos) << message;
  message = error_message([&] { save_bar_chart({"a"}, {{"p", {std::nan("")}}}, path); });
  EXPECT_NE(message.find("non-finite"), std::string::npos) << message;
  EXPECT_NE(error_message([&] {
              save_bar_chart({}, {{"p", {}}}, path);
            }).find("no categories"),
            std::string::npos);
  EXPECT_NE(error_message([&] { save_bar_chart({"a"}, {}, path); }).find("no series"), std::string::npos);
  message = error_message([&] { save_bar_chart({"a"}, {{"p", {1.0}}}, path, BarChartOptions().width(50)); });
  EXPECT_NE(message.find("width 50"), std::string::npos) << message;
  EXPECT_NE(error_message([&] {
              bar_rect({"a"}, {{"p", {1.0}}}, 1, 0);
            }).find("category 1"),
            std::string::npos);
  EXPECT_TRUE(dir.entries().empty());
}

}  // namespace
