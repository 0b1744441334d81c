// PNG files decoded to 0xRRGGBB pixels with cairo, for the report/ tests.
#pragma once
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

inline Image read_png(const std::string& path) {
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

inline uint32_t packed(Rgb c) {
  return (uint32_t{c.r} << 16) | (uint32_t{c.g} << 8) | c.b;
}

inline uint32_t grey(uint32_t level) {
  return (level << 16) | (level << 8) | level;
}

constexpr uint32_t kWhite = 0xFFFFFF;

}  // namespace
