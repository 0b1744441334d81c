// The colours that tell series apart in charts.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mixdist::report {

struct Rgb {
  uint8_t r, g, b;
  bool operator==(const Rgb& other) const { return r == other.r && g == other.g && b == other.b; }
  bool operator!=(const Rgb& other) const { return !(*this == other); }
};

// Series `index`'s colour: Tableau 10 (blue, orange, red, teal, green, yellow, purple, pink, brown, grey),
// chosen to stay distinguishable for common colour-vision deficiencies; repeats after 10 series.
Rgb series_colour(size_t index);

}  // namespace mixdist::report
