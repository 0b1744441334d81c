#pragma once

// Configuration of the MNIST mixed-latent VAE (docs/experiments.md#the-mnist-mixed-latent-vae): which latent,
// the networks' sizes, the optimisers, the estimators and the evaluation. Everything a run needs to be
// repeated is here and is written to runs/NAME/config.json; `quick` and `paper` presets fill in the per-model
// settings of docs/experiments.md#mnist-vae-training-and-presets.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace mixdist::experiments::vae_mnist {

// The six models of docs/experiments.md#mnist-vae-the-six-latent-models.
enum class LatentType {
  kGaussian,
  kDirichlet,
  kCategorical,
  kGumbelSoftmaxST,
  kGaussianSparsemax,
  kMixedDirichlet
};

// CLI / JSON names: gaussian, dirichlet, categorical, gs-st, gaussian-sparsemax, mixed-dirichlet.
std::string latent_name(LatentType type);
// Inverse of latent_name; a c10::Error listing the valid names otherwise.
LatentType parse_latent(const std::string& name);
const std::vector<LatentType>& all_latent_types();
// config.json's "latent" (nlohmann's ADL hooks); an unknown name is a c10::Error listing the valid ones.
void to_json(nlohmann::json& j, const LatentType& type);
void from_json(const nlohmann::json& j, LatentType& type);

struct VaeConfig {
  std::string experiment = "vae_mnist";  // guards against evaluating another experiment's run folder
  LatentType latent = LatentType::kMixedDirichlet;
  std::string preset = "quick";
  int64_t seed = 10;

  // Data: "mnist" (55k / 5k / 10k split, docs/experiments.md#mnist-vae-data) or "synthetic" (small generated
  // images, for tests).
  std::string dataset = "mnist";
  std::string data_dir;        // "" = mixdist::data::default_data_dir()
  int64_t train_size = 55000;  // images used (the first ones of each split); synthetic: how many to make
  int64_t valid_size = 5000;
  int64_t test_size = 10000;

  // Networks (docs/experiments.md#mnist-vae-networks).
  int64_t latent_dim = 10;
  int64_t hidden = 500;
  double inf_dropout = 0.0;

  // Optimisation (docs/experiments.md#mnist-vae-training-and-presets).
  int64_t epochs = 10;
  int64_t batch_size = 100;
  double gen_lr = 1e-3;
  double inf_lr = 1e-3;
  double inf_l2 = 1e-6;
  double grad_clip = 5.0;
  int64_t warmup_steps = 0;  // linear warm-up from 0 (Categorical: 100)

  // Estimators and clamps (docs/experiments.md#mnist-vae-the-six-latent-models).
  double logit_clamp = 10.0;        // face scores and categorical logits
  double concentration_min = 1e-3;  // Dirichlet / Mixed Dirichlet concentrations
  double concentration_max = 1e3;
  double scale_min = 1e-3;  // Gaussian-Sparsemax scale
  double scale_max = 1e3;
  double loc_clamp = 100.0;         // Gaussian-Sparsemax location
  double gumbel_temperature = 1.0;  // GS-ST, fixed
  // Max-entropy face prior: "authors" (no C(K,n), docs/experiments.md#the-max-entropy-face-prior) or
  // "derived".
  std::string face_prior = "authors";
  double gsp_quadrature_tolerance =
      1e-6;                    // of the GSP log-density's CDF integral (authors: a 1000-point grid)
  int64_t gsp_kl_samples = 1;  // Monte Carlo KL samples (independent of the reconstruction sample)

  // Evaluation (docs/experiments.md#mnist-vae-evaluation).
  int64_t validate_every = 1;      // epochs between validations (0: only at the end)
  int64_t valid_is_samples = 10;   // importance samples of the per-epoch validation NLL
  int64_t final_is_samples = 100;  // importance samples of the final validation + test evaluation
  int64_t eval_batch_size = 100;
  int64_t eval_seed = 0;  // the evaluation passes reseed their generator to this

  // Throws c10::Error naming the first impossible setting and its value.
  void validate() const;
  std::string to_json() const;  // pretty-printed
  // Parses a config written by to_json (unknown keys are an error: they mean another experiment or version).
  static VaeConfig from_json(const std::string& text);
  // Every field with its config.json key, in file order (run/config_json.h); defined in config.cpp.
  template <typename Visitor>
  static void visit_fields(VaeConfig& c, Visitor&& v);
};

// The paper's settings for `latent` (docs/experiments.md#mnist-vae-training-and-presets table) at the given
// preset:
//   paper: 500 epochs, validation every epoch with 100 importance samples (Gaussian-Sparsemax: every 25
//          epochs), final evaluation with 1000;
//   quick: the same models and optimisers, 10 epochs, validation with 10 samples, final evaluation with 100.
VaeConfig make_preset(LatentType latent, const std::string& preset);

}  // namespace mixdist::experiments::vae_mnist
