#pragma once

// Configuration of the bit-vector VAE on Fashion-MNIST (the paper's second experiment): 128 latent bits, a
// 256-way categorical likelihood per pixel, and five ways of training the bits (two relaxations of Bernoulli
// bits, a straight-through estimator, and two mixed discrete/continuous latents). Every setting a run needs
// to be repeated is a field here; the "paper" and "quick" presets fill in the per-method learning rate and
// temperature schedule.

#include <cstdint>
#include <string>
#include <vector>

namespace mixdist::experiments::bitvector_vae {

enum class BitLatent {
  kGumbelSoftmax,      // Binary Concrete sample, Bernoulli entropy and prior, evaluated as discrete bits
  kGumbelSoftmaxST,    // forward 1[score > 0], backward through the Binary Concrete sample
  kBinaryConcrete,     // a continuous latent in (0, 1)^K with a uniform prior
  kHardConcrete,       // stretched and rectified Binary Concrete: mass at 0 and 1, density inside
  kGaussianSparsemax,  // clip(score + noise, 0, 1): the 1-D Gaussian-Sparsemax
};

// CLI / JSON names: gs, gs-st, binary-concrete, hard-concrete, gaussian-sparsemax.
std::string latent_name(BitLatent latent);
// Inverse of latent_name; a c10::Error listing the valid names otherwise.
BitLatent parse_latent(const std::string& name);
const std::vector<BitLatent>& all_latents();
// Whether the latent has an annealed temperature (all but Gaussian-Sparsemax).
bool has_temperature(BitLatent latent);

// nlohmann's ADL hooks: the latent is written by name; reading an unknown name throws c10::Error.
template <typename BasicJson>
void to_json(BasicJson& j, const BitLatent& latent) {
  j = latent_name(latent);
}
template <typename BasicJson>
void from_json(const BasicJson& j, BitLatent& latent) {
  latent = parse_latent(j.template get<std::string>());
}

struct BitVaeConfig {
  std::string experiment = "bitvector_vae";  // guards against reading another experiment's run folder
  BitLatent latent = BitLatent::kGumbelSoftmax;
  std::string preset = "paper";
  int64_t seed = 42;
  int64_t epochs = 100;
  // "none": the consistent model (default). "authors": the reference code's Gaussian-Sparsemax quirk, whose
  // sampler has scale gsp_std / sqrt(2) while its entropy and importance-sampling density use gsp_std. (Its
  // other quirk, testing at temperature 1 because the temperature is not checkpointed, is the run layer's:
  // BitVaeModelImpl::set_temperature.)
  std::string compat = "none";

  // Data: "fashion-mnist" (train = the first train_size training images, valid = the last valid_size
  // training images, test = the first test_size test images) or "synthetic" (generated, for tests).
  std::string dataset = "fashion-mnist";
  std::string data_dir;  // Fashion-MNIST folder; "" = mixdist::data::default_fashion_mnist_dir()
  int64_t train_size = 55000;
  int64_t valid_size = 5000;
  int64_t test_size = 10000;

  // Networks.
  int64_t latent_bits = 128;
  int64_t hidden = 128;
  int64_t out_rank = 5;  // features per pixel fed to the shared Linear(out_rank -> 256)

  // Optimisation: Adam, no weight decay.
  int64_t batch_size = 64;
  double lr = 1e-3;
  // Temperature schedule: tau = 1 at the start; after every step t (0-based) with t % temperature_interval
  // == 0, tau = max(temperature_min, exp(-temperature_decay * t)). Unused by Gaussian-Sparsemax.
  double temperature_decay = 1e-5;
  double temperature_min = 0.5;
  int64_t temperature_interval = 1000;
  double logit_clamp = 85.0;  // Binary Concrete and Hard Concrete scores are clamped to +-logit_clamp
  double gsp_std = 1.0;       // Gaussian-Sparsemax noise scale (before the sparsemax halves its variance)

