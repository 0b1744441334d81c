#pragma once

/// @file
/// @brief The MNIST VAE's config (VaeConfig), its latent types and its presets.
///
/// Configuration of the MNIST mixed-latent VAE (`docs/experiments.md#the-mnist-mixed-latent-vae`): which
/// latent, the networks' sizes, the optimisers, the estimators and the evaluation. Everything a run needs to
/// be repeated is here and is written to `runs/NAME/config.json`; `quick` and `paper` presets fill in the
/// per-model settings of `docs/experiments.md#mnist-vae-training-and-presets`.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace mixdist::experiments::vae_mnist {

/// The six models of `docs/experiments.md#mnist-vae-the-six-latent-models`.
enum class LatentType {
  /// A Gaussian latent with a standard normal prior (name "gaussian").
  kGaussian,
  /// A Dirichlet latent with a uniform Dirichlet prior (name "dirichlet").
  kDirichlet,
  /// A categorical latent (one-hot codes, uniform prior), its expectation computed exactly over the L classes
  /// (name "categorical").
  kCategorical,
  /// A categorical latent (uniform prior) trained with the straight-through Gumbel-Softmax estimator (name
  /// "gs-st").
  kGumbelSoftmaxST,
  /// The Gaussian-Sparsemax mixed latent (name "gaussian-sparsemax").
  kGaussianSparsemax,
  /// The Mixed Dirichlet mixed latent, face law and Dirichlet within the face (name "mixed-dirichlet").
  kMixedDirichlet
};

/// The CLI / JSON name of `type`: gaussian, dirichlet, categorical, gs-st, gaussian-sparsemax,
/// mixed-dirichlet.
/// @throws c10::Error for a value outside the enumeration.
std::string latent_name(LatentType type);
/// The latent type called `name`, the inverse of latent_name.
/// @throws c10::Error listing the valid names for an unknown one.
LatentType parse_latent(const std::string& name);
/// Every latent type, in the order tables list them (that of LatentType).
const std::vector<LatentType>& all_latent_types();
/// Writes config.json's "latent" by name (nlohmann's ADL hook).
void to_json(nlohmann::json& j, const LatentType& type);
/// Reads config.json's "latent" by name (nlohmann's ADL hook).
/// @throws c10::Error listing the valid names for an unknown one.
void from_json(const nlohmann::json& j, LatentType& type);

/// Every setting of a run of the MNIST VAE, as config.json holds it.
///
/// The defaults are those of the Mixed Dirichlet model's quick preset but its learning rates, gradient clip
/// and dropout; start from make_preset. validate() states each setting's valid range (each listed below too).
///
/// @code
/// using namespace mixdist::experiments::vae_mnist;
/// VaeConfig config = make_preset(LatentType::kGaussianSparsemax, "paper");
/// config.seed = 11;
/// @endcode
struct VaeConfig {
  /// Must be "vae_mnist": guards against evaluating another experiment's run folder.
  std::string experiment = "vae_mnist";
  /// The latent model.
  LatentType latent = LatentType::kMixedDirichlet;
  /// The preset the config came from ("quick", "paper", or any label; compare groups runs by it).
  std::string preset = "quick";
  /// Seeds the global generator before the model is built (>= 0; run::train checks).
  int64_t seed = 10;

  /// Data: "mnist" (55k / 5k / 10k split, `docs/experiments.md#mnist-vae-data`) or "synthetic" (small
  /// generated images, for tests).
  std::string dataset = "mnist";
  /// The folder that holds mnist/; "" = mixdist::data::default_data_dir().
  std::string data_dir;
  /// Training images, >= 1: the first ones of MNIST's training file (train_size + valid_size <= 60000);
  /// synthetic: how many to make.
  int64_t train_size = 55000;
  /// Validation images, >= 1: the last ones of MNIST's training file (never overlapping the training ones).
  int64_t valid_size = 5000;
  /// Test images, >= 1: the first ones of MNIST's test file (<= 10000).
  int64_t test_size = 10000;

  /// Dimension L of the latent, in [2, 16] (`docs/experiments.md#mnist-vae-networks`).
  int64_t latent_dim = 10;
  /// Width of the encoder's and decoder's hidden layers, >= 1.
  int64_t hidden = 500;
  /// Dropout rate of the encoder, in [0, 1).
  double inf_dropout = 0.0;

