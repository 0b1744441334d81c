#pragma once

// The relaxed estimators' temperature annealing (Jang et al.'s schedule as the paper's code runs it): tau
// starts at 1 and, after every training step t (0-based) with t % interval == 0, becomes max(minimum,
// exp(-decay t)). Written as a pure function of the steps taken, so a resumed run needs no saved temperature.

#include <cstdint>

namespace mixdist::train {

struct TemperatureSchedule {
  double decay = 1e-5;
  double minimum = 0.5;
  int64_t interval = 1000;
};

// The temperature of the step that follows `completed_steps` steps (c10::Error if negative).
double annealed_temperature(const TemperatureSchedule& schedule, int64_t completed_steps);

}  // namespace mixdist::train
