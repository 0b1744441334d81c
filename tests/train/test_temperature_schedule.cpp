// The annealed Gumbel temperature (temperature_schedule.h) against the closed form, and its refusals.
#include <gtest/gtest.h>

#include <mixdist/train/temperature_schedule.h>

#include <cmath>

#include "test_util.h"

namespace {

TEST(TemperatureSchedule, PiecewiseConstantBetweenUpdatesAndFlooredAtTheMinimum) {
  const mixdist::train::TemperatureSchedule s{/*decay=*/1e-3, /*minimum=*/0.5, /*interval=*/100};
  EXPECT_EQ(mixdist::train::annealed_temperature(s, 0), 1.0);
  // Steps 1..100 follow the update after step 0 (exp(0) = 1); step 101 the update after step 100.
  EXPECT_EQ(mixdist::train::annealed_temperature(s, 100), 1.0);
  EXPECT_DOUBLE_EQ(mixdist::train::annealed_temperature(s, 101), std::exp(-0.1));
  EXPECT_DOUBLE_EQ(mixdist::train::annealed_temperature(s, 250), std::exp(-0.2));
  EXPECT_EQ(mixdist::train::annealed_temperature(s, 100000), 0.5);
}

TEST(TemperatureSchedule, BadSchedulesAreNamedErrors) {
  using mixdist::testing::expect_error_containing;
  expect_error_containing(
      [] {
        mixdist::train::annealed_temperature({1e-3, 0.5, 0}, 10);
      },
      "schedule.interval must be >= 1, got 0");
  expect_error_containing(
      [] {
        mixdist::train::annealed_temperature({-1.0, 0.5, 10}, 10);
      },
      "schedule.decay must be finite and >= 0, got -1");
  expect_error_containing([] { mixdist::train::annealed_temperature({}, -1); },
                          "annealed_temperature: completed_steps must be >= 0, got -1");
}

}  // namespace
