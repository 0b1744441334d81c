#include "canvas.h"

#include <c10/util/Exception.h>

#include <cmath>

#include "mixdist/io/atomic_file.h"

namespace mixdist::report::detail {
namespace {

void select_font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

}  // namespace

Canvas::Canvas(int64_t width, int64_t height, const std::string& what)
    : what_(what), surface_(nullptr, cairo_surface_destroy), cr_(nullptr, cairo_destroy) {
  TORCH_CHECK(width >= 1 && height >= 1 && width <= kMaxCanvasSide && height <= kMaxCanvasSide, what,
              ": the image would be ", width, " x ", height, " pixels; each side must lie in [1, ",
              kMaxCanvasSide, "]");
  surface_.reset(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(width), static_cast<int>(height)));
  const cairo_status_t surface_status = cairo_surface_status(surface_.get());
  TORCH_CHECK(surface_status == CAIRO_STATUS_SUCCESS, what, ": cairo cannot create a ", width, " x ", height,
              " image: ", cairo_status_to_string(surface_status));
  cr_.reset(cairo_create(surface_.get()));
  TORCH_CHECK(cairo_status(cr_.get()) == CAIRO_STATUS_SUCCESS, what,
              ": cairo cannot draw: ", cairo_status_to_string(cairo_status(cr_.get())));
  cairo_set_source_rgb(cr_.get(), 1, 1, 1);
  cairo_paint(cr_.get());
}

void Canvas::save_png(const std::string& path) const {
  // A drawing error (e.g. out of memory) sticks to the context; report it rather than save a broken image.
  const cairo_status_t draw_status = cairo_status(cr_.get());
  TORCH_CHECK(draw_status == CAIRO_STATUS_SUCCESS, what_,
              ": drawing failed: ", cairo_status_to_string(draw_status));
  cairo_surface_flush(surface_.get());
  io::write_file_atomically(path, [&](const std::string& tmp_path) {
    const cairo_status_t status = cairo_surface_write_to_png(surface_.get(), tmp_path.c_str());
    TORCH_CHECK(status == CAIRO_STATUS_SUCCESS, what_, ": cairo cannot write the PNG ", tmp_path, " (for ",
                path, "): ", cairo_status_to_string(status));
  });
}

void set_colour(cairo_t* cr, Rgb colour) {
  cairo_set_source_rgb(cr, colour.r / 255.0, colour.g / 255.0, colour.b / 255.0);
}

void draw_text(cairo_t* cr, const std::string& text, double x, double y, Align align, double size, bool bold,
               bool vertical) {
  if (text.empty()) return;
  const double width = text_width(cr, text, size, bold);
  const double shift = align == Align::kLeft ? 0 : align == Align::kCentre ? -width / 2 : -width;
  cairo_save(cr);
  cairo_translate(cr, x, y);
  if (vertical) cairo_rotate(cr, -M_PI / 2);
  cairo_move_to(cr, shift, 0);
  cairo_show_text(cr, text.c_str());
  cairo_restore(cr);
}

double text_width(cairo_t* cr, const std::string& text, double size, bool bold) {
  select_font(cr, size, bold);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  return extents.x_advance;
}

}  // namespace mixdist::report::detail
