#include "mixdist/experiments/vae_mnist/checkpoint.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <sys/stat.h>

#include "mixdist/experiments/vae_mnist/evaluation.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/rng_state.h"

namespace mixdist::experiments::vae {
namespace {

constexpr int64_t kFormatVersion = 1;

at::Tensor rows_to_tensor(const std::vector<std::vector<double>>& rows) {
  const int64_t cols = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
  at::Tensor t = at::empty({static_cast<int64_t>(rows.size()), cols}, at::kDouble);
  for (size_t r = 0; r < rows.size(); ++r)
    for (int64_t c = 0; c < cols; ++c) t[r][c] = rows[r][c];
  return t;
}

std::vector<std::vector<double>> tensor_to_rows(const at::Tensor& t) {
  std::vector<std::vector<double>> rows(t.size(0));
  const at::Tensor c = t.contiguous();
  const double* p = c.data_ptr<double>();
  for (int64_t r = 0; r < t.size(0); ++r) rows[r].assign(p + r * t.size(1), p + (r + 1) * t.size(1));
  return rows;
}

std::string read_string(torch::serialize::InputArchive& archive, const std::string& key,
                        const std::string& path) {
  c10::IValue value;
  TORCH_CHECK(archive.try_read(key, value) && value.isString(), "checkpoint ", path, ": missing '", key,
              "'; not a mixdist VAE checkpoint");
  return value.toStringRef();
}

void open_checked(torch::serialize::InputArchive& archive, const std::string& path, const VaeConfig& config) {
  struct stat st {};
  TORCH_CHECK(::stat(path.c_str(), &st) == 0, "checkpoint ", path, " does not exist");
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    TORCH_CHECK(false, "checkpoint ", path, " cannot be read (", e.what_without_backtrace(), ")");
  }
  const std::string experiment = read_string(archive, "experiment", path);
  TORCH_CHECK(experiment == config.experiment, "checkpoint ", path, " belongs to experiment '", experiment,
              "', not '", config.experiment, "'");
  const std::string latent = read_string(archive, "latent", path);
  TORCH_CHECK(latent == latent_name(config.latent), "checkpoint ", path, " holds a '", latent,
              "' model, but the config says '", latent_name(config.latent), "'");
}

}  // namespace

void save_checkpoint(const std::string& path, const VaeConfig& config, VaeModelImpl& model,
                     Optimizers& optimizers, const TrainingState& state) {
  torch::serialize::OutputArchive archive;
  archive.write("experiment", c10::IValue(config.experiment));
  archive.write("latent", c10::IValue(latent_name(config.latent)));
  archive.write("format_version", c10::IValue(kFormatVersion));
  torch::serialize::OutputArchive model_archive, gen_archive, inf_archive;
  model.save(model_archive);
  optimizers.generator.save(gen_archive);
  optimizers.inference.save(inf_archive);
  archive.write("model", model_archive);
  archive.write("generator_optimizer", gen_archive);
  archive.write("inference_optimizer", inf_archive);
  archive.write("rng_state", train::global_rng_state());
  archive.write("epoch", c10::IValue(state.epoch));
  archive.write("step", c10::IValue(state.step));
  archive.write("best_valid_nll", c10::IValue(state.best_valid_nll));
  archive.write("metrics_rows", rows_to_tensor(state.metrics_rows));
  io::write_file_atomically(path, [&](const std::string& tmp) { archive.save_to(tmp); });
}

TrainingState load_checkpoint(const std::string& path, const VaeConfig& config, VaeModelImpl& model,
                              Optimizers& optimizers) {
  torch::serialize::InputArchive archive;
  open_checked(archive, path, config);
  torch::serialize::InputArchive model_archive, gen_archive, inf_archive;
  archive.read("model", model_archive);
  archive.read("generator_optimizer", gen_archive);
  archive.read("inference_optimizer", inf_archive);
  model.load(model_archive);
  optimizers.generator.load(gen_archive);
  optimizers.inference.load(inf_archive);
  at::Tensor rng, rows;
  archive.read("rng_state", rng);
  archive.read("metrics_rows", rows);
  train::set_global_rng_state(rng);
  c10::IValue epoch, step, best;
  archive.read("epoch", epoch);
  archive.read("step", step);
  archive.read("best_valid_nll", best);
  TrainingState state;
  state.epoch = epoch.toInt();
  state.step = step.toInt();
  state.best_valid_nll = best.toDouble();
  state.metrics_rows = tensor_to_rows(rows);
  return state;
}

void load_model(const std::string& path, const VaeConfig& config, VaeModelImpl& model) {
  torch::serialize::InputArchive archive;
  open_checked(archive, path, config);
  torch::serialize::InputArchive model_archive;
  archive.read("model", model_archive);
  model.load(model_archive);
}

}  // namespace mixdist::experiments::vae
