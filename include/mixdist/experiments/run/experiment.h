#pragma once

/// @file
/// @brief The interface an experiment implements for the shared run layer, and its description.
///
/// What an experiment gives the shared run layer (run::train, run::evaluate_run, run::compare_runs), the
/// split of PyTorch Lightning's module and trainer, or EGG's game and core.Trainer: the experiment owns its
/// config, data, model, optimisers, training step, evaluation and pictures; the layer owns the run folder,
/// the schedule of epochs, validation and checkpoints, resume, stop requests, progress, metrics.csv and
/// summary.json, and the order of writes that makes a crash lose nothing. An experiment never writes a file
/// of the run folder itself, except its pictures (through report/) and its evaluation logs, atomically.
///
/// Randomness: every experiment draws from the global CPU generator, which the layer seeds from the config's
/// "seed" before create() and saves in every checkpoint, so a resumed run continues the stream of an
/// uninterrupted one. Evaluations and pictures must leave it as they found it (train::GlobalRngStateGuard).

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mixdist::distributed {
class ProcessGroup;
}  // namespace mixdist::distributed

/// @brief The run layer every experiment shares: run folders, training, checkpoints, evaluation, comparison.
///
/// An experiment implements run::Experiment and describes itself with a run::ExperimentInfo; run::train,
/// run::evaluate_run and run::compare_runs then work on its runs (`docs/experiments.md`).
namespace mixdist::experiments::run {

/// Named values in a fixed order: a metrics row's validation part, or one evaluation.
using Metrics = std::vector<std::pair<std::string, double>>;

/// Where a run stands: completed epochs and optimiser steps.
struct Progress {
  /// Epochs completed (0 before the first one ends).
  int64_t epoch = 0;
  /// Optimiser steps taken over all completed epochs.
  int64_t step = 0;
};

/// One evaluation of a model: its metrics and what they were computed on.
struct Evaluation {
  /// The metrics, in Experiment::eval_columns() order.
  Metrics metrics;
  /// Data points evaluated (images, or games for the signal game).
  int64_t images = 0;
  /// Importance samples per data point (0: not a sampled estimate).
  int64_t samples = 0;
};

/// An evaluation from parallel lists of metric names and values.
///
/// @param names the metric names, in Experiment::eval_columns() order.
/// @param values one value per name.
/// @param images data points evaluated (Evaluation::images).
/// @param samples importance samples per data point, 0 if none (Evaluation::samples).
/// @return the evaluation, its metrics paired in order.
/// @throws c10::Error if names and values differ in size.
Evaluation make_evaluation(const std::vector<std::string>& names, const std::vector<double>& values,
                           int64_t images, int64_t samples);
/// The value of metric `name` in `evaluation`; NaN if the evaluation has none.
double metric_value(const Evaluation& evaluation, const std::string& name);

/// An optimiser that checkpoints save and restore under a name.
struct NamedOptimizer {
  /// Its key in a checkpoint is "<name>_optimizer" (e.g. "adam", "generator").
  std::string name;
  /// The optimiser, owned by the experiment; it must outlive the checkpoint call.
  torch::optim::Optimizer* optimizer;
};

/// What an experiment implements for the run layer: config, model, optimisers, one training step,
/// evaluations, log lines and pictures.
///
/// ExperimentInfo::create builds one from config.json text; run::train and run::evaluate_run then call its
/// hooks. Every hook may throw (c10::Error or any std::exception); the layer lets
/// the exception through, and what it had already written stays valid (see run/trainer.h). A stop request
/// (Ctrl-C, SIGTERM) may end an evaluation hook with train::Stopped, which the layer handles.
class Experiment {
 public:
  virtual ~Experiment() = default;

  /// The config as written to config.json (pretty-printed JSON text; must hold "experiment", "preset",
  /// "seed" and "epochs", and ExperimentInfo::variant_key).
  ///
  /// The layer writes it to config.json of a new run, stores it in every checkpoint, and compares it with a
  /// checkpoint's when loading one (run/checkpoint.h).
  virtual std::string config_json() const = 0;
  /// The planned number of epochs (the config's "epochs").
  virtual int64_t epochs() const = 0;
  /// The optimiser steps of one epoch, the number of train_step calls between begin_epoch and end_epoch;
  /// at least 1.
  virtual int64_t steps_per_epoch() const = 0;

