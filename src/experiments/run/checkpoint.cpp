#include "mixdist/experiments/run/checkpoint.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "mixdist/experiments/run/run_folder.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/rng_state.h"

namespace mixdist::experiments::run {
namespace {

constexpr int64_t kFormatVersion = 1;

at::Tensor rows_to_tensor(const std::vector<std::vector<double>>& rows) {
  const int64_t cols = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
  at::Tensor t = at::empty({static_cast<int64_t>(rows.size()), cols}, at::kDouble);
  double* p = t.data_ptr<double>();
  for (const auto& row : rows) p = std::copy(row.begin(), row.end(), p);
  return t;
}

std::vector<std::vector<double>> tensor_to_rows(const at::Tensor& t) {
  std::vector<std::vector<double>> rows(t.size(0));
  const at::Tensor c = t.contiguous();
  const double* p = c.data_ptr<double>();
  for (int64_t r = 0; r < t.size(0); ++r) rows[r].assign(p + r * t.size(1), p + (r + 1) * t.size(1));
  return rows;
}

c10::IValue read_value(torch::serialize::InputArchive& archive, const std::string& key,
                       const std::string& path) {
  c10::IValue value;
  TORCH_CHECK(archive.try_read(key, value), "checkpoint ", path, ": missing '", key,
              "'; not a mixdist checkpoint");
  return value;
}

std::string read_string(torch::serialize::InputArchive& archive, const std::string& key,
                        const std::string& path) {
  const c10::IValue value = read_value(archive, key, path);
  TORCH_CHECK(value.isString(), "checkpoint ", path, ": '", key, "' is not a string");
  return value.toStringRef();
}

std::string best_key(const ExperimentInfo& info) {
  return "best_valid_" + info.selection_metric;
}

void open_checked(torch::serialize::InputArchive& archive, const std::string& path,
                  const ExperimentInfo& info, const std::string& variant) {
  TORCH_CHECK(path_exists(path), "checkpoint ", path, " does not exist");
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    TORCH_CHECK(false, "checkpoint ", path, " cannot be read (", e.what_without_backtrace(), ")");
  }
  const std::string experiment = read_string(archive, "experiment", path);
  TORCH_CHECK(experiment == info.name, "checkpoint ", path, " belongs to experiment '", experiment,
              "', not '", info.name, "'");
  const std::string found = read_string(archive, info.variant_key, path);
  TORCH_CHECK(found == variant, "checkpoint ", path, " holds a '", found, "' model, but the config says '",
              variant, "'");
}

Progress read_progress(torch::serialize::InputArchive& archive, const std::string& path) {
  return {read_value(archive, "epoch", path).toInt(), read_value(archive, "step", path).toInt()};
}

}  // namespace

void save_checkpoint(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                     Experiment& experiment, const TrainingState& state) {
  torch::serialize::OutputArchive archive;
  archive.write("experiment", c10::IValue(info.name));
  archive.write(info.variant_key, c10::IValue(variant));
  archive.write("format_version", c10::IValue(kFormatVersion));
  torch::serialize::OutputArchive model_archive;
  experiment.model().save(model_archive);
  archive.write("model", model_archive);
  for (const NamedOptimizer& o : experiment.optimizers()) {
    torch::serialize::OutputArchive optimizer_archive;
    o.optimizer->save(optimizer_archive);
    archive.write(o.name + "_optimizer", optimizer_archive);
  }
  archive.write("rng_state", train::global_rng_state());
  archive.write("epoch", c10::IValue(state.progress.epoch));
  archive.write("step", c10::IValue(state.progress.step));
  archive.write(best_key(info), c10::IValue(state.best_valid));
  archive.write("metrics_rows", rows_to_tensor(state.metrics_rows));
  io::write_file_atomically(path, [&](const std::string& tmp) { archive.save_to(tmp); });
}

TrainingState load_checkpoint(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                              Experiment& experiment) {
  torch::serialize::InputArchive archive;
  open_checked(archive, path, info, variant);
  torch::serialize::InputArchive model_archive;
  archive.read("model", model_archive);
  experiment.model().load(model_archive);
  for (const NamedOptimizer& o : experiment.optimizers()) {
    torch::serialize::InputArchive optimizer_archive;
    TORCH_CHECK(archive.try_read(o.name + "_optimizer", optimizer_archive), "checkpoint ", path,
                ": missing the state of optimiser '", o.name, "'");
    o.optimizer->load(optimizer_archive);
  }
  at::Tensor rng, rows;
  archive.read("rng_state", rng);
  archive.read("metrics_rows", rows);
  train::set_global_rng_state(rng);
  TrainingState state;
  state.progress = read_progress(archive, path);
  state.best_valid = read_value(archive, best_key(info), path).toDouble();
  state.metrics_rows = tensor_to_rows(rows);
  return state;
}

Progress load_model(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                    torch::nn::Module& model) {
  torch::serialize::InputArchive archive;
  open_checked(archive, path, info, variant);
  torch::serialize::InputArchive model_archive;
  archive.read("model", model_archive);
  model.load(model_archive);
  return read_progress(archive, path);
}

}  // namespace mixdist::experiments::run
