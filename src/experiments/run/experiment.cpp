#include "mixdist/experiments/run/experiment.h"

#include <c10/util/Exception.h>

#include <limits>

namespace mixdist::experiments::run {

Evaluation make_evaluation(const std::vector<std::string>& names, const std::vector<double>& values,
                           int64_t images, int64_t samples) {
  TORCH_CHECK(names.size() == values.size(), "make_evaluation: ", names.size(), " names for ", values.size(),
              " values");
  Evaluation e;
  for (size_t i = 0; i < names.size(); ++i) e.metrics.emplace_back(names[i], values[i]);
  e.images = images;
  e.samples = samples;
  return e;
}

double metric_value(const Evaluation& evaluation, const std::string& name) {
  for (const auto& [key, value] : evaluation.metrics)
    if (key == name) return value;
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace mixdist::experiments::run