  /// The training columns of metrics.csv, full names (e.g. "train_loss"), in the order end_epoch returns
  /// their values.
  ///
  /// metrics.csv's columns are "epoch", "step" and "seconds", these, then "valid_" + each of eval_columns()
  /// (run::metrics_columns).
  virtual std::vector<std::string> train_columns() const = 0;
  /// The metric names of an evaluation, in the order of Evaluation::metrics; must include
  /// ExperimentInfo::selection_metric and every ExperimentInfo::comparison key.
  virtual std::vector<std::string> eval_columns() const = 0;

  /// Makes this experiment one rank of a data-parallel run over `group` (run/trainer.h, "Data-parallel
  /// runs"); called once, right after ExperimentInfo::create, when the run has a process group.
  ///
  /// From then on train_step trains on this rank's slice (distributed::shard) of each global batch and sums
  /// the gradients of all ranks (distributed::GradientAllReducer, weighted so that they are the global
  /// batch's) before its optimiser steps; end_epoch returns the values of the whole global batches, and
  /// validate and evaluate the evaluation of the whole split, computed slice by slice and reduced as sums and
  /// counts (distributed::sum_over_ranks). Every rank calls the same hooks in the same order.
  /// @param group the ranks; outlives the experiment.
  /// @return false if the experiment cannot run data-parallel (the default); the layer then refuses the run.
  virtual bool join(distributed::ProcessGroup& group) {
    (void)group;
    return false;
  }

  /// The model a checkpoint saves and loads (with the layer's own state besides).
  virtual torch::nn::Module& model() = 0;
  /// The optimisers a checkpoint saves and loads, each under its name.
  virtual std::vector<NamedOptimizer> optimizers() = 0;

  /// Called at the start of each epoch, with the model in train mode, before its first train_step (e.g. to
  /// draw the epoch's shuffled order and reset the running sums).
  /// @param at the progress before the epoch.
  virtual void begin_epoch(const Progress& at) = 0;
  /// Called steps_per_epoch() times per epoch: takes one optimiser step and returns the epoch's running mean
  /// training loss so far.
  ///
  /// The layer polls for stop requests between steps (an epoch stopped halfway is dropped) and throws
  /// c10::Error ("training diverged") if the returned loss is not finite.
  /// @param step_in_epoch 0 .. steps_per_epoch() - 1.
  /// @param at the progress before this step (at.step counts every step of the run so far).
  /// @return the mean training loss of the epoch's steps so far.
  virtual double train_step(int64_t step_in_epoch, const Progress& at) = 0;
  /// Called once the epoch's last step is taken: the epoch's values of train_columns(), in that order (the
  /// layer throws c10::Error if the count differs).
  virtual std::vector<double> end_epoch() = 0;

  /// Whether the epoch just completed (1-based `epoch`) is validated; the layer always validates the last
  /// one, whatever this returns.
  virtual bool validates_after(int64_t epoch) const = 0;
  /// The per-epoch validation of the model at `at` (progress after the epoch), called after end_epoch
  /// when the epoch is validated; its metrics become the row's "valid_" columns.
  ///
  /// Must leave the global generator as it found it. A stop request may end it with train::Stopped: the epoch
  /// is then dropped.
  virtual Evaluation validate(const Progress& at) = 0;
  /// The final evaluation of `split` ("valid" or "test") of the model at `at`, called by run::train once all
  /// epochs are done (valid, then test, of the checkpoint ExperimentInfo::final_checkpoint names) and by
  /// run::evaluate_run.
  /// @param split "valid" or "test".
  /// @param samples importance samples per data point; 0: the config's final number (experiments without
  ///   importance sampling ignore it).
  /// @param at the progress of the checkpoint the model was loaded from.
  virtual Evaluation evaluate(const std::string& split, int64_t samples, const Progress& at) = 0;

  /// One line for the log, e.g. "NLL 98.76  D 80.12  R 18.64".
  virtual std::string describe(const Evaluation& evaluation) const = 0;
  /// The end of an epoch's log line, e.g. "train -ELBO 99.12, valid NLL 98.76 (IS 10)".
  /// @param train_values what end_epoch returned.
  /// @param validation the epoch's validation; nullptr if the epoch was not validated.
  virtual std::string epoch_summary(const std::vector<double>& train_values,
                                    const Evaluation* validation) const = 0;

