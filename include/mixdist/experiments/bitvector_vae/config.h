#pragma once

/// @file
/// @brief The bit-vector VAE's config (BitVaeConfig), its latent families, presets and temperature schedule.
///
/// Configuration of the bit-vector VAE on Fashion-MNIST (the paper's second experiment,
/// `docs/experiments.md#the-bit-vector-vae-on-fashion-mnist`): 128 latent bits, a 256-way categorical
/// likelihood per pixel, and five ways of training the bits (two relaxations of Bernoulli bits, a
/// straight-through estimator, and two mixed discrete/continuous latents). Every setting a run needs to be
/// repeated is a field here; the "paper" and "quick" presets fill in the per-method learning rate and
/// temperature schedule.

#include <cstdint>
#include <string>
#include <vector>

namespace mixdist::experiments::bitvector_vae {

/// The five latent families of `docs/experiments.md#bit-vector-vae-the-five-latents`.
enum class BitLatent {
  /// Binary Concrete sample, Bernoulli entropy and prior, evaluated as discrete bits (name "gs").
  kGumbelSoftmax,
  /// Forward 1[score > 0], backward through the Binary Concrete sample (name "gs-st").
  kGumbelSoftmaxST,
  /// A continuous latent in (0, 1)^K with a uniform prior (name "binary-concrete").
  kBinaryConcrete,
  /// Stretched and rectified Binary Concrete: mass at 0 and 1, density inside (name "hard-concrete").
  kHardConcrete,
  /// clip(score + noise, 0, 1): the 1-D Gaussian-Sparsemax (name "gaussian-sparsemax").
  kGaussianSparsemax,
};

/// The CLI / JSON name of `latent`: gs, gs-st, binary-concrete, hard-concrete, gaussian-sparsemax.
/// @throws c10::Error for a value outside the enumeration.
std::string latent_name(BitLatent latent);
/// The latent family called `name`, the inverse of latent_name.
/// @throws c10::Error listing the valid names for an unknown one.
BitLatent parse_latent(const std::string& name);
/// Every latent family, in the order tables list them (that of BitLatent).
const std::vector<BitLatent>& all_latents();
/// Whether the latent has an annealed temperature (all but Gaussian-Sparsemax).
bool has_temperature(BitLatent latent);

/// Writes the latent by name (nlohmann's ADL hook).
template <typename BasicJson>
void to_json(BasicJson& j, const BitLatent& latent) {
  j = latent_name(latent);
}
/// Reads the latent by name (nlohmann's ADL hook).
/// @throws c10::Error listing the valid names for an unknown one.
template <typename BasicJson>
void from_json(const BasicJson& j, BitLatent& latent) {
  latent = parse_latent(j.template get<std::string>());
}

/// Every setting of a run of the bit-vector VAE, as config.json holds it.
///
/// The defaults are the paper preset of Gumbel-Softmax ("gs"); start from make_preset. validate() checks
/// each field's range, listed with it.
///
/// @code
/// using namespace mixdist::experiments::bitvector_vae;
/// BitVaeConfig config = make_preset(BitLatent::kHardConcrete, "quick");
/// @endcode
struct BitVaeConfig {
  /// Must be "bitvector_vae": guards against reading another experiment's run folder.
  std::string experiment = "bitvector_vae";
  /// The latent family.
  BitLatent latent = BitLatent::kGumbelSoftmax;
  /// The preset the config came from ("paper", "quick", or any label; compare groups runs by it).
  std::string preset = "paper";
  /// Seeds the global generator before the model is built (>= 0; run::train checks).
  int64_t seed = 42;
  /// Training epochs, >= 1.
  int64_t epochs = 100;
  /// "none": the consistent model (default). "authors": the reference code's quirks: Gaussian-Sparsemax's
  /// sampler has scale gsp_std / sqrt(2) while its entropy and importance-sampling density use gsp_std
  /// (`docs/math.md#the-authors-scale-quirk`), and the final evaluation runs at temperature 1, as the
  /// authors' test script did because their checkpoints did not keep the annealed temperature
  /// (evaluation_temperature).
  std::string compat = "none";

  /// Data: "fashion-mnist" (train = the first train_size training images, valid = the last valid_size
  /// training images, test = the first test_size test images) or "synthetic" (generated, for tests).
  std::string dataset = "fashion-mnist";
  /// Fashion-MNIST folder (the files lie directly in it); "" = mixdist::data::default_fashion_mnist_dir().
  std::string data_dir;
  /// Training images, >= 1 (train_size + valid_size <= 60000 for Fashion-MNIST).
  int64_t train_size = 55000;
  /// Validation images, >= 1.
  int64_t valid_size = 5000;
  /// Test images, in [1, 10000] for Fashion-MNIST.
  int64_t test_size = 10000;

