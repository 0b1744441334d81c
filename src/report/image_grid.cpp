#include "mixdist/report/image_grid.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>

#include "canvas.h"

namespace mixdist::report {

ImageGridLayout image_grid_layout(int64_t num_images, int64_t image_height, int64_t image_width,
                                  const ImageGridOptions& options) {
  TORCH_CHECK(num_images >= 1, "image_grid_layout: num_images must be positive, got ", num_images);
  TORCH_CHECK(image_height >= 1 && image_width >= 1, "image_grid_layout: images must be at least 1 x 1, got ",
              image_height, " x ", image_width);
  TORCH_CHECK(options.columns() >= 1, "image_grid_layout: options.columns must be positive, got ",
              options.columns());
  TORCH_CHECK(options.pixel_scale() >= 1, "image_grid_layout: options.pixel_scale must be positive, got ",
              options.pixel_scale());
  TORCH_CHECK(options.padding() >= 0, "image_grid_layout: options.padding must be >= 0, got ",
              options.padding());
  // Checked before multiplying, so that absurd arguments cannot overflow int64 on the way to the message.
  TORCH_CHECK(image_height <= detail::kMaxCanvasSide && image_width <= detail::kMaxCanvasSide &&
                  options.pixel_scale() <= detail::kMaxCanvasSide &&
                  options.padding() <= detail::kMaxCanvasSide,
              "image_grid_layout: images of ", image_height, " x ", image_width, " pixels at pixel_scale ",
              options.pixel_scale(), " and padding ", options.padding(),
              " exceed the largest PNG cairo writes (", detail::kMaxCanvasSide, " pixels a side)");
  ImageGridLayout layout;
  layout.columns = std::min(options.columns(), num_images);
  layout.rows = (num_images + layout.columns - 1) / layout.columns;
  layout.title_height = options.title().empty() ? 0 : kImageGridTitleHeight;
  const int64_t cell_width = image_width * options.pixel_scale() + options.padding();
  const int64_t cell_height = image_height * options.pixel_scale() + options.padding();
  TORCH_CHECK(layout.columns <= detail::kMaxCanvasSide / cell_width &&
                  layout.rows <= (detail::kMaxCanvasSide - layout.title_height) / cell_height,
              "image_grid_layout: a grid of ", layout.rows, " x ", layout.columns, " images of ", cell_height,
              " x ", cell_width, " pixels (scaled, with padding) exceeds the largest PNG cairo writes (",
              detail::kMaxCanvasSide,
              " pixels a side); use fewer images, more or fewer columns, or a smaller "
              "pixel_scale");
  layout.width = layout.columns * cell_width + options.padding();
  layout.height = layout.title_height + layout.rows * cell_height + options.padding();
  TORCH_CHECK(layout.width <= detail::kMaxCanvasSide && layout.height <= detail::kMaxCanvasSide,
              "image_grid_layout: the grid would be ", layout.width, " x ", layout.height,
              " pixels, more than the largest PNG cairo writes (", detail::kMaxCanvasSide, " a side)");
  return layout;
}

void save_image_grid(const at::Tensor& images, const std::string& path, const ImageGridOptions& options) {
  const std::string what = "save_image_grid(" + path + ")";
  TORCH_CHECK(images.defined(), what, ": images is an undefined tensor");
  TORCH_CHECK(images.dim() == 3, what, ": images must be [N, H, W], got shape ", images.sizes(),
              " (reshape flat images, e.g. images.view({-1, 28, 28}))");
  TORCH_CHECK(images.is_floating_point() || images.scalar_type() == at::kByte, what,
              ": images must be floating point in [0, 1] or uint8, got ", images.scalar_type());
  const ImageGridLayout layout = image_grid_layout(images.size(0), images.size(1), images.size(2), options);

  // Grey levels 0..255, computed on the CPU in double so that 255 v rounds back to k for v = k / 255.
  at::Tensor grey;
  if (images.scalar_type() == at::kByte) {
    grey = images.detach().to(at::kCPU).contiguous();
  } else {
    const at::Tensor values = images.detach().to(at::kCPU, at::kDouble);
    TORCH_CHECK(!values.isnan().any().item<bool>(), what, ": images contain NaN");
    const double lo = values.min().item<double>(), hi = values.max().item<double>();
    TORCH_CHECK(lo >= 0 && hi <= 1, what,
                ": floating images must lie in [0, 1] (0 black, 1 white), found values in [", lo, ", ", hi,
                "]; apply sigmoid to logits first");
    grey = values.mul(255).round().to(at::kByte).contiguous();
  }

  detail::Canvas canvas(layout.width, layout.height, what);
  if (layout.title_height > 0) {
    detail::set_colour(canvas.cr(), {0, 0, 0});
    detail::draw_text(canvas.cr(), options.title(), static_cast<double>(layout.width) / 2,
                      static_cast<double>(layout.title_height) - 7, detail::Align::kCentre, 14);
  }
  // Pixels are written directly rather than drawn, so that every grey level reaches the PNG exactly (no
  // filtering or antialiasing at block edges).
  cairo_surface_t* surface = canvas.surface();
  cairo_surface_flush(surface);
  unsigned char* data = cairo_image_surface_get_data(surface);
  const int64_t stride = cairo_image_surface_get_stride(surface);
  const int64_t n = images.size(0), h = images.size(1), w = images.size(2);
  const int64_t scale = options.pixel_scale(), padding = options.padding();
  const uint8_t* levels = grey.data_ptr<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t left = padding + (i % layout.columns) * (w * scale + padding);
    const int64_t top = layout.title_height + padding + (i / layout.columns) * (h * scale + padding);
    for (int64_t r = 0; r < h * scale; ++r) {
      auto* row = reinterpret_cast<uint32_t*>(data + (top + r) * stride) + left;
      const uint8_t* source = levels + (i * h + r / scale) * w;
      for (int64_t c = 0; c < w * scale; ++c) {
        const uint32_t g = source[c / scale];
        row[c] = (g << 16) | (g << 8) | g;  // RGB24: 0x00RRGGBB in native byte order
      }
    }
  }
  cairo_surface_mark_dirty(surface);
  canvas.save_png(path);
}

}  // namespace mixdist::report
