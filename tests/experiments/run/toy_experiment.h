// A toy experiment for the run layer's tests whose numbers are known in closed form: least squares on a fixed
// data set with plain SGD, so that each epoch's validation loss can be checked against an independent
// computation.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "mixdist/experiments/run/checkpoint.h"
#include "mixdist/experiments/run/compare.h"
#include "mixdist/experiments/run/config_json.h"
#include "mixdist/experiments/run/run_lock.h"
#include "mixdist/experiments/run/trainer.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/stop_signal.h"
#include "temp_dir.h"
#include "test_util.h"

namespace mixdist::experiments::run {
namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::TempDir;

struct ToyConfig {
  std::string experiment = "toy";
  std::string method = "sgd";
  std::string preset = "quick";
  int64_t seed = 1;
  int64_t epochs = 4;
  double lr = 0.05;

  template <typename Visitor>
  static void visit_fields(ToyConfig& c, Visitor&& v) {
    v("experiment", c.experiment);
    v("method", c.method);
    v("preset", c.preset);
    v("seed", c.seed);
    v("epochs", c.epochs);
    v("lr", c.lr);
  }
};

// Called at the start of every validation ("valid", with the epoch) and final evaluation (its split, with the
// evaluated epoch): lets a test stop the run there, as a Ctrl-C would.
std::function<void(const std::string& split, int64_t epoch)> evaluation_hook;

// Makes the toy's pictures fail, as a process killed while drawing them would stop there.
bool figures_fail = false;

// y = 2 x + 1 on 8 points, 2 steps of 4 points per epoch; validation = the loss on all 8 and its negative
// ("score", maximised by the toy's selection).
class ToyExperiment final : public Experiment {
 public:
  explicit ToyExperiment(ToyConfig c) : config_(std::move(c)), model_(torch::nn::LinearOptions(1, 1)) {
    TORCH_CHECK(config_.epochs >= 1, "config: epochs must be >= 1, got ", config_.epochs);
    x_ = torch::linspace(-1, 1, 8).unsqueeze(1);
    y_ = 2 * x_ + 1;
    optimizer_ =
        std::make_unique<torch::optim::SGD>(model_->parameters(), torch::optim::SGDOptions(config_.lr));
  }
  std::string config_json() const override { return config_to_json(config_); }
  int64_t epochs() const override { return config_.epochs; }
  int64_t steps_per_epoch() const override { return 2; }
  std::vector<std::string> train_columns() const override { return {"train_loss"}; }
  std::vector<std::string> eval_columns() const override { return {"loss", "score"}; }
  torch::nn::Module& model() override { return *model_; }
  std::vector<NamedOptimizer> optimizers() override { return {{"sgd", optimizer_.get()}}; }
  void begin_epoch(const Progress&) override {
    order_ = torch::randperm(8);  // from the global generator, which the layer seeds and checkpoints
    sum_ = 0;
  }
  double train_step(int64_t s, const Progress&) override {
    const auto idx = order_.slice(0, 4 * s, 4 * s + 4);
    const auto loss = (model_->forward(x_.index_select(0, idx)) - y_.index_select(0, idx)).pow(2).mean();
    optimizer_->zero_grad();
    loss.backward();
    optimizer_->step();
    sum_ += loss.item<double>();
    return sum_ / double(s + 1);
  }
  std::vector<double> end_epoch() override { return {sum_ / 2}; }
  bool validates_after(int64_t) const override { return true; }
  Evaluation validate(const Progress& at) override {
    if (evaluation_hook) evaluation_hook("valid", at.epoch);
    return full_loss();
  }
  Evaluation evaluate(const std::string& split, int64_t, const Progress& at) override {
    if (evaluation_hook) evaluation_hook(split, at.epoch);
    return full_loss();
  }
  std::string describe(const Evaluation& e) const override { return std::to_string(e.metrics[0].second); }
  std::string epoch_summary(const std::vector<double>&, const Evaluation*) const override { return ""; }
  std::vector<std::string> write_figures(const std::string& dir, const std::vector<std::string>&,
                                         const std::vector<std::vector<double>>&) override {
    if (figures_fail) throw std::runtime_error("killed while drawing the figures");
    io::write_file_atomically(dir + "/figure.txt", "a picture");
    return {dir + "/figure.txt"};
  }

  Evaluation full_loss() {
    torch::NoGradGuard no_grad;
    const double loss = (model_->forward(x_) - y_).pow(2).mean().item<double>();
    return {{{"loss", loss}, {"score", -loss}}, 8, 0};
  }

 private:
  ToyConfig config_;
  torch::nn::Linear model_;
  std::unique_ptr<torch::optim::SGD> optimizer_;
  torch::Tensor x_, y_, order_;
  double sum_ = 0;
};

inline ExperimentInfo toy_info() {
  ExperimentInfo i;
  i.name = "toy";
  i.command = "toy";
  i.title = "Toy regression";
  i.variant_key = "method";
  i.variants = {"sgd"};
  i.selection_metric = "score";
  i.selection_minimises = false;
  i.final_checkpoint = "best";
  i.comparison = {{"loss", "loss", 3}};
  i.spread = ExperimentInfo::Spread::kStandardError;
  i.unit = "squared error";
  i.create = [](const std::string& json) -> std::unique_ptr<Experiment> {
    return std::make_unique<ToyExperiment>(config_from_json<ToyConfig>(json, "toy"));
  };
  return i;
}

inline RunOptions quiet(const std::string& dir, std::ostream& log) {
  RunOptions o;
  o.run_dir = dir;
  o.interactive = false;
  o.log = &log;
  return o;
}

inline RunOptions resuming(const std::string& dir, std::ostream& log) {
  RunOptions o = quiet(dir, log);
  o.resume = true;
  return o;
}

inline train::MetricsTable toy_metrics(const std::string& path) {
  return train::MetricsTable::load(path,
                                   {"epoch", "step", "seconds", "train_loss", "valid_loss", "valid_score"});
}

inline nlohmann::json read_json(const std::string& path) {
  return nlohmann::json::parse(io::read_file(path));
}

}  // namespace
}  // namespace mixdist::experiments::run
