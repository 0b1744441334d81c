// Tests of the report figures: PNGs are read back with cairo and checked pixel by pixel where the layout
// promises exact values.
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
#include "temp_dir.h"
#include "test_util.h"

namespace {

using mixdist::testing::error_message;
using mixdist::testing::TempDir;
using namespace mixdist::report;

// A PNG decoded to 0xRRGGBB pixels.
struct Image {
  int64_t width = 0, height = 0;
  std::vector<uint32_t> pixels;

  uint32_t at(int64_t x, int64_t y) const { return pixels[y * width + x]; }
};

Image read_png(const std::string& path) {
  cairo_surface_t* surface = cairo_image_surface_create_from_png(path.c_str());
  Image image;
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    ADD_FAILURE() << path
                  << " is not a readable PNG: " << cairo_status_to_string(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    return image;
  }
  // Opaque PNGs load as RGB24; the top byte of each pixel is then unused.
  EXPECT_EQ(cairo_image_surface_get_format(surface), CAIRO_FORMAT_RGB24) << path;
  image.width = cairo_image_surface_get_width(surface);
  image.height = cairo_image_surface_get_height(surface);
  const int64_t stride = cairo_image_surface_get_stride(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  for (int64_t y = 0; y < image.height; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(data + y * stride);
    for (int64_t x = 0; x < image.width; ++x) image.pixels.push_back(row[x] & 0xFFFFFFu);
  }
  cairo_surface_destroy(surface);
  return image;
}

uint32_t packed(Rgb c) {
  return (uint32_t{c.r} << 16) | (uint32_t{c.g} << 8) | c.b;
}
uint32_t grey(uint32_t level) {
  return (level << 16) | (level << 8) | level;
}
constexpr uint32_t kWhite = 0xFFFFFF;

// ---------------------------------------------------------------- image grid

// The expected PNG size, written out independently of the library's layout code.
std::pair<int64_t, int64_t> expected_grid_size(int64_t n, int64_t h, int64_t w, int64_t columns,
                                               int64_t scale, int64_t padding, bool title) {
  const int64_t cols = std::min(columns, n), rows = (n + cols - 1) / cols;
  return {cols * (w * scale + padding) + padding,
          (title ? kImageGridTitleHeight : 0) + rows * (h * scale + padding) + padding};
}

TEST(ImageGrid, SizeFollowsCountColumnsScalePaddingAndTitle) {
  TempDir dir;
  struct Case {
    int64_t n, h, w, columns, scale, padding;
    std::string title;
  };
  const std::vector<Case> cases = {
      {7, 3, 2, 3, 2, 1, ""},      {7, 3, 2, 3, 2, 1, "seven"}, {2, 28, 28, 10, 2, 2, ""},
      {10, 5, 4, 10, 1, 0, "row"}, {11, 5, 4, 10, 3, 4, ""},
  };
  for (const Case& c : cases) {
    const std::string path = dir.file("grid.png");
    save_image_grid(
        torch::linspace(0, 1, c.n * c.h * c.w).view({c.n, c.h, c.w}), path,
        ImageGridOptions().columns(c.columns).pixel_scale(c.scale).padding(c.padding).title(c.title));
    const Image image = read_png(path);
    const auto [width, height] =
        expected_grid_size(c.n, c.h, c.w, c.columns, c.scale, c.padding, !c.title.empty());
    EXPECT_EQ(image.width, width) << c.n << " images, title '" << c.title << "'";
    EXPECT_EQ(image.height, height) << c.n << " images, title '" << c.title << "'";
    const ImageGridLayout layout = image_grid_layout(
        c.n, c.h, c.w,
        ImageGridOptions().columns(c.columns).pixel_scale(c.scale).padding(c.padding).title(c.title));
    EXPECT_EQ(layout.width, width);
    EXPECT_EQ(layout.height, height);
  }
}

TEST(ImageGrid, PixelsMatchInputIntensitiesWhiteOnBlack) {
  TempDir dir;
  const int64_t n = 5, h = 3, w = 4, columns = 2, scale = 3, padding = 2;
  // Distinct grey levels k / 255 (exactly representable after round(255 v)), including pure black and white.
  auto levels = torch::empty({n, h, w}, torch::kLong);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < h; ++r)
      for (int64_t c = 0; c < w; ++c) levels[i][r][c] = (i * 37 + r * 13 + c * 5) % 256;
  levels[0][0][0] = 0;
  levels[0][0][1] = 255;
  const auto images = levels.to(torch::kFloat) / 255.0;
  const std::string path = dir.file("digits.png");
  save_image_grid(images, path,
                  ImageGridOptions().columns(columns).pixel_scale(scale).padding(padding).title("t"));
  const Image image = read_png(path);
  ASSERT_EQ(image.width, columns * (w * scale + padding) + padding);

  const int64_t top = kImageGridTitleHeight;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t x0 = padding + (i % columns) * (w * scale + padding);
    const int64_t y0 = top + padding + (i / columns) * (h * scale + padding);
    for (int64_t y = 0; y < h * scale; ++y) {
      for (int64_t x = 0; x < w * scale; ++x) {
        const uint32_t expected =
            grey(static_cast<uint32_t>(levels[i][y / scale][x / scale].item<int64_t>()));
        ASSERT_EQ(image.at(x0 + x, y0 + y), expected)
            << "image " << i << " pixel (" << y / scale << ", " << x / scale << ") block offset ("
            << y % scale << ", " << x % scale << ")";
      }
    }
  }
  EXPECT_EQ(image.at(padding, top + padding), grey(0));             // 0 is black ...
  EXPECT_EQ(image.at(padding + scale, top + padding), grey(255));   // ... and 1 white
  EXPECT_EQ(image.at(0, top), kWhite);                              // padding is white
  EXPECT_EQ(image.at(padding + w * scale, top + padding), kWhite);  // the gap between columns
  // The last row holds one image; the cell beside it stays white.
  EXPECT_EQ(image.at(padding + (w * scale + padding), top + padding + 2 * (h * scale + padding)), kWhite);
}