  /// K, the latent bits, >= 1.
  int64_t latent_bits = 128;
  /// H, the width of the encoder's and decoder's hidden layer, >= 1.
  int64_t hidden = 128;
  /// R, features per pixel fed to the shared Linear(out_rank -> 256), >= 1.
  int64_t out_rank = 5;

  /// Images per step, in [1, train_size] (optimisation: Adam, no weight decay).
  int64_t batch_size = 64;
  /// Adam's learning rate, > 0.
  double lr = 1e-3;
  /// Temperature schedule: tau = 1 at the start; after every step t (0-based) with t % temperature_interval
  /// == 0, tau = max(temperature_min, exp(-temperature_decay * t)). Unused by Gaussian-Sparsemax. The decay,
  /// >= 0.
  double temperature_decay = 1e-5;
  /// The temperature's lower bound, in (0, 1].
  double temperature_min = 0.5;
  /// Steps between temperature updates, >= 1.
  int64_t temperature_interval = 1000;
  /// Binary Concrete and Hard Concrete scores are clamped to +-logit_clamp, > 0.
  double logit_clamp = 85.0;
  /// Gaussian-Sparsemax noise scale, > 0 (before the sparsemax halves its variance).
  double gsp_std = 1.0;

  /// Epochs between validations, >= 0 (0: none during training; the last epoch is always validated).
  int64_t validate_every = 1;
  /// Importance samples of a validation, >= 0 (0: ELBO only, NLL NaN).
  int64_t valid_is_samples = 16;
  /// Importance samples of every long_validation_every-th epoch's validation, >= 0.
  int64_t valid_is_samples_long = 64;
  /// Epochs between long validations, >= 0; 0: no long validations.
  int64_t long_validation_every = 20;
  /// Importance samples of the final validation and test evaluation, >= 1.
  int64_t final_is_samples = 1024;
  /// Images of the final validation evaluation (the first ones), >= 0; 0 = all.
  int64_t final_valid_size = 0;
  /// Images of the final test evaluation (the first ones), >= 0; 0 = all.
  int64_t final_test_size = 0;
  /// Images per evaluation batch, >= 1.
  int64_t eval_batch_size = 64;
  /// Importance samples decoded at once, >= 1.
  int64_t is_chunk = 16;
  /// Evaluations and pictures reseed the global generator to this (and restore it afterwards).
  int64_t eval_seed = 0;

  /// Checks every setting's range (listed with each field).
  /// @throws c10::Error naming the first impossible setting and its value.
  void validate() const;
  /// The config as config.json text (pretty-printed).
  std::string to_json() const;
  /// Parses a config written by to_json and validates it.
  /// @throws c10::Error naming the key for unknown or missing keys, a value of the wrong type and another
  ///   experiment's config; and as validate().
  static BitVaeConfig from_json(const std::string& text);

  /// One list of (key, field) pairs for both directions of the JSON mapping, in config.json's order
  /// (run/config_json.h).
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

/// The settings of `latent` at a preset (`docs/experiments.md#bit-vector-vae-presets`):
/// - paper: the reference scripts: 100 epochs, seed 42, per-method learning rate and temperature decay (gs
///   1e-3 / 1e-5, gs-st 5e-4 / 1e-4, binary-concrete 2e-3 / 1e-5, hard-concrete 1e-3 / 1e-5,
///   gaussian-sparsemax 1e-3 / none); validation every epoch with 16 importance samples, 64 every 20th
///   epoch; final evaluation with 1024 samples on the whole validation and test sets;
/// - quick: the same models and optimisers, 10 epochs, validation with 16 samples (no long ones), final
///   evaluation with 64 samples on the first 2048 validation and the first 2048 test images.
///
/// @throws c10::Error listing the valid presets for any other preset.
BitVaeConfig make_preset(BitLatent latent, const std::string& preset);

/// The temperature of the training step that follows `completed_steps` steps (a pure function of the step
/// count, so a resumed run needs no saved temperature): 1 before the first update, then max(temperature_min,
/// exp(-temperature_decay * t)) for the last t < completed_steps with t % temperature_interval == 0.
/// Gaussian-Sparsemax has no temperature: 1 always (the model ignores it).
/// @throws c10::Error if completed_steps < 0.
double temperature_at(const BitVaeConfig& config, int64_t completed_steps);

/// Importance samples of the validation after `epoch` completed epochs (1-based): valid_is_samples_long on
/// every long_validation_every-th epoch, valid_is_samples otherwise.
/// @throws c10::Error if epoch < 1.
int64_t validation_is_samples(const BitVaeConfig& config, int64_t epoch);

}  // namespace mixdist::experiments::bitvector_vae
