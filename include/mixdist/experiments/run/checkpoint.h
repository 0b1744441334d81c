#pragma once

/// @file
/// @brief Saving and loading a run's checkpoints (ckpt.last, ckpt.best): model, optimisers, generator,
/// progress.
///
/// Checkpoints of a run: the model, every named optimiser, the global generator's state, the progress, the
/// best validation value so far and the metrics rows, so that a resumed run continues bit for bit where an
/// uninterrupted one would be. Written atomically (a crash leaves the previous checkpoint intact); tagged
/// with the experiment and its variant (e.g. "latent": "gaussian"), so that loading one into the wrong model
/// fails with a clear message instead of a shape error deep in LibTorch; and the content carries its CRC-32
/// (format_version 2), so that a damaged file is refused by name instead of loading garbage weights
/// (format_version 1 files, without it, still load). The content also records the config the run was trained
/// with: loading it under a config that differs in any setting but the planned epochs and the data folder is
/// an error naming each difference (a config.json edited by hand would otherwise describe another model than
/// the weights it loads).

#include <limits>
#include <string>
#include <vector>

#include "mixdist/experiments/run/experiment.h"

namespace mixdist::experiments::run {

/// The run layer's own state, which a checkpoint carries besides the model and the optimisers.
struct TrainingState {
  /// Completed epochs and steps.
  Progress progress;
  /// The best validation value of ExperimentInfo::selection_metric so far; NaN: no validation yet.
  double best_valid = std::numeric_limits<double>::quiet_NaN();
  /// metrics.csv's rows, one per completed epoch (run::metrics_columns).
  std::vector<std::vector<double>> metrics_rows;
};

/// Writes a checkpoint of `experiment` and `state` to `path`, atomically.
///
/// It holds the experiment's name and variant, and a payload with its CRC-32: experiment.model(), each of
/// experiment.optimizers() under "<name>_optimizer", the global CPU generator's state, `state`, and
/// experiment.config_json().
/// @param path the file to write, e.g. "runs/x/ckpt.last".
/// @param info the experiment's description (its name, variant_key and selection_metric are recorded).
/// @param variant the value of info.variant_key in the run's config, e.g. "gaussian".
/// @param experiment the experiment whose model and optimisers are saved.
/// @param state the progress, best validation value and metrics rows.
/// @throws c10::Error if the file cannot be written (naming it).
void save_checkpoint(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                     Experiment& experiment, const TrainingState& state);
/// Restores the model, the optimisers and the global generator in place and returns the training state.
///
/// @param path the checkpoint file.
/// @param info the experiment's description.
/// @param variant the value of info.variant_key the model was built for.
/// @param experiment the experiment whose model and optimisers are loaded; its config_json() must agree with
///   the one stored in the checkpoint but for "epochs" and "data_dir".
/// @return the progress, best validation value and metrics rows the checkpoint holds.
/// @throws c10::Error naming the path: a missing or unreadable file, a damaged one (its CRC-32 differs), an
///   unknown format_version, another experiment's or variant's checkpoint, a config
///   (experiment.config_json()) that contradicts the checkpoint's (naming each differing setting with both
///   values), or a missing optimiser state.
TrainingState load_checkpoint(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                              Experiment& experiment);
/// Loads only the model of a checkpoint (for evaluation), leaving the global generator alone.
///
/// @param path the checkpoint file.
/// @param info the experiment's description.
/// @param variant the value of info.variant_key the model was built for.
/// @param model the model to load into.
/// @param config_json the config the model was built from; if not empty, it must agree with the
///   checkpoint's, as for load_checkpoint ("": not checked).
/// @return the checkpoint's progress.
/// @throws c10::Error naming the path, as load_checkpoint.
Progress load_model(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                    torch::nn::Module& model, const std::string& config_json = "");

}  // namespace mixdist::experiments::run