TEST(ImageGrid, Uint8AndDoubleInputGiveTheSamePixels) {
  TempDir dir;
  // Every grey level 0..89 times 7 mod 256: scattered over the whole range.
  const auto bytes = (torch::arange(90, torch::kLong) * 7 % 256).to(torch::kByte).view({3, 5, 6});
  save_image_grid(bytes, dir.file("bytes.png"));
  save_image_grid(bytes.to(torch::kDouble) / 255.0, dir.file("double.png"));
  const Image a = read_png(dir.file("bytes.png")), b = read_png(dir.file("double.png"));
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_EQ(a.at(2, 2), grey(bytes[0][0][0].item<uint8_t>()));
}

TEST(ImageGrid, BadInputGetsErrorsNamingThePath) {
  TempDir dir;
  const std::string path = dir.file("grid.png");
  std::string message = error_message([&] { save_image_grid(torch::zeros({4, 784}), path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("[N, H, W]"), std::string::npos) << message;
  message = error_message([&] { save_image_grid(torch::full({1, 2, 2}, 1.5), path); });
  EXPECT_NE(message.find("[0, 1]"), std::string::npos) << message;
  message = error_message([&] { save_image_grid(torch::full({1, 2, 2}, std::nan("")), path); });
  EXPECT_NE(message.find("NaN"), std::string::npos) << message;
  message = error_message([&] { save_image_grid(torch::ones({1, 2, 2}, torch::kInt), path); });
  EXPECT_NE(message.find("Int"), std::string::npos) << message;
  message = error_message([&] { save_image_grid(torch::zeros({0, 2, 2}), path); });
  EXPECT_NE(message.find("num_images"), std::string::npos) << message;
  message = error_message([&] {
    save_image_grid(torch::zeros({1, 2, 2}), path, ImageGridOptions().columns(0));
  });
  EXPECT_NE(message.find("columns"), std::string::npos) << message;
  message = error_message([&] { save_image_grid(torch::zeros({1, 2, 2}), dir.file("missing/grid.png")); });
  EXPECT_NE(message.find(dir.file("missing/grid.png")), std::string::npos) << message;
  EXPECT_TRUE(dir.entries().empty());
}

// ---------------------------------------------------------------- bar chart

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

// ---------------------------------------------------------------- line chart and palette

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

TEST(Palette, TenDistinctColoursThenRepeats) {
  std::set<uint32_t> colours;
  for (size_t i = 0; i < 10; ++i) colours.insert(packed(series_colour(i)));
  EXPECT_EQ(colours.size(), 10u);
  EXPECT_EQ(series_colour(10), series_colour(0));
  EXPECT_NE(series_colour(0), series_colour(1));
}

}  // namespace
