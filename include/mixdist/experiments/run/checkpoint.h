#pragma once

// Checkpoints of a run: the model, every named optimiser, the global generator's state, the progress, the
// best validation value so far and the metrics rows, so that a resumed run continues bit for bit where an
// uninterrupted one would be. Written atomically (a crash leaves the previous checkpoint intact); tagged with
// the experiment and its variant (e.g. "latent": "gaussian"), so that loading one into the wrong model fails
// with a clear message instead of a shape error deep in LibTorch; and the content carries its CRC-32
// (format_version 2), so that a damaged file is refused by name instead of loading garbage weights. The
// content also records the config the run was trained with: loading it under a config that differs in any
// setting but the planned epochs and the data folder is an error naming each difference (a config.json
// edited by hand would otherwise describe another model than the weights it loads).

#include <limits>
#include <string>
#include <vector>

#include "mixdist/experiments/run/experiment.h"

namespace mixdist::experiments::run {

struct TrainingState {
  Progress progress;
  double best_valid = std::numeric_limits<double>::quiet_NaN();  // NaN: no validation yet
  std::vector<std::vector<double>> metrics_rows;                 // one per completed epoch
};

// `variant` is the value of info.variant_key in the run's config.
void save_checkpoint(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                     Experiment& experiment, const TrainingState& state);
// Restores the model, the optimisers and the global generator in place and returns the training state.
// Errors name the path: a missing or unreadable file, another experiment's or variant's checkpoint, a config
// (experiment.config_json()) that contradicts the checkpoint's.
TrainingState load_checkpoint(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                              Experiment& experiment);
// Only the model (for evaluation); returns the checkpoint's progress. With a config_json, it must agree with
// the checkpoint's, as for load_checkpoint.
Progress load_model(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                    torch::nn::Module& model, const std::string& config_json = "");

}  // namespace mixdist::experiments::run
