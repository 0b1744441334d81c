#include "mixdist/report/bar_chart.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>

#include "canvas.h"
#include "chart_frame.h"
#include "mixdist/report/palette.h"

namespace mixdist::report {
namespace {

// The part of a category's slot left empty, split evenly on both sides, to separate the groups.
constexpr double kGroupGap = 0.2;
constexpr double kFontSize = 12;

struct BarLayout {
  detail::ChartFrame frame;
  detail::Axis y_axis;
  double slot_width;  // per category
  double bar_width;
};

BarLayout bar_layout(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                     const BarChartOptions& options, const std::string& what) {
  TORCH_CHECK(!categories.empty(), what, ": there are no categories");
  TORCH_CHECK(!series.empty(), what, ": there are no series");
  double lo = 0, hi = 0;  // bars start at 0, so the axis must include it
  for (const BarSeries& s : series) {
    TORCH_CHECK(s.values.size() == categories.size(), what, ": series '", s.label, "' has ", s.values.size(),
                " values, but there are ", categories.size(), " categories");
    for (size_t c = 0; c < s.values.size(); ++c) {
      TORCH_CHECK(std::isfinite(s.values[c]), what, ": series '", s.label, "' has the non-finite value ",
                  s.values[c], " in category '", categories[c], "'");
      lo = std::min(lo, s.values[c]);
      hi = std::max(hi, s.values[c]);
    }
  }
  BarLayout layout;
  layout.frame = detail::chart_frame(options.width(), options.height(), !options.title().empty(), what);
  layout.y_axis = detail::nice_axis(lo, hi);
  layout.slot_width = (layout.frame.right - layout.frame.left) / static_cast<double>(categories.size());
  layout.bar_width = layout.slot_width * (1 - kGroupGap) / static_cast<double>(series.size());
  return layout;
}

BarRect rect_in(const BarLayout& layout, double value, size_t category, size_t series_index) {
  const double left = layout.frame.left + static_cast<double>(category) * layout.slot_width +
                      layout.slot_width * kGroupGap / 2 +
                      static_cast<double>(series_index) * layout.bar_width;
  const double x0 = std::round(left), x1 = std::round(left + layout.bar_width);
  const auto y_pixel = [&](double v) {
    return std::round(layout.y_axis.to_pixel(v, layout.frame.bottom, layout.frame.top));
  };
  const double y0 = y_pixel(std::max(value, 0.0)), y1 = y_pixel(std::min(value, 0.0));
  return {static_cast<int64_t>(x0), static_cast<int64_t>(y0), static_cast<int64_t>(x1 - x0),
          static_cast<int64_t>(y1 - y0)};
}

}  // namespace

BarRect bar_rect(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                 size_t category, size_t series_index, const BarChartOptions& options) {
  const BarLayout layout = bar_layout(categories, series, options, "bar_rect");
  TORCH_CHECK(category < categories.size(), "bar_rect: category ", category, " is out of range (there are ",
              categories.size(), ")");
  TORCH_CHECK(series_index < series.size(), "bar_rect: series ", series_index, " is out of range (there are ",
              series.size(), ")");
  return rect_in(layout, series[series_index].values[category], category, series_index);
}

void save_bar_chart(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                    const std::string& path, const BarChartOptions& options) {
  const std::string what = "save_bar_chart(" + path + ")";
  const BarLayout layout = bar_layout(categories, series, options, what);
  detail::Canvas canvas(options.width(), options.height(), what);
  cairo_t* cr = canvas.cr();

  detail::draw_chart_background(cr, layout.frame, options.width(), options.height(),
                                {options.title(), options.x_label(), options.y_label()}, layout.y_axis,
                                detail::legend_of(series));

  for (size_t s = 0; s < series.size(); ++s) {
    detail::set_colour(cr, series_colour(s));
    for (size_t c = 0; c < categories.size(); ++c) {
      const BarRect r = rect_in(layout, series[s].values[c], c, s);
      cairo_rectangle(cr, static_cast<double>(r.x), static_cast<double>(r.y), static_cast<double>(r.width),
                      static_cast<double>(r.height));
    }
    cairo_fill(cr);
  }
  detail::draw_axis_lines(cr, layout.frame);

  // Category labels under their slots; when they would overlap, only every k-th is shown.
  double widest = 0;
  for (const std::string& name : categories)
    widest = std::max(widest, detail::text_width(cr, name, kFontSize));
  const size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil((widest + 6) / layout.slot_width)));
  detail::set_colour(cr, {0x20, 0x20, 0x20});
  for (size_t c = 0; c < categories.size(); c += every) {
    const double centre = layout.frame.left + (static_cast<double>(c) + 0.5) * layout.slot_width;
    detail::draw_text(cr, categories[c], centre, layout.frame.bottom + 18, detail::Align::kCentre, kFontSize);
  }
  canvas.save_png(path);
}

}  // namespace mixdist::report
