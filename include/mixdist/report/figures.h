#pragma once

/// @file
/// @brief Every figure a report can hold: bar charts, line charts and image grids (one include).
///
/// Every figure a report can hold, each saved as a PNG with cairo and written atomically.

#include "mixdist/report/bar_chart.h"
#include "mixdist/report/image_grid.h"
#include "mixdist/report/line_chart.h"
#include "mixdist/report/palette.h"

/// @namespace mixdist::report
/// @brief Report figures (PNG with cairo, written atomically): bar charts, line charts, image grids.
