// report/palette: the series colours.
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
#include "png_pixels.h"
#include "temp_dir.h"
#include "test_util.h"

namespace {

using namespace mixdist::report;

TEST(Palette, TenDistinctColoursThenRepeats) {
  std::set<uint32_t> colours;
  for (size_t i = 0; i < 10; ++i) colours.insert(packed(series_colour(i)));
  EXPECT_EQ(colours.size(), 10u);
  EXPECT_EQ(series_colour(10), series_colour(0));
  EXPECT_NE(series_colour(0), series_colour(1));
}

}  // namespace
