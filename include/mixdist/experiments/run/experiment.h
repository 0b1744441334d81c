#pragma once

// What an experiment gives the shared run layer (run::train, run::evaluate_run, run::compare), the split of
// PyTorch Lightning's module and trainer, or EGG's game and core.Trainer: the experiment owns its config,
// data, model, optimisers, training step, evaluation and pictures; the layer owns the run folder, the
// schedule of epochs, validation and checkpoints, resume, stop requests, progress, metrics.csv and
// summary.json, and the order of writes that makes a crash lose nothing. An experiment never writes a file of
// the run folder itself, except its pictures (through report/) and its evaluation logs, atomically.
//
// Randomness: every experiment draws from the global CPU generator, which the layer seeds from the config's
// "seed" before create() and saves in every checkpoint, so a resumed run continues the stream of an
// uninterrupted one. Evaluations and pictures must leave it as they found it (train::GlobalRngStateGuard).

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mixdist::experiments::run {

// Named values in a fixed order: a metrics row's validation part, or one evaluation.
using Metrics = std::vector<std::pair<std::string, double>>;

// Where a run stands: completed epochs and optimiser steps.
struct Progress {
  int64_t epoch = 0;
  int64_t step = 0;
};

struct Evaluation {
  Metrics metrics;      // in Experiment::eval_columns() order
  int64_t images = 0;   // data points evaluated
  int64_t samples = 0;  // importance samples per data point (0: not a sampled estimate)
};

// An evaluation from parallel lists of metric names and values (c10::Error if their sizes differ).
Evaluation make_evaluation(const std::vector<std::string>& names, const std::vector<double>& values,
                           int64_t images, int64_t samples);
// The value of metric `name`; NaN if the evaluation has none.
double metric_value(const Evaluation& evaluation, const std::string& name);

struct NamedOptimizer {
  std::string name;  // checkpoint key "<name>_optimizer"
  torch::optim::Optimizer* optimizer;
};

class Experiment {
 public:
  virtual ~Experiment() = default;

  // The config as written to config.json (pretty-printed; must hold "experiment", "preset", "seed" and
  // "epochs").
  virtual std::string config_json() const = 0;
  virtual int64_t epochs() const = 0;
  virtual int64_t steps_per_epoch() const = 0;

  // Columns of metrics.csv after "epoch", "step" and "seconds": the training columns (full names, e.g.
  // "train_loss"), then "valid_" + each evaluation column.
  virtual std::vector<std::string> train_columns() const = 0;
  virtual std::vector<std::string> eval_columns() const = 0;

  // What a checkpoint holds besides the layer's own state.
  virtual torch::nn::Module& model() = 0;
  virtual std::vector<NamedOptimizer> optimizers() = 0;

  // One epoch: begin_epoch, steps_per_epoch() calls of train_step (each one optimiser step, returning the
  // epoch's running mean training loss, which must stay finite), then end_epoch with the values of
  // train_columns(). `at` is the progress before the step.
  virtual void begin_epoch(const Progress& at) = 0;
  virtual double train_step(int64_t step_in_epoch, const Progress& at) = 0;
  virtual std::vector<double> end_epoch() = 0;

  // Whether the epoch just completed is validated (the layer always validates the last one).
  virtual bool validates_after(int64_t epoch) const = 0;
  // The per-epoch validation of the model at `at`.
  virtual Evaluation validate(const Progress& at) = 0;
  // The final evaluation of `split` ("valid" or "test") of the model at `at`; samples <= 0: the config's
  // final number of importance samples.
  virtual Evaluation evaluate(const std::string& split, int64_t samples, const Progress& at) = 0;

  // One line for the log, e.g. "NLL 98.76  D 80.12  R 18.64".
  virtual std::string describe(const Evaluation& evaluation) const = 0;
  // The end of an epoch's log line, e.g. "train -ELBO 99.12, valid NLL 98.76 (IS 10)".
  virtual std::string epoch_summary(const std::vector<double>& train_values,
                                    const Evaluation* validation) const = 0;

  // The report pictures of a finished run (paths written); `columns` / `rows` are metrics.csv's.
  virtual std::vector<std::string> write_figures(const std::string& run_dir,
                                                 const std::vector<std::string>& columns,
                                                 const std::vector<std::vector<double>>& rows) = 0;

  // Item-level records of the evaluation that evaluate(split, ...) has just made (e.g. each game played),
  // written in run_dir under a name that includes `tag`; returns the paths written. The layer calls it right
  // after each final evaluation of a run (tag = the split: "valid", "test"), before summary.json, and after
  // each run::evaluate_run (tag "<split>_<checkpoint>", as its eval_<tag>.json). Default: no records.
  virtual std::vector<std::string> write_evaluation_log(const std::string& run_dir, const std::string& split,
                                                        const std::string& tag) {
    (void)run_dir;
    (void)split;
    (void)tag;
    return {};
  }
};

// How the layer and the CLI know an experiment: its names, how runs compare, and a factory.
struct ExperimentInfo {
  std::string name;                   // config.json's "experiment", e.g. "vae_mnist"
  std::string command;                // the `mixdist train` subcommand, e.g. "vae"
  std::string title;                  // for tables, e.g. "MNIST mixed-latent VAE"
  std::string variant_key;            // the config key of the compared method, e.g. "latent"
  std::vector<std::string> variants;  // its values, in the order tables list them

  // ckpt.best keeps the best validation value of this evaluation column.
  std::string selection_metric;
  bool selection_minimises = true;
  // The checkpoint the final evaluation (summary.json) reports: "last" or "best".
  std::string final_checkpoint = "last";

  // Comparison over seeds (mixdist compare): the evaluation columns shown, their titles, the unit, and the
  // spread: the population standard deviation (np.std, as the MNIST VAE paper table) or the standard error
  // of the mean (std with n - 1, over sqrt(n)).
  struct Column {
    std::string title, key;
    int decimals = 2;
  };
  std::vector<Column> comparison;
  enum class Spread { kPopulationStd, kStandardError } spread = Spread::kPopulationStd;
  std::string unit;
  // Settings besides the variant that make runs different methods (e.g. "compat"), with their defaults:
  // summary.json records them, and compare labels and groups a run whose value differs from the default as
  // "<variant> (<key> <value>)".
  struct Setting {
    std::string key, default_value;
  };
  std::vector<Setting> distinguishing_settings;

  // Builds the experiment from config.json text: validates it (c10::Error naming the setting), loads the
  // data (an error naming the command that fetches missing data) and builds the model and optimisers from the
  // global generator.
  std::function<std::unique_ptr<Experiment>(const std::string& config_json)> create;
};

}  // namespace mixdist::experiments::run
