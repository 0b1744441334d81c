// report/image_grid: PNGs read back with cairo, size and pixels checked exactly.
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

}  // namespace
