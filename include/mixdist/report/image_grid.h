// A grid of greyscale images (e.g. MNIST digits or VAE reconstructions) saved as a PNG.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>
#include <string>

namespace mixdist::report {

// Height in pixels of the band that holds the title above the grid (only when there is a title).
constexpr int64_t kImageGridTitleHeight = 24;

struct ImageGridOptions {
  // Images per row (at most this many; fewer when there are fewer images).
  TORCH_ARG(int64_t, columns) = 10;
  // Each image pixel becomes a pixel_scale x pixel_scale block (no interpolation).
  TORCH_ARG(int64_t, pixel_scale) = 2;
  // White gap in pixels around and between the images.
  TORCH_ARG(int64_t, padding) = 2;
  // Drawn in black, centred in a band of kImageGridTitleHeight pixels above the grid; empty: no band.
  TORCH_ARG(std::string, title) = "";
};

// Where everything goes in the PNG, in pixels. Image i's top-left corner is at
// x = padding + (i % columns) * (image_width * pixel_scale + padding),
// y = title_height + padding + (i / columns) * (image_height * pixel_scale + padding).
struct ImageGridLayout {
  int64_t columns, rows;  // of the grid actually drawn
  int64_t title_height;   // 0 or kImageGridTitleHeight
  int64_t width, height;  // of the whole PNG
};

// The layout for `num_images` images of image_height x image_width pixels. Throws c10::Error for a
// non-positive count, size, columns or pixel_scale, a negative padding, or a PNG larger than 32767 pixels
// (cairo's limit) in either direction.
ImageGridLayout image_grid_layout(int64_t num_images, int64_t image_height, int64_t image_width,
                                  const ImageGridOptions& options = {});

// Saves `images` ([N, H, W], N > 0, any device) as a PNG grid, written atomically. Floating images must lie
// in [0, 1] and map to the grey level nearest 255 v (ties to even); uint8 images are taken as grey levels
// 0..255 as they are (raw MNIST). 0 is black and 1 (or 255) is white, so MNIST digits appear white on black,
// as usually shown. The PNG is RGB; padding and the title band are white. Throws c10::Error naming `path` for
// a wrong shape or dtype, values outside [0, 1] or NaN, or a failed write.
void save_image_grid(const at::Tensor& images, const std::string& path, const ImageGridOptions& options = {});

}  // namespace mixdist::report
