#include "mixdist/train/temperature_schedule.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>

namespace mixdist::train {

double annealed_temperature(const TemperatureSchedule& schedule, int64_t completed_steps) {
  TORCH_CHECK(completed_steps >= 0, "annealed_temperature: completed_steps must be >= 0, got ",
              completed_steps);
  TORCH_CHECK(schedule.interval >= 1, "annealed_temperature: schedule.interval must be >= 1, got ",
              schedule.interval);
  TORCH_CHECK(schedule.decay >= 0 && std::isfinite(schedule.decay),
              "annealed_temperature: schedule.decay must be finite and >= 0, got ", schedule.decay);
  if (completed_steps == 0) return 1.0;
  // The update after step t sets tau afresh (it does not multiply), so only the last update so far matters.
  const int64_t last_update = (completed_steps - 1) / schedule.interval * schedule.interval;
  return std::max(schedule.minimum, std::exp(-schedule.decay * static_cast<double>(last_update)));
}

}  // namespace mixdist::train
