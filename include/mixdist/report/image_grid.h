#pragma once

/// @file
/// @brief A grid of greyscale images (e.g. MNIST digits or VAE reconstructions) saved as a PNG.
///
/// A grid of greyscale images (e.g. MNIST digits or VAE reconstructions) saved as a PNG.

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>
#include <string>

namespace mixdist::report {

/// Height in pixels of the band that holds the title above the grid (only when there is a title).
constexpr int64_t kImageGridTitleHeight = 24;

/// Options of save_image_grid() and image_grid_layout().
///
/// @code
/// auto options = mixdist::report::ImageGridOptions().columns(8).pixel_scale(3).title("reconstructions");
/// @endcode
struct ImageGridOptions {
  /// Images per row (at most this many; fewer when there are fewer images).
  TORCH_ARG(int64_t, columns) = 10;
  /// Each image pixel becomes a pixel_scale x pixel_scale block (no interpolation).
  TORCH_ARG(int64_t, pixel_scale) = 2;
  /// White gap in pixels around and between the images.
  TORCH_ARG(int64_t, padding) = 2;
  /// Drawn in black, centred in a band of kImageGridTitleHeight pixels above the grid; empty: no band.
  TORCH_ARG(std::string, title) = "";
};

/// Where everything goes in the PNG, in pixels. Image i's top-left corner is at
/// x = padding + (i % columns) * (image_width * pixel_scale + padding),
/// y = title_height + padding + (i / columns) * (image_height * pixel_scale + padding).
struct ImageGridLayout {
  int64_t columns;       ///< columns of the grid actually drawn
  int64_t rows;          ///< rows of the grid actually drawn
  int64_t title_height;  ///< 0 or kImageGridTitleHeight
  int64_t width;         ///< width of the whole PNG
  int64_t height;        ///< height of the whole PNG
};

/// The layout for `num_images` images of image_height x image_width pixels.
///
/// @param num_images   number of images, > 0.
/// @param image_height rows of each image, > 0.
/// @param image_width  columns of each image, > 0.
/// @param options      columns (> 0), pixel_scale (> 0), padding (>= 0) and title.
/// @return where everything goes.
/// @throws c10::Error for a non-positive count, size, columns or pixel_scale, a negative padding, or a PNG
///         larger than 32767 pixels (cairo's limit) in either direction.
ImageGridLayout image_grid_layout(int64_t num_images, int64_t image_height, int64_t image_width,
                                  const ImageGridOptions& options = {});

/// Saves images as a PNG grid, written atomically.
///
/// Floating images must lie in [0, 1] and map to the grey level nearest 255 v (ties to even); uint8 images
/// are taken as grey levels 0..255 as they are (raw MNIST). 0 is black and 1 (or 255) is white, so MNIST
/// digits appear white on black, as usually shown. The PNG is RGB; padding and the title band are white.
/// @param images  [N, H, W], N > 0, floating in [0, 1] or uint8, any device.
/// @param path    the PNG file to write.
/// @param options columns, pixel_scale, padding and title (see image_grid_layout() for their ranges).
/// @throws c10::Error naming `path` for a wrong shape or dtype, values outside [0, 1] or NaN, an invalid
///         layout, or a failed write.
///
/// @code
/// mixdist::report::save_image_grid(at::rand({20, 28, 28}), "samples.png",
///                                  mixdist::report::ImageGridOptions().columns(5));
/// @endcode
void save_image_grid(const at::Tensor& images, const std::string& path, const ImageGridOptions& options = {});

}  // namespace mixdist::report