  // Evaluation.
  int64_t validate_every = 1;          // epochs between validations (0: none during training)
  int64_t valid_is_samples = 16;       // importance samples of a validation (0: ELBO only)
  int64_t valid_is_samples_long = 64;  // ... of every long_validation_every-th epoch's validation
  int64_t long_validation_every = 20;  // 0: no long validations
  int64_t final_is_samples = 1024;     // importance samples of the final validation and test evaluation
  int64_t final_valid_size = 0;        // images of the final evaluation (the first ones); 0 = all
  int64_t final_test_size = 0;
  int64_t eval_batch_size = 64;
  int64_t is_chunk = 16;  // importance samples decoded at once
  int64_t eval_seed = 0;  // evaluations and pictures reseed the global generator to this

  // Throws c10::Error naming the first impossible setting and its value.
  void validate() const;
  std::string to_json() const;  // pretty-printed
  // Parses a config written by to_json and validates it; unknown or missing keys and another experiment's
  // config are errors naming the key.
  static BitVaeConfig from_json(const std::string& text);

  // One list of (key, field) pairs for both directions of the JSON mapping, in config.json's order.
  template <typename Visitor>
  static void visit_fields(BitVaeConfig& c, Visitor&& v) {
    v("experiment", c.experiment);
    v("latent", c.latent);
    v("preset", c.preset);
    v("seed", c.seed);
    v("epochs", c.epochs);
    v("compat", c.compat);
    v("dataset", c.dataset);
    v("data_dir", c.data_dir);
    v("train_size", c.train_size);
    v("valid_size", c.valid_size);
    v("test_size", c.test_size);
    v("latent_bits", c.latent_bits);
    v("hidden", c.hidden);
    v("out_rank", c.out_rank);
    v("batch_size", c.batch_size);
    v("lr", c.lr);
    v("temperature_decay", c.temperature_decay);
    v("temperature_min", c.temperature_min);
    v("temperature_interval", c.temperature_interval);
    v("logit_clamp", c.logit_clamp);
    v("gsp_std", c.gsp_std);
    v("validate_every", c.validate_every);
    v("valid_is_samples", c.valid_is_samples);
    v("valid_is_samples_long", c.valid_is_samples_long);
    v("long_validation_every", c.long_validation_every);
    v("final_is_samples", c.final_is_samples);
    v("final_valid_size", c.final_valid_size);
    v("final_test_size", c.final_test_size);
    v("eval_batch_size", c.eval_batch_size);
    v("is_chunk", c.is_chunk);
    v("eval_seed", c.eval_seed);
  }
};

// The settings of `latent` at a preset:
//   paper: the reference scripts: 100 epochs, seed 42, per-method learning rate and temperature decay (gs
//          1e-3 / 1e-5, gs-st 5e-4 / 1e-4, binary-concrete 2e-3 / 1e-5, hard-concrete 1e-3 / 1e-5,
//          gaussian-sparsemax 1e-3 / none); validation every epoch with 16 importance samples, 64 every 20th
//          epoch; final evaluation with 1024 samples on the whole validation and test sets;
//   quick: the same models and optimisers, 10 epochs, validation with 16 samples (no long ones), final
//          evaluation with 64 samples on the first 2048 validation and the first 2048 test images.
// Any other preset is a c10::Error listing the valid ones.
BitVaeConfig make_preset(BitLatent latent, const std::string& preset);

// The temperature of the training step that follows `completed_steps` steps (a pure function of the step
// count, so a resumed run needs no saved temperature): 1 before the first update, then max(temperature_min,
// exp(-temperature_decay * t)) for the last t < completed_steps with t % temperature_interval == 0.
// Gaussian-Sparsemax has no temperature: 1 always (the model ignores it).
double temperature_at(const BitVaeConfig& config, int64_t completed_steps);

// Importance samples of the validation after `epoch` completed epochs (1-based): valid_is_samples_long on
// every long_validation_every-th epoch, valid_is_samples otherwise.
int64_t validation_is_samples(const BitVaeConfig& config, int64_t epoch);

}  // namespace mixdist::experiments::bitvector_vae
