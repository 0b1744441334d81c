#pragma once

/// @file
/// @brief The relaxed estimators' temperature annealing, as a pure function of the steps taken.
///
/// The relaxed estimators' temperature annealing (Jang et al.'s schedule as the paper's code runs it): tau
/// starts at 1 and, after every training step t (0-based) with t % interval == 0, becomes max(minimum,
/// exp(-decay t)). Written as a pure function of the steps taken, so a resumed run needs no saved
/// temperature.

#include <cstdint>

namespace mixdist::train {

/// The parameters of the annealing: tau = max(minimum, exp(-decay t)), updated every `interval` steps.
struct TemperatureSchedule {
  double decay = 1e-5;      ///< rate of the exponential decay per step, >= 0
  double minimum = 0.5;     ///< the temperature never goes below this
  int64_t interval = 1000;  ///< steps between updates, >= 1
};

/// The temperature of the step that follows `completed_steps` steps.
///
/// @param schedule        decay, minimum and interval (interval >= 1).
/// @param completed_steps training steps taken so far, >= 0.
/// @return 1 for completed_steps = 0, else max(minimum, exp(-decay t)) with t the last update step.
/// @throws c10::Error if completed_steps < 0, schedule.interval < 1 or schedule.decay is negative or not
///         finite.
///
/// @code
/// double tau = mixdist::train::annealed_temperature({}, 50000);  // max(0.5, exp(-0.49))
/// @endcode
double annealed_temperature(const TemperatureSchedule& schedule, int64_t completed_steps);

}  // namespace mixdist::train
