#include "mixdist/experiments/run/checkpoint.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <zlib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "mixdist/experiments/run/run_folder.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/rng_state.h"

namespace mixdist::experiments::run {
namespace {

// Version 1 held the model, optimisers and state directly. Version 2 holds them as one serialized payload
// with its CRC-32, so that a damaged file (flipped bytes inside a weight tensor load without any error
// otherwise) is refused by name; version 1 checkpoints still load.
constexpr int64_t kFormatVersion = 2;

uint32_t crc32_of(const std::string& bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  const auto* p = reinterpret_cast<const Bytef*>(bytes.data());
  for (size_t done = 0; done < bytes.size();) {
    const uInt n = static_cast<uInt>(std::min<size_t>(bytes.size() - done, 1u << 30));
    crc = ::crc32(crc, p + done, n);
    done += n;
  }
  return static_cast<uint32_t>(crc);
}

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

// The archive that holds the model, optimisers and state: `outer` itself (version 1) or its payload, checked
// against its CRC-32 and loaded into `payload` (version 2).
torch::serialize::InputArchive& content_of(torch::serialize::InputArchive& outer,
                                           torch::serialize::InputArchive& payload, const std::string& path) {
  const int64_t version = read_value(outer, "format_version", path).toInt();
  if (version == 1) return outer;
  TORCH_CHECK(version == kFormatVersion, "checkpoint ", path, " has format_version ", version,
              "; this mixdist reads versions 1 and ", kFormatVersion);
  at::Tensor bytes;
  TORCH_CHECK(outer.try_read("payload", bytes) && bytes.scalar_type() == at::kByte && bytes.dim() == 1,
              "checkpoint ", path, ": missing its payload; the file is damaged");
  const std::string data(reinterpret_cast<const char*>(bytes.contiguous().data_ptr<uint8_t>()),
                         static_cast<size_t>(bytes.numel()));
  const int64_t stored = read_value(outer, "payload_crc32", path).toInt();
  const uint32_t computed = crc32_of(data);
  TORCH_CHECK(stored == static_cast<int64_t>(computed), "checkpoint ", path,
              " is damaged: the CRC-32 of its content is ", computed, ", not the ", stored,
              " it was written with. Resume from another copy, evaluate ckpt.best or ckpt.last instead, or "
              "train again");
  try {
    payload.load_from(data.data(), data.size());
  } catch (const c10::Error& e) {
    TORCH_CHECK(false, "checkpoint ", path, ": its payload cannot be read (", e.what_without_backtrace(),
                ")");
  }
  return payload;
}

// Settings that may differ between a checkpoint and the config that loads it: the planned number of epochs (a
// resumed run may change it) and where the data lives. Any other difference means the weights, optimiser
// state or schedule are not those the config describes.
bool may_differ(const std::string& key) {
  return key == "epochs" || key == "data_dir";
}

// Refuses a config that contradicts the one the checkpoint was trained with, naming every differing setting
// with both values. Checkpoints written before configs were recorded carry none and are not checked.
void check_config(torch::serialize::InputArchive& archive, const std::string& path,
                  const std::string& config_json) {
  c10::IValue stored;
  if (config_json.empty() || !archive.try_read("config", stored)) return;
  TORCH_CHECK(stored.isString(), "checkpoint ", path, ": 'config' is not a string");
  const nlohmann::json had = nlohmann::json::parse(stored.toStringRef());
  const nlohmann::json have = nlohmann::json::parse(config_json);
  std::string differences;
  auto note = [&](const std::string& key, const nlohmann::json& a, const nlohmann::json& b) {
    if (may_differ(key) || a == b) return;
    differences += (differences.empty() ? "" : ", ") + key + " " + (a.is_null() ? "(absent)" : a.dump()) +
                   " in the checkpoint, " + (b.is_null() ? "(absent)" : b.dump()) + " in the config";
  };
  for (const auto& [key, value] : had.items()) note(key, value, have.value(key, nlohmann::json()));
  for (const auto& [key, value] : have.items())
    if (!had.contains(key)) note(key, nlohmann::json(), value);
  TORCH_CHECK(differences.empty(), "checkpoint ", path, " was trained with other settings than the config ",
              "that loads it: ", differences,
              ". Put config.json back as it was, or train a new run with the new settings");
}

Progress read_progress(torch::serialize::InputArchive& archive, const std::string& path) {
  return {read_value(archive, "epoch", path).toInt(), read_value(archive, "step", path).toInt()};
}

}  // namespace

void save_checkpoint(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                     Experiment& experiment, const TrainingState& state) {
  torch::serialize::OutputArchive content;
  torch::serialize::OutputArchive model_archive;
  experiment.model().save(model_archive);
  content.write("model", model_archive);
  for (const NamedOptimizer& o : experiment.optimizers()) {
    torch::serialize::OutputArchive optimizer_archive;
    o.optimizer->save(optimizer_archive);
    content.write(o.name + "_optimizer", optimizer_archive);
  }
  content.write("rng_state", train::global_rng_state());
  content.write("epoch", c10::IValue(state.progress.epoch));
  content.write("step", c10::IValue(state.progress.step));
  content.write(best_key(info), c10::IValue(state.best_valid));
  content.write("metrics_rows", rows_to_tensor(state.metrics_rows));
  content.write("config", c10::IValue(experiment.config_json()));
  std::string bytes;
  content.save_to([&](const void* data, size_t n) {
    bytes.append(static_cast<const char*>(data), n);
    return n;
  });

  torch::serialize::OutputArchive archive;
  archive.write("experiment", c10::IValue(info.name));
  archive.write(info.variant_key, c10::IValue(variant));
  archive.write("format_version", c10::IValue(kFormatVersion));
  archive.write("payload_crc32", c10::IValue(static_cast<int64_t>(crc32_of(bytes))));
  archive.write("payload", at::from_blob(bytes.data(), {static_cast<int64_t>(bytes.size())}, at::kByte));
  // Serialized in memory and written by write_file_atomically: LibTorch's file writer aborts the process
  // (an exception from a destructor) when the disk fills up, where ours reports which file failed and why.
  std::string file;
  archive.save_to([&](const void* data, size_t n) {
    file.append(static_cast<const char*>(data), n);
    return n;
  });
  io::write_file_atomically(path, file);
}

TrainingState load_checkpoint(const std::string& path, const ExperimentInfo& info, const std::string& variant,
                              Experiment& experiment) {
  torch::serialize::InputArchive outer, payload;
  open_checked(outer, path, info, variant);
  torch::serialize::InputArchive& archive = content_of(outer, payload, path);
  check_config(archive, path, experiment.config_json());
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
                    torch::nn::Module& model, const std::string& config_json) {
  torch::serialize::InputArchive outer, payload;
  open_checked(outer, path, info, variant);
  torch::serialize::InputArchive& archive = content_of(outer, payload, path);
  check_config(archive, path, config_json);
  torch::serialize::InputArchive model_archive;
  archive.read("model", model_archive);
  model.load(model_archive);
  return read_progress(archive, path);
}

}  // namespace mixdist::experiments::run
