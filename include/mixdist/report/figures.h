// Every figure a report can hold, each saved as a PNG with cairo and written atomically.
#pragma once

#include "mixdist/report/bar_chart.h"
#include "mixdist/report/image_grid.h"
#include "mixdist/report/line_chart.h"
#include "mixdist/report/palette.h"
