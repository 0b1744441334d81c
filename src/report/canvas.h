// A cairo image surface with its drawing context, and the text and colour helpers every figure uses.
#pragma once

#include <cairo.h>

#include <cstdint>
#include <memory>
#include <string>

#include "mixdist/report/palette.h"

namespace mixdist::report::detail {

// cairo refuses image surfaces larger than this in either direction.
constexpr int64_t kMaxCanvasSide = 32767;

// An opaque RGB image (CAIRO_FORMAT_RGB24), filled white, and a context to draw on it.
class Canvas {
 public:
  // `what` (e.g. "save_bar_chart(out.png)") prefixes error messages.
  Canvas(int64_t width, int64_t height, const std::string& what);

  cairo_t* cr() const { return cr_.get(); }
  cairo_surface_t* surface() const { return surface_.get(); }

  // Writes the image as a PNG to `path`, atomically; throws c10::Error naming `path` on failure.
  void save_png(const std::string& path) const;

 private:
  std::string what_;
  std::unique_ptr<cairo_surface_t, void (*)(cairo_surface_t*)> surface_;
  std::unique_ptr<cairo_t, void (*)(cairo_t*)> cr_;
};

void set_colour(cairo_t* cr, Rgb colour);

enum class Align { kLeft, kCentre, kRight };

// Draws `text` in sans-serif of `size` pixels with its baseline at y; x is its left end, centre or right end.
// `vertical` turns it 90 degrees anticlockwise about (x, y) (for a y-axis label).
void draw_text(cairo_t* cr, const std::string& text, double x, double y, Align align, double size,
               bool bold = false, bool vertical = false);
// How far draw_text advances for `text`.
double text_width(cairo_t* cr, const std::string& text, double size, bool bold = false);

}  // namespace mixdist::report::detail
