#include "mixdist/experiments/vae_mnist/experiment.h"

#include <fmt/format.h>

#include <algorithm>

#include "mixdist/distributed/gradient_all_reducer.h"
#include "mixdist/distributed/shard.h"
#include "mixdist/distributed/sums.h"
#include "mixdist/experiments/run/checkpoint.h"
#include "mixdist/experiments/run/run_folder.h"
#include "mixdist/experiments/vae_mnist/data.h"
#include "mixdist/experiments/vae_mnist/evaluation.h"
#include "mixdist/experiments/vae_mnist/report.h"
#include "mixdist/train/clip_grad_norm.h"
#include "mixdist/train/fused_adam.h"

namespace mixdist::experiments::vae_mnist {
namespace {

const std::vector<std::string>& train_column_names() {
  static const std::vector<std::string> names = {
      "train_loss", "train_D", "train_R", "train_R_F", "train_R_Y_given_f", "train_R_Z", "train_support"};
  return names;
}

void set_lr(torch::optim::Adam& opt, double lr) {
  for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

// Sums of the per-image training terms over an epoch.
struct EpochSums {
  double images = 0, loss = 0, ll = 0, kl_face = 0, kl_within = 0, kl_z = 0, support = 0;

  void add(const LatentTerms& t) {
    const double n = static_cast<double>(t.log_likelihood.size(0));
    images += n;
    const double ll_sum = t.log_likelihood.sum().item<double>(), rate_sum = t.rate().sum().item<double>();
    loss += rate_sum - ll_sum;
    ll += ll_sum;
    kl_face += t.kl_face.sum().item<double>();
    kl_within += t.kl_within.sum().item<double>();
    kl_z += t.kl_z.sum().item<double>();
    support += t.support_size.sum().item<double>();
  }
  double mean(double v) const { return v / std::max(images, 1.0); }
  std::vector<double> to_vector() const { return {images, loss, ll, kl_face, kl_within, kl_z, support}; }
  static EpochSums from_vector(const std::vector<double>& v) {
    return {v.at(0), v.at(1), v.at(2), v.at(3), v.at(4), v.at(5), v.at(6)};
  }
};

run::Evaluation as_evaluation(const EvalMetrics& m) {
  return run::make_evaluation(eval_metric_names(), eval_metric_values(m), m.images, m.is_samples);
}

class VaeExperiment final : public run::Experiment {
 public:
  explicit VaeExperiment(VaeConfig config)
      : config_(std::move(config)),
        data_(load_vae_data(config_)),
        model_(config_),
        generator_(model_->decoder()->parameters(), torch::optim::AdamOptions(config_.gen_lr)),
        inference_(model_->encoder()->parameters(),
                   torch::optim::AdamOptions(config_.inf_lr).weight_decay(config_.inf_l2)),
        all_params_(model_->parameters()) {}

  std::string config_json() const override { return config_.to_json(); }
  int64_t epochs() const override { return config_.epochs; }
  int64_t steps_per_epoch() const override {
    return (data_.train.size(0) + config_.batch_size - 1) / config_.batch_size;
  }
  std::vector<std::string> train_columns() const override { return train_column_names(); }
  std::vector<std::string> eval_columns() const override { return eval_metric_names(); }
  torch::nn::Module& model() override { return *model_; }
  std::vector<run::NamedOptimizer> optimizers() override {
    return {{"generator", &generator_}, {"inference", &inference_}};
  }

  bool join(distributed::ProcessGroup& group) override {
    group_ = &group;
    sync_ = std::make_unique<distributed::GradientAllReducer>(group, all_params_);
    return true;
  }

  void begin_epoch(const run::Progress&) override {
    order_ = at::randperm(data_.train.size(0), at::kLong);
    sums_ = EpochSums{};
  }

  double train_step(int64_t s, const run::Progress& at) override {
    const int64_t n = data_.train.size(0), B = config_.batch_size;
    const int64_t begin = s * B, end = std::min(n, (s + 1) * B);
    // A rank of a data-parallel run trains on its slice of the global batch.
    const distributed::Slice mine = group_ ? distributed::shard(end - begin, group_->rank(), group_->size())
                                           : distributed::Slice{0, end - begin};
    const at::Tensor x =
        binarize(data_.train.index_select(0, order_.slice(0, begin + mine.begin, begin + mine.end)));
    // Linear warm-up from 0 (get_constant_schedule_with_warmup): the first step has lr 0.
    const double warm =
        config_.warmup_steps > 0 ? std::min(1.0, double(at.step) / double(config_.warmup_steps)) : 1.0;
    set_lr(generator_, config_.gen_lr * warm);
    set_lr(inference_, config_.inf_lr * warm);
    generator_.clear_grad();
    inference_.clear_grad();
    if (mine.size() > 0) {
      const Objective o = model_->objective(x);
      o.loss.backward();
      sums_.add(o.terms);
    }
    // The loss is this slice's mean: weighted by its share of the batch, the ranks' gradients sum to the
    // gradient of the global batch's mean.
    if (sync_) sync_->all_reduce(double(mine.size()) / double(end - begin));
    train::clip_grad_norm(all_params_, config_.grad_clip);
    inference_.step();
    generator_.step();
    return sums_.mean(sums_.loss);
  }

  std::vector<double> end_epoch() override {
    if (group_)
      sums_ = EpochSums::from_vector(
          distributed::sum_over_ranks(*group_, sums_.to_vector(), "the epoch's training sums"));
    const EpochSums& s = sums_;
    return {s.mean(s.loss),    -s.mean(s.ll),       s.mean(s.kl_face + s.kl_within + s.kl_z),
            s.mean(s.kl_face), s.mean(s.kl_within), s.mean(s.kl_z),
            s.mean(s.support)};
  }

  bool validates_after(int64_t epoch) const override {
    return config_.validate_every > 0 && epoch % config_.validate_every == 0;
  }
  run::Evaluation validate(const run::Progress&) override {
    return as_evaluation(evaluate_images(data_.valid, config_.valid_is_samples));
  }
  run::Evaluation evaluate(const std::string& split, int64_t samples, const run::Progress&) override {
    return as_evaluation(
        evaluate_images(split_images(data_, split), samples > 0 ? samples : config_.final_is_samples));
  }

  std::string describe(const run::Evaluation& e) const override {
    auto v = [&](const char* name) { return run::metric_value(e, name); };
    return fmt::format(
        "NLL {:.2f}  ELBO {:.2f}  D {:.2f}  R {:.2f} (R_F {:.2f}, R_Y|f {:.2f}, R_Z {:.2f})  support {:.2f}",
        v("nll"), v("elbo"), v("D"), v("R"), v("R_F"), v("R_Y_given_f"), v("R_Z"), v("support"));
  }
  std::string epoch_summary(const std::vector<double>& train_values,
                            const run::Evaluation* validation) const override {
    std::string s = fmt::format("train -ELBO {:.2f}", train_values.at(0));
    if (validation)
      s += fmt::format(", valid NLL {:.2f} (IS {})", run::metric_value(*validation, "nll"),
                       validation->samples);
    return s;
  }

  // The evaluation of `images`; in a data-parallel run each rank evaluates its slice and the sums are added.
  EvalMetrics evaluate_images(const at::Tensor& images, int64_t samples) {
    if (!group_) return vae_mnist::evaluate(*model_, images, config_, samples);
    const distributed::Slice mine = distributed::shard(images.size(0), group_->rank(), group_->size());
    EvalSums sums;
    if (mine.size() > 0)
      sums = evaluate_sums(*model_, images.slice(0, mine.begin, mine.end), config_, samples);
    return metrics_from_sums(
        EvalSums::from_vector(distributed::sum_over_ranks(*group_, sums.to_vector(), "the evaluation sums")),
        samples);
  }

  std::vector<std::string> write_figures(const std::string& run_dir, const std::vector<std::string>& columns,
                                         const std::vector<std::vector<double>>& rows) override {
    return write_report_figures(*model_, config_, data_.test, columns, rows, run_dir).written;
  }

 private:
  VaeConfig config_;
  VaeData data_;
  VaeModel model_;
  train::FusedAdam generator_, inference_;
  std::vector<at::Tensor> all_params_;
  at::Tensor order_;
  EpochSums sums_;
  distributed::ProcessGroup* group_ = nullptr;
  std::unique_ptr<distributed::GradientAllReducer> sync_;
};

run::ExperimentInfo make_info() {
  run::ExperimentInfo i;
  i.name = "vae_mnist";
  i.command = "vae";
  i.title = "MNIST mixed-latent VAE";
  i.variant_key = "latent";
  for (LatentType t : all_latent_types()) i.variants.push_back(latent_name(t));
  i.selection_metric = "nll";
  i.selection_minimises = true;
  i.final_checkpoint = "last";  // as the paper's numbers (the authors' test script loads the last one)
  i.comparison = {{"NLL", "nll"},           {"D", "D"},     {"R", "R"},       {"R_F", "R_F"},
                  {"R_Y|f", "R_Y_given_f"}, {"R_Z", "R_Z"}, {"ELBO", "elbo"}, {"support", "support"}};
  i.spread = run::ExperimentInfo::Spread::kPopulationStd;
  i.unit = "nats per image";
  i.distinguishing_settings = {{"face_prior", "authors"}};
  i.create = [](const std::string& json) -> std::unique_ptr<run::Experiment> {
    return std::make_unique<VaeExperiment>(VaeConfig::from_json(json));
  };
  return i;
}

}  // namespace

const run::ExperimentInfo& info() {
  static const run::ExperimentInfo i = make_info();
  return i;
}

run::RunResult train_vae(const VaeConfig& config, const run::RunOptions& options) {
  config.validate();
  return run::train(info(), config.to_json(), options);
}

run::RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                                const std::string& checkpoint, int64_t is_samples, std::ostream* log) {
  return run::evaluate_run(info(), run_dir, split, checkpoint, is_samples, log);
}

VaeConfig load_run_config(const std::string& run_dir) {
  return VaeConfig::from_json(run::read_run_config(run_dir).dump());
}

void load_model(const std::string& path, const VaeConfig& config, VaeModelImpl& model) {
  run::load_model(path, info(), latent_name(config.latent), model);
}

const std::vector<std::string>& metrics_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> c = {"epoch", "step", "seconds"};
    for (const auto& name : train_column_names()) c.push_back(name);
    for (const auto& name : eval_metric_names()) c.push_back("valid_" + name);
    return c;
  }();
  return columns;
}

}  // namespace mixdist::experiments::vae_mnist
