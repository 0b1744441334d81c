#include "mixdist/experiments/bitvector_vae/experiment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mixdist/experiments/bitvector_vae/data.h"
#include "mixdist/experiments/bitvector_vae/evaluation.h"
#include "mixdist/experiments/bitvector_vae/model.h"
#include "mixdist/experiments/bitvector_vae/report.h"
#include "mixdist/train/fused_adam.h"

namespace mixdist::experiments::bitvector_vae {
namespace {

constexpr double kPixels = 784;

run::Evaluation as_evaluation(const BitVaeMetrics& m) {
  return run::make_evaluation(eval_metric_names(), eval_metric_values(m), m.images, m.is_samples);
}

// Sums of the per-image training terms over an epoch.
struct EpochSums {
  double images = 0, loss = 0, ll = 0, rate = 0, exact = 0, bits = 0;
  double mean(double v) const { return v / std::max(images, 1.0); }
};

class BitVaeExperiment final : public run::Experiment {
 public:
  explicit BitVaeExperiment(BitVaeConfig config)
      : config_(std::move(config)),
        data_(load_bitvae_data(config_)),
        model_(config_),
        adam_(model_->parameters(), torch::optim::AdamOptions(config_.lr)) {}

  std::string config_json() const override { return config_.to_json(); }
  int64_t epochs() const override { return config_.epochs; }
  int64_t steps_per_epoch() const override {
    return (data_.train.size(0) + config_.batch_size - 1) / config_.batch_size;
  }
  std::vector<std::string> train_columns() const override {
    return {"train_loss", "train_neg_elbo", "train_D", "train_R", "train_exact_share", "temperature"};
  }
  std::vector<std::string> eval_columns() const override { return eval_metric_names(); }
  torch::nn::Module& model() override { return *model_; }
  std::vector<run::NamedOptimizer> optimizers() override { return {{"adam", &adam_}}; }

  void begin_epoch(const run::Progress&) override {
    order_ = at::randperm(data_.train.size(0), at::kLong);
    sums_ = EpochSums{};
  }

  double train_step(int64_t s, const run::Progress& at) override {
    const int64_t n = data_.train.size(0), B = config_.batch_size;
    const at::Tensor x = data_.train.index_select(0, order_.slice(0, s * B, std::min(n, (s + 1) * B)));
    model_->set_temperature(temperature_at(config_, at.step));
    const BitVaeObjective o = model_->objective(x);
    adam_.clear_grad();
    o.loss.backward();
    adam_.step();
    at::NoGradGuard no_grad;
    sums_.images += static_cast<double>(x.size(0));
    sums_.loss += (o.loss.item<double>() * static_cast<double>(x.size(0)));
    sums_.ll += o.log_likelihood.sum().item<double>();
    sums_.rate += o.rate.sum().item<double>();
    sums_.exact += o.exact_bits.sum().item<double>();
    sums_.bits += static_cast<double>(x.size(0) * config_.latent_bits);
    steps_done_ = at.step + 1;
    return sums_.mean(sums_.loss);
  }

  std::vector<double> end_epoch() override {
    const EpochSums& s = sums_;
    return {s.mean(s.loss), s.mean(s.rate - s.ll),           -s.mean(s.ll),
            s.mean(s.rate), s.exact / std::max(s.bits, 1.0), temperature_at(config_, steps_done_)};
  }

  bool validates_after(int64_t epoch) const override {
    return config_.validate_every > 0 && epoch % config_.validate_every == 0;
  }
  run::Evaluation validate(const run::Progress& at) override {
    model_->set_temperature(evaluation_temperature(config_, at.step, /*final=*/false));
    return as_evaluation(
        bitvector_vae::evaluate(*model_, data_.valid, config_, validation_is_samples(config_, at.epoch)));
  }
  run::Evaluation evaluate(const std::string& split, int64_t samples, const run::Progress& at) override {
    model_->set_temperature(evaluation_temperature(config_, at.step, /*final=*/true));
    const at::Tensor& all = split_images(data_, split);
    const int64_t limit = split == "valid" ? config_.final_valid_size : config_.final_test_size;
    const at::Tensor images = limit > 0 ? all.slice(0, 0, std::min(limit, all.size(0))) : all;
    return as_evaluation(
        bitvector_vae::evaluate(*model_, images, config_, samples > 0 ? samples : config_.final_is_samples));
  }