  /// Training epochs, >= 1 (`docs/experiments.md#mnist-vae-training-and-presets`).
  int64_t epochs = 10;
  /// Images per step, in [1, train_size]; the last batch of an epoch may be smaller.
  int64_t batch_size = 100;
  /// Adam learning rate of the decoder (generative model), > 0.
  double gen_lr = 1e-3;
  /// Adam learning rate of the encoder (inference model), > 0.
  double inf_lr = 1e-3;
  /// Adam weight decay of the encoder, >= 0.
  double inf_l2 = 1e-6;
  /// Maximum L2 norm of the gradient of all parameters together, > 0.
  double grad_clip = 5.0;
  /// Steps of linear learning-rate warm-up from 0 (the first step has learning rate 0), >= 0; 0: none
  /// (Categorical: 100).
  int64_t warmup_steps = 0;

  /// Clamp of face scores and categorical logits to [-logit_clamp, logit_clamp], > 0
  /// (`docs/experiments.md#mnist-vae-the-six-latent-models`).
  double logit_clamp = 10.0;
  /// Dirichlet / Mixed Dirichlet concentrations are clamped to [concentration_min, concentration_max];
  /// 0 < concentration_min < concentration_max.
  double concentration_min = 1e-3;
  /// Upper clamp of the concentrations (see concentration_min).
  double concentration_max = 1e3;
  /// Gaussian-Sparsemax scales are clamped to [scale_min, scale_max]; 0 < scale_min < scale_max.
  double scale_min = 1e-3;
  /// Upper clamp of the Gaussian-Sparsemax scale (see scale_min).
  double scale_max = 1e3;
  /// Clamp of the Gaussian-Sparsemax location to [-loc_clamp, loc_clamp], > 0.
  double loc_clamp = 100.0;
  /// Temperature of the GS-ST relaxation, fixed, > 0.
  double gumbel_temperature = 1.0;
  /// Max-entropy face prior: "authors" (no C(K,n), `docs/experiments.md#the-max-entropy-face-prior`) or
  /// "derived".
  std::string face_prior = "authors";
  /// Tolerance of the quadrature of the CDF integral in the Gaussian-Sparsemax log-density, in (0, 1e-2]
  /// (the authors: a 1000-point grid).
  double gsp_quadrature_tolerance = 1e-6;
  /// Monte Carlo KL samples of Gaussian-Sparsemax (independent of the reconstruction sample), >= 1.
  int64_t gsp_kl_samples = 1;

  /// Epochs between validations, >= 0 (0: only at the end; the last epoch is always validated)
  /// (`docs/experiments.md#mnist-vae-evaluation`).
  int64_t validate_every = 1;
  /// Importance samples of the per-epoch validation NLL, >= 1.
  int64_t valid_is_samples = 10;
  /// Importance samples of the final validation + test evaluation, >= 1.
  int64_t final_is_samples = 100;
  /// Images per evaluation batch, >= 1.
  int64_t eval_batch_size = 100;
  /// The evaluation passes and the pictures reseed the global generator to this (and restore it after).
  int64_t eval_seed = 0;

  /// Checks every setting's range (listed with each field).
  /// @throws c10::Error naming the first impossible setting and its value.
  void validate() const;
  /// The config as config.json text (pretty-printed).
  std::string to_json() const;
  /// Parses a config written by to_json and validates it.
  /// @throws c10::Error naming the key for an unknown key or a missing one (they mean another experiment or
  ///   version), a value of the wrong type, another experiment's config; and as validate().
  static VaeConfig from_json(const std::string& text);
  /// Every field with its config.json key, in file order (run/config_json.h); defined in config.cpp.
  template <typename Visitor>
  static void visit_fields(VaeConfig& c, Visitor&& v);
};

/// The paper's settings for `latent` (`docs/experiments.md#mnist-vae-training-and-presets` table) at the
/// given preset:
/// - paper: 500 epochs, validation every epoch with 100 importance samples (Gaussian-Sparsemax: every 25
///   epochs), final evaluation with 1000;
/// - quick: the same models and optimisers, 10 epochs, validation with 10 samples, final evaluation with 100.
///
/// Per latent, the learning rates, gradient clip, encoder dropout and warm-up of that table; every other
/// field keeps VaeConfig's default.
/// @throws c10::Error listing the valid presets for any other preset.
VaeConfig make_preset(LatentType latent, const std::string& preset);

}  // namespace mixdist::experiments::vae_mnist
