#include "mixdist/experiments/vae_mnist/config.h"

#include <c10/util/Exception.h>

#include <nlohmann/json.hpp>

#include "mixdist/experiments/run/config_json.h"
#include "mixdist/experiments/run/named_values.h"

namespace mixdist::experiments::vae_mnist {
namespace {

const run::NamedValues<LatentType>& latents() {
  static const run::NamedValues<LatentType> table("latent",
                                                  {
                                                      {LatentType::kGaussian, "gaussian"},
                                                      {LatentType::kDirichlet, "dirichlet"},
                                                      {LatentType::kCategorical, "categorical"},
                                                      {LatentType::kGumbelSoftmaxST, "gs-st"},
                                                      {LatentType::kGaussianSparsemax, "gaussian-sparsemax"},
                                                      {LatentType::kMixedDirichlet, "mixed-dirichlet"},
                                                  });
  return table;
}

}  // namespace

std::string latent_name(LatentType type) {
  return latents().name(type);
}

LatentType parse_latent(const std::string& name) {
  return latents().parse(name);
}

const std::vector<LatentType>& all_latent_types() {
  return latents().values();
}

void VaeConfig::validate() const {
  TORCH_CHECK(experiment == "vae_mnist", "config: experiment must be 'vae_mnist', got '", experiment, "'");
  TORCH_CHECK(dataset == "mnist" || dataset == "synthetic",
              "config: dataset must be 'mnist' or 'synthetic', got '", dataset, "'");
  TORCH_CHECK(train_size >= 1, "config: train_size must be >= 1, got ", train_size);
  TORCH_CHECK(valid_size >= 1, "config: valid_size must be >= 1, got ", valid_size);
  TORCH_CHECK(test_size >= 1, "config: test_size must be >= 1, got ", test_size);
  if (dataset == "mnist") {
    TORCH_CHECK(train_size + valid_size <= 60000,
                "config: train_size + valid_size must be <= 60000 (MNIST train), got ", train_size, " + ",
                valid_size);
    TORCH_CHECK(test_size <= 10000, "config: test_size must be <= 10000 (MNIST test), got ", test_size);
  }
  TORCH_CHECK(latent_dim >= 2 && latent_dim <= 16, "config: latent_dim must be in [2, 16], got ", latent_dim);
  TORCH_CHECK(hidden >= 1, "config: hidden must be >= 1, got ", hidden);
  TORCH_CHECK(inf_dropout >= 0.0 && inf_dropout < 1.0, "config: inf_dropout must be in [0, 1), got ",
              inf_dropout);
  TORCH_CHECK(epochs >= 1, "config: epochs must be >= 1, got ", epochs);
  TORCH_CHECK(batch_size >= 1 && batch_size <= train_size,
              "config: batch_size must be in [1, train_size = ", train_size, "], got ", batch_size);
  TORCH_CHECK(gen_lr > 0.0, "config: gen_lr must be > 0, got ", gen_lr);
  TORCH_CHECK(inf_lr > 0.0, "config: inf_lr must be > 0, got ", inf_lr);
  TORCH_CHECK(inf_l2 >= 0.0, "config: inf_l2 must be >= 0, got ", inf_l2);
  TORCH_CHECK(grad_clip > 0.0, "config: grad_clip must be > 0, got ", grad_clip);
  TORCH_CHECK(warmup_steps >= 0, "config: warmup_steps must be >= 0, got ", warmup_steps);
  TORCH_CHECK(logit_clamp > 0.0, "config: logit_clamp must be > 0, got ", logit_clamp);
  TORCH_CHECK(concentration_min > 0.0 && concentration_min < concentration_max,
              "config: need 0 < concentration_min < concentration_max, got ", concentration_min, " and ",
              concentration_max);
  TORCH_CHECK(scale_min > 0.0 && scale_min < scale_max, "config: need 0 < scale_min < scale_max, got ",
              scale_min, " and ", scale_max);
  TORCH_CHECK(loc_clamp > 0.0, "config: loc_clamp must be > 0, got ", loc_clamp);
  TORCH_CHECK(gumbel_temperature > 0.0, "config: gumbel_temperature must be > 0, got ", gumbel_temperature);
  TORCH_CHECK(face_prior == "authors" || face_prior == "derived",
              "config: face_prior must be 'authors' or 'derived', got '", face_prior, "'");
  TORCH_CHECK(gsp_quadrature_tolerance > 0.0 && gsp_quadrature_tolerance <= 1e-2,
              "config: gsp_quadrature_tolerance must be in (0, 1e-2], got ", gsp_quadrature_tolerance);
  TORCH_CHECK(gsp_kl_samples >= 1, "config: gsp_kl_samples must be >= 1, got ", gsp_kl_samples);
  TORCH_CHECK(validate_every >= 0, "config: validate_every must be >= 0, got ", validate_every);
  TORCH_CHECK(valid_is_samples >= 1, "config: valid_is_samples must be >= 1, got ", valid_is_samples);
  TORCH_CHECK(final_is_samples >= 1, "config: final_is_samples must be >= 1, got ", final_is_samples);
  TORCH_CHECK(eval_batch_size >= 1, "config: eval_batch_size must be >= 1, got ", eval_batch_size);
}

void to_json(nlohmann::json& j, const LatentType& type) {
  j = latent_name(type);
}

void from_json(const nlohmann::json& j, LatentType& type) {
  type = parse_latent(j.get<std::string>());
}

// One table drives both directions of the JSON mapping (run/config_json.h).
template <typename Visitor>
void VaeConfig::visit_fields(VaeConfig& c, Visitor&& v) {
  v("latent", c.latent);
  v("experiment", c.experiment);
  v("preset", c.preset);
  v("seed", c.seed);
  v("dataset", c.dataset);
  v("data_dir", c.data_dir);
  v("train_size", c.train_size);
  v("valid_size", c.valid_size);
  v("test_size", c.test_size);
  v("latent_dim", c.latent_dim);
  v("hidden", c.hidden);
  v("inf_dropout", c.inf_dropout);
  v("epochs", c.epochs);
  v("batch_size", c.batch_size);
  v("gen_lr", c.gen_lr);
  v("inf_lr", c.inf_lr);
  v("inf_l2", c.inf_l2);
  v("grad_clip", c.grad_clip);
  v("warmup_steps", c.warmup_steps);
  v("logit_clamp", c.logit_clamp);
  v("concentration_min", c.concentration_min);
  v("concentration_max", c.concentration_max);
  v("scale_min", c.scale_min);
  v("scale_max", c.scale_max);
  v("loc_clamp", c.loc_clamp);
  v("gumbel_temperature", c.gumbel_temperature);
  v("face_prior", c.face_prior);
  v("gsp_quadrature_tolerance", c.gsp_quadrature_tolerance);
  v("gsp_kl_samples", c.gsp_kl_samples);
  v("validate_every", c.validate_every);
  v("valid_is_samples", c.valid_is_samples);
  v("final_is_samples", c.final_is_samples);
  v("eval_batch_size", c.eval_batch_size);
  v("eval_seed", c.eval_seed);
}

std::string VaeConfig::to_json() const {
  return run::config_to_json(*this);
}

VaeConfig VaeConfig::from_json(const std::string& text) {
  VaeConfig c = run::config_from_json<VaeConfig>(text, "vae_mnist");
  c.validate();
  return c;
}

VaeConfig make_preset(LatentType latent, const std::string& preset) {
  TORCH_CHECK(preset == "quick" || preset == "paper", "unknown preset '", preset,
              "'; valid presets: quick, paper");
  VaeConfig c;
  c.latent = latent;
  c.preset = preset;
  switch (latent) {
    case LatentType::kGaussian:
    case LatentType::kDirichlet:
      c.gen_lr = 1e-3, c.inf_lr = 1e-3, c.grad_clip = 5.0, c.inf_dropout = 0.0;
      break;
    case LatentType::kCategorical:
      c.gen_lr = 1e-5, c.inf_lr = 1e-4, c.grad_clip = 1.0, c.inf_dropout = 0.1, c.warmup_steps = 100;
      break;
    case LatentType::kGumbelSoftmaxST:  // the script's overrides of iclr-onehotcat
      c.gen_lr = 1e-5, c.inf_lr = 1e-4, c.grad_clip = 5.0, c.inf_dropout = 0.1;
      break;
    case LatentType::kMixedDirichlet:
      c.gen_lr = 1e-4, c.inf_lr = 2e-4, c.grad_clip = 1.0, c.inf_dropout = 0.1;
      break;
    case LatentType::kGaussianSparsemax:
      c.gen_lr = 5e-4, c.inf_lr = 5e-4, c.grad_clip = 1.0, c.inf_dropout = 0.1;
      break;
  }
  if (preset == "paper") {
    c.epochs = 500;
    c.valid_is_samples = 100;
    c.final_is_samples = 1000;
    // Per-epoch 100-sample validation is most of a Gaussian-Sparsemax run's cost
    // (docs/performance.md#mnist-vae).
    c.validate_every = latent == LatentType::kGaussianSparsemax ? 25 : 1;
  } else {
    c.epochs = 10;
    c.valid_is_samples = 10;
    c.final_is_samples = 100;
    c.validate_every = 1;
  }
  return c;
}

}  // namespace mixdist::experiments::vae_mnist