  std::string describe(const run::Evaluation& e) const override {
    auto v = [&](const char* name) { return run::metric_value(e, name); };
    return fmt::format(
        "NLL {:.4f} bits/pixel ({:.2f} nats)  -ELBO {:.2f} ({:.4f} bits/pixel)  D {:.2f}  R {:.2f}  exact "
        "bits {:.1f}%",
        v("nll_bpp"), v("nll"), v("neg_elbo"), v("neg_elbo") / (kPixels * std::log(2.0)), v("D"), v("R"),
        100 * v("exact_share"));
  }
  std::string epoch_summary(const std::vector<double>& train_values,
                            const run::Evaluation* validation) const override {
    std::string s = fmt::format("train -ELBO {:.2f}", train_values.at(1));
    if (validation)
      s += fmt::format(", valid -ELBO {:.2f}, NLL {:.4f} bits/pixel (IS {})",
                       run::metric_value(*validation, "neg_elbo"), run::metric_value(*validation, "nll_bpp"),
                       validation->samples);
    return s;
  }

  std::vector<std::string> write_figures(const std::string& run_dir, const std::vector<std::string>& columns,
                                         const std::vector<std::vector<double>>& rows) override {
    return write_report_figures(*model_, config_, data_.test, columns, rows, run_dir);
  }

 private:
  BitVaeConfig config_;
  BitVaeData data_;
  BitVaeModel model_;
  train::FusedAdam adam_;
  at::Tensor order_;
  EpochSums sums_;
  int64_t steps_done_ = 0;  // the "temperature" column is the one after the epoch, which its validation uses
};

run::ExperimentInfo make_info() {
  run::ExperimentInfo i;
  i.name = "bitvector_vae";
  i.command = "bitvae";
  i.title = "Fashion-MNIST bit-vector VAE (128 bits)";
  i.variant_key = "latent";
  for (BitLatent l : all_latents()) i.variants.push_back(latent_name(l));
  i.selection_metric = "neg_elbo";
  i.selection_minimises = true;
  i.final_checkpoint = "best";  // the authors' Lightning checkpoint: the best validation -ELBO
  i.comparison = {{"NLL (bits/pixel)", "nll_bpp", 4},
                  {"D", "D", 2},
                  {"R", "R", 2},
                  {"-ELBO", "neg_elbo", 2},
                  {"exact 0/1 share", "exact_share", 3},
                  {"non-binary share", "nonbinary_share", 3}};
  i.spread = run::ExperimentInfo::Spread::kStandardError;
  i.unit = "NLL in bits per pixel; D, R, -ELBO in nats per image";
  i.distinguishing_settings = {{"compat", "none"}};
  i.create = [](const std::string& json) -> std::unique_ptr<run::Experiment> {
    return std::make_unique<BitVaeExperiment>(BitVaeConfig::from_json(json));
  };
  return i;
}

}  // namespace

double evaluation_temperature(const BitVaeConfig& config, int64_t completed_steps, bool final) {
  if (final && config.compat == "authors") return 1.0;
  return temperature_at(config, completed_steps);
}

const run::ExperimentInfo& info() {
  static const run::ExperimentInfo i = make_info();
  return i;
}

run::RunResult train_bitvae(const BitVaeConfig& config, const run::RunOptions& options) {
  config.validate();
  return run::train(info(), config.to_json(), options);
}

run::RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                                const std::string& checkpoint, int64_t is_samples, std::ostream* log) {
  return run::evaluate_run(info(), run_dir, split, checkpoint, is_samples, log);
}

}  // namespace mixdist::experiments::bitvector_vae
