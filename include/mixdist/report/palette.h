#pragma once

/// @file
/// @brief The colours that tell series apart in charts.
///
/// The colours that tell series apart in charts.

#include <cstddef>
#include <cstdint>

namespace mixdist::report {

/// An 8-bit RGB colour.
struct Rgb {
  uint8_t r;  ///< red, 0..255
  uint8_t g;  ///< green, 0..255
  uint8_t b;  ///< blue, 0..255
  /// Whether all three channels are equal.
  /// @param other the colour to compare with.
  /// @return true if r, g and b are equal.
  bool operator==(const Rgb& other) const { return r == other.r && g == other.g && b == other.b; }
  /// Whether a channel differs.
  /// @param other the colour to compare with.
  /// @return !(*this == other).
  bool operator!=(const Rgb& other) const { return !(*this == other); }
};

/// Series `index`'s colour: Tableau 10 (blue, orange, red, teal, green, yellow, purple, pink, brown, grey),
/// chosen to stay distinguishable for common colour-vision deficiencies; repeats after 10 series.
///
/// @param index the series' index, any value.
/// @return the colour.
///
/// @code
/// mixdist::report::Rgb blue = mixdist::report::series_colour(0);
/// @endcode
Rgb series_colour(size_t index);

}  // namespace mixdist::report