  /// Writes the report pictures of a finished run into `run_dir` (atomically) and returns the paths written.
  ///
  /// Called by run::train after the final evaluation, before summary.json, unless RunOptions::figures is
  /// false. Must leave the global generator as it found it.
  /// @param run_dir the run folder.
  /// @param columns metrics.csv's columns (run::metrics_columns).
  /// @param rows metrics.csv's rows, one per completed epoch (NaN where an epoch was not validated).
  virtual std::vector<std::string> write_figures(const std::string& run_dir,
                                                 const std::vector<std::string>& columns,
                                                 const std::vector<std::vector<double>>& rows) = 0;

  /// Writes item-level records of the evaluation that evaluate(split, ...) has just made (e.g. each game
  /// played) in `run_dir`, under a name that includes `tag`, and returns the paths written.
  ///
  /// The layer calls it right after each final evaluation of a run (tag = the split: "valid", "test"), before
  /// summary.json, and after each run::evaluate_run (tag "<split>_<checkpoint>", as its eval_<tag>.json).
  /// Default: no records.
  /// @param run_dir the run folder.
  /// @param split the split just evaluated.
  /// @param tag what the file names include.
  virtual std::vector<std::string> write_evaluation_log(const std::string& run_dir, const std::string& split,
                                                        const std::string& tag) {
    (void)run_dir;
    (void)split;
    (void)tag;
    return {};
  }
};

/// How the layer and the CLI know an experiment: its names, how runs compare, and a factory.
///
/// Each experiment has one, built once (vae_mnist::info(), bitvector_vae::info(), signal_game::info());
/// all_experiments() lists them.
///
/// @code
/// auto experiment = mixdist::experiments::vae_mnist::info().create(config.to_json());
/// @endcode
struct ExperimentInfo {
  /// config.json's "experiment", e.g. "vae_mnist".
  std::string name;
  /// The `mixdist train` subcommand, e.g. "vae".
  std::string command;
  /// The heading of its comparison table, e.g. "MNIST mixed-latent VAE".
  std::string title;
  /// The config key of the compared method, e.g. "latent"; checkpoints and summary.json record its value.
  std::string variant_key;
  /// The values of variant_key, in the order tables list them.
  std::vector<std::string> variants;

  /// The evaluation column whose best validation value ckpt.best keeps.
  std::string selection_metric;
  /// Whether lower values of selection_metric are better (false: higher ones).
  bool selection_minimises = true;
  /// The checkpoint the final evaluation (summary.json) reports: "last" or "best".
  std::string final_checkpoint = "last";

  /// One column of a comparison table (mixdist compare).
  struct Column {
    /// The column's heading, e.g. "NLL".
    std::string title, key;
    /// @var key
    /// The evaluation column it shows, e.g. "nll".

    /// Decimals of the mean and the spread.
    int decimals = 2;
  };
  /// The evaluation columns the comparison over seeds shows, in order.
  std::vector<Column> comparison;
  /// The spread a comparison reports beside each mean.
  enum class Spread {
    /// The population standard deviation (np.std, as the MNIST VAE paper table).
    kPopulationStd,
    /// The standard error of the mean: the sample standard deviation (n - 1) over sqrt(n); 0 for one run.
    kStandardError
  } spread = Spread::kPopulationStd;  ///< The spread this experiment's comparison reports.
  /// The unit of the compared metrics, for the table's heading.
  std::string unit;
  /// A setting besides the variant that makes runs different methods.
  struct Setting {
    /// Its config key, e.g. "compat".
    std::string key, default_value;
    /// @var default_value
    /// Its default value, as config.json writes it (a string setting), e.g. "none".
  };
  /// Settings besides the variant that make runs different methods (e.g. "compat"), with their defaults:
  /// summary.json records them, and compare labels and groups a run whose value differs from the default as
  /// "<variant> (<key> <value>)".
  std::vector<Setting> distinguishing_settings;

  /// Builds the experiment from config.json text: validates it (c10::Error naming the setting), loads the
  /// data (an error naming the command that fetches missing data) and builds the model and optimisers from
  /// the global generator, which the caller has seeded.
  std::function<std::unique_ptr<Experiment>(const std::string& config_json)> create;
};

}  // namespace mixdist::experiments::run
