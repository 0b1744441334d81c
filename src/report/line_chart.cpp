#include "mixdist/report/line_chart.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>

#include "canvas.h"
#include "chart_frame.h"
#include "mixdist/report/palette.h"

namespace mixdist::report {
namespace {

constexpr double kLineWidth = 2, kMarkerRadius = 3.5, kFontSize = 12;

struct LineLayout {
  detail::ChartFrame frame;
  detail::Axis x_axis, y_axis;

  PixelPoint point(double x, double y) const {
    return {x_axis.to_pixel(x, frame.left, frame.right), y_axis.to_pixel(y, frame.bottom, frame.top)};
  }
};

LineLayout line_layout(const std::vector<double>& x, const std::vector<LineSeries>& series,
                       const LineChartOptions& options, const std::string& what) {
  TORCH_CHECK(!x.empty(), what, ": there are no x values");
  TORCH_CHECK(!series.empty(), what, ": there are no series");
  for (size_t i = 0; i < x.size(); ++i) TORCH_CHECK(std::isfinite(x[i]), what, ": x[", i, "] is ", x[i]);
  double lo = INFINITY, hi = -INFINITY;
  for (const LineSeries& s : series) {
    TORCH_CHECK(s.values.size() == x.size(), what, ": series '", s.label, "' has ", s.values.size(),
                " values, but there are ", x.size(), " x values");
    for (size_t i = 0; i < s.values.size(); ++i) {
      const double v = s.values[i];
      if (std::isnan(v)) continue;  // a gap
      TORCH_CHECK(std::isfinite(v), what, ": series '", s.label, "' has the value ", v, " at x = ", x[i]);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (lo > hi) lo = hi = 0;  // every value missing: still draw empty axes
  LineLayout layout;
  layout.frame = detail::chart_frame(options.width(), options.height(), !options.title().empty(), what);
  layout.x_axis =
      detail::nice_axis(*std::min_element(x.begin(), x.end()), *std::max_element(x.begin(), x.end()));
  layout.y_axis = detail::nice_axis(lo, hi);
  return layout;
}

}  // namespace

PixelPoint line_point(const std::vector<double>& x, const std::vector<LineSeries>& series,
                      size_t series_index, size_t index, const LineChartOptions& options) {
  const LineLayout layout = line_layout(x, series, options, "line_point");
  TORCH_CHECK(series_index < series.size(), "line_point: series ", series_index,
              " is out of range (there are ", series.size(), ")");
  TORCH_CHECK(index < x.size(), "line_point: index ", index, " is out of range (there are ", x.size(),
              " x values)");
  const double v = series[series_index].values[index];
  TORCH_CHECK(!std::isnan(v), "line_point: series '", series[series_index].label, "' has no value at index ",
              index, " (NaN), so nothing is drawn there");
  return layout.point(x[index], v);
}

void save_line_chart(const std::vector<double>& x, const std::vector<LineSeries>& series,
                     const std::string& path, const LineChartOptions& options) {
  const std::string what = "save_line_chart(" + path + ")";
  const LineLayout layout = line_layout(x, series, options, what);
  detail::Canvas canvas(options.width(), options.height(), what);
  cairo_t* cr = canvas.cr();

  detail::draw_chart_background(cr, layout.frame, options.width(), options.height(),
                                {options.title(), options.x_label(), options.y_label()}, layout.y_axis,
                                detail::legend_of(series));

  // Vertical grid lines and x tick labels.
  cairo_set_line_width(cr, 1);
  for (double tick : layout.x_axis.ticks) {
    const double px = std::round(layout.x_axis.to_pixel(tick, layout.frame.left, layout.frame.right));
    detail::set_colour(cr, {0xE0, 0xE0, 0xE0});
    cairo_move_to(cr, px + 0.5, layout.frame.top);
    cairo_line_to(cr, px + 0.5, layout.frame.bottom);
    cairo_stroke(cr);
    detail::set_colour(cr, {0x20, 0x20, 0x20});
    detail::draw_text(cr, detail::tick_label(tick), px + 0.5, layout.frame.bottom + 18,
                      detail::Align::kCentre, kFontSize);
  }

  // Axes before the data: the extreme values lie on the axis ends, and their markers should stay visible.
  detail::draw_axis_lines(cr, layout.frame);

  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (size_t s = 0; s < series.size(); ++s) {
    detail::set_colour(cr, series_colour(s));
    cairo_set_line_width(cr, kLineWidth);
    bool pen_down = false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (std::isnan(series[s].values[i])) {
        pen_down = pen_down && options.connect_gaps();
        continue;
      }
      const PixelPoint p = layout.point(x[i], series[s].values[i]);
      if (pen_down) {
        cairo_line_to(cr, p.x, p.y);
      } else {
        cairo_move_to(cr, p.x, p.y);
        pen_down = true;
      }
    }
    cairo_stroke(cr);
    if (!options.markers()) continue;
    for (size_t i = 0; i < x.size(); ++i) {
      if (std::isnan(series[s].values[i])) continue;
      const PixelPoint p = layout.point(x[i], series[s].values[i]);
      cairo_new_sub_path(cr);
      cairo_arc(cr, p.x, p.y, kMarkerRadius, 0, 2 * M_PI);
    }
    cairo_fill(cr);
  }
  canvas.save_png(path);
}

}  // namespace mixdist::report
