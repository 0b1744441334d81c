#include "mixdist/experiments/bitvector_vae/config.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>

#include "mixdist/experiments/run/config_json.h"
#include "mixdist/experiments/run/named_values.h"
#include "mixdist/train/temperature_schedule.h"

namespace mixdist::experiments::bitvector_vae {
namespace {

constexpr const char* kExperiment = "bitvector_vae";
constexpr int64_t kFashionTrainImages = 60000;
constexpr int64_t kFashionTestImages = 10000;

const run::NamedValues<BitLatent>& latents() {
  static const run::NamedValues<BitLatent> table("latent",
                                                 {
                                                     {BitLatent::kGumbelSoftmax, "gs"},
                                                     {BitLatent::kGumbelSoftmaxST, "gs-st"},
                                                     {BitLatent::kBinaryConcrete, "binary-concrete"},
                                                     {BitLatent::kHardConcrete, "hard-concrete"},
                                                     {BitLatent::kGaussianSparsemax, "gaussian-sparsemax"},
                                                 });
  return table;
}

}  // namespace

std::string latent_name(BitLatent latent) {
  return latents().name(latent);
}

BitLatent parse_latent(const std::string& name) {
  return latents().parse(name);
}

const std::vector<BitLatent>& all_latents() {
  return latents().values();
}

bool has_temperature(BitLatent latent) {
  return latent != BitLatent::kGaussianSparsemax;
}

void BitVaeConfig::validate() const {
  TORCH_CHECK(experiment == kExperiment, "config: experiment must be '", kExperiment, "', got '", experiment,
              "'");
  latent_name(latent);  // an out-of-range enum value
  TORCH_CHECK(compat == "none" || compat == "authors", "config: compat must be 'none' or 'authors', got '",
              compat, "'");
  TORCH_CHECK(epochs >= 1, "config: epochs must be >= 1, got ", epochs);
  TORCH_CHECK(dataset == "fashion-mnist" || dataset == "synthetic",
              "config: dataset must be 'fashion-mnist' or 'synthetic', got '", dataset, "'");
  TORCH_CHECK(train_size >= 1, "config: train_size must be >= 1, got ", train_size);
  TORCH_CHECK(valid_size >= 1, "config: valid_size must be >= 1, got ", valid_size);
  TORCH_CHECK(test_size >= 1, "config: test_size must be >= 1, got ", test_size);
  if (dataset == "fashion-mnist") {
    TORCH_CHECK(train_size + valid_size <= kFashionTrainImages,
                "config: train_size + valid_size must be <= 60000 (Fashion-MNIST train), got ", train_size,
                " + ", valid_size);
    TORCH_CHECK(test_size <= kFashionTestImages,
                "config: test_size must be <= 10000 (Fashion-MNIST test), got ", test_size);
  }
  TORCH_CHECK(latent_bits >= 1, "config: latent_bits must be >= 1, got ", latent_bits);
  TORCH_CHECK(hidden >= 1, "config: hidden must be >= 1, got ", hidden);
  TORCH_CHECK(out_rank >= 1, "config: out_rank must be >= 1, got ", out_rank);
  TORCH_CHECK(batch_size >= 1 && batch_size <= train_size,
              "config: batch_size must be in [1, train_size = ", train_size, "], got ", batch_size);
  TORCH_CHECK(lr > 0.0 && std::isfinite(lr), "config: lr must be > 0, got ", lr);
  TORCH_CHECK(temperature_decay >= 0.0 && std::isfinite(temperature_decay),
              "config: temperature_decay must be >= 0, got ", temperature_decay);
  TORCH_CHECK(temperature_min > 0.0 && temperature_min <= 1.0,
              "config: temperature_min must be in (0, 1], got ", temperature_min);
  TORCH_CHECK(temperature_interval >= 1, "config: temperature_interval must be >= 1, got ",
              temperature_interval);
  TORCH_CHECK(logit_clamp > 0.0, "config: logit_clamp must be > 0, got ", logit_clamp);
  TORCH_CHECK(gsp_std > 0.0 && std::isfinite(gsp_std), "config: gsp_std must be > 0, got ", gsp_std);
  TORCH_CHECK(validate_every >= 0, "config: validate_every must be >= 0, got ", validate_every);
  TORCH_CHECK(valid_is_samples >= 0, "config: valid_is_samples must be >= 0, got ", valid_is_samples);
  TORCH_CHECK(valid_is_samples_long >= 0, "config: valid_is_samples_long must be >= 0, got ",
              valid_is_samples_long);
  TORCH_CHECK(long_validation_every >= 0, "config: long_validation_every must be >= 0, got ",
              long_validation_every);
  TORCH_CHECK(final_is_samples >= 1, "config: final_is_samples must be >= 1, got ", final_is_samples);
  TORCH_CHECK(final_valid_size >= 0, "config: final_valid_size must be >= 0 (0 = all), got ",
              final_valid_size);
  TORCH_CHECK(final_test_size >= 0, "config: final_test_size must be >= 0 (0 = all), got ", final_test_size);
  TORCH_CHECK(eval_batch_size >= 1, "config: eval_batch_size must be >= 1, got ", eval_batch_size);
  TORCH_CHECK(is_chunk >= 1, "config: is_chunk must be >= 1, got ", is_chunk);
}

std::string BitVaeConfig::to_json() const {
  return run::config_to_json(*this);
}

BitVaeConfig BitVaeConfig::from_json(const std::string& text) {
  BitVaeConfig c = run::config_from_json<BitVaeConfig>(text, kExperiment);
  c.validate();
  return c;
}

BitVaeConfig make_preset(BitLatent latent, const std::string& preset) {
  TORCH_CHECK(preset == "quick" || preset == "paper", "unknown preset '", preset,
              "'; valid presets: quick, paper");
  BitVaeConfig c;
  c.latent = latent;
  c.preset = preset;
  switch (latent) {
    case BitLatent::kGumbelSoftmax:
      c.lr = 1e-3, c.temperature_decay = 1e-5;
      break;
    case BitLatent::kGumbelSoftmaxST:
      c.lr = 5e-4, c.temperature_decay = 1e-4;
      break;
    case BitLatent::kBinaryConcrete:
      c.lr = 2e-3, c.temperature_decay = 1e-5;
      break;
    case BitLatent::kHardConcrete:
      c.lr = 1e-3, c.temperature_decay = 1e-5;
      break;
    case BitLatent::kGaussianSparsemax:
      c.lr = 1e-3, c.temperature_decay = 0.0;  // no temperature
      break;
  }
  if (preset == "paper") {
    c.epochs = 100;
    c.valid_is_samples = 16;
    c.valid_is_samples_long = 64;
    c.long_validation_every = 20;
    c.final_is_samples = 1024;
    c.final_valid_size = 0;
    c.final_test_size = 0;
  } else {
    c.epochs = 10;
    c.valid_is_samples = 16;
    c.long_validation_every = 0;
    c.final_is_samples = 64;
    c.final_valid_size = 2048;
    c.final_test_size = 2048;
  }
  return c;
}

double temperature_at(const BitVaeConfig& config, int64_t completed_steps) {
  const double tau = train::annealed_temperature(
      {config.temperature_decay, config.temperature_min, config.temperature_interval}, completed_steps);
  return has_temperature(config.latent) ? tau : 1.0;
}

int64_t validation_is_samples(const BitVaeConfig& config, int64_t epoch) {
  TORCH_CHECK(epoch >= 1, "validation_is_samples: epoch must be >= 1 (1-based), got ", epoch);
  const bool long_one = config.long_validation_every > 0 && epoch % config.long_validation_every == 0;
  return long_one ? config.valid_is_samples_long : config.valid_is_samples;
}

}  // namespace mixdist::experiments::bitvector_vae
