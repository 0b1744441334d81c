#include "mixdist/experiments/bitvector_vae/evaluation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "experiments/bitvector_vae/eval_mode_guard.h"
#include "mixdist/train/evaluation_progress.h"
#include "mixdist/train/rng_state.h"

namespace mixdist::experiments::bitvector_vae {

BitVaeMetrics evaluate(BitVaeModelImpl& model, const at::Tensor& images_u8, const BitVaeConfig& config,
                       int64_t is_samples) {
  TORCH_CHECK(images_u8.dim() == 2 && images_u8.size(0) >= 1 && images_u8.size(1) == kImagePixels,
              "evaluate: images must be [N >= 1, ", kImagePixels, "], got ", images_u8.sizes());
  TORCH_CHECK(is_samples >= 0, "evaluate: is_samples must be >= 0, got ", is_samples);
  EvalModeGuard eval_mode(model);
  train::GlobalRngStateGuard rng_guard;
  at::manual_seed(static_cast<uint64_t>(config.eval_seed));
  at::NoGradGuard no_grad;

  const int64_t n = images_u8.size(0), B = config.eval_batch_size;
  double log_marginal = 0, log_likelihood = 0, rate = 0, exact_bits = 0;
  // The ELBO pass first and the importance sampling after it, so that D, R and -ELBO do not depend on how
  // many importance samples a validation takes.
  train::EvaluationProgress elbo_progress(n, "images (ELBO)");
  for (int64_t begin = 0; begin < n; begin += B) {
    elbo_progress.before_batch(begin);
    const BitVaeObjective o = model.objective(images_u8.slice(0, begin, std::min(n, begin + B)));
    log_likelihood += o.log_likelihood.to(at::kDouble).sum().item<double>();
    rate += o.rate.to(at::kDouble).sum().item<double>();
    exact_bits += o.exact_bits.to(at::kDouble).sum().item<double>();
  }
  train::EvaluationProgress is_progress(n, "images (importance sampling)");
  for (int64_t begin = 0; is_samples > 0 && begin < n; begin += B) {
    is_progress.before_batch(begin);
    const at::Tensor x = images_u8.slice(0, begin, std::min(n, begin + B));
    log_marginal += model.estimate_log_marginal(x, is_samples, config.is_chunk).sum().item<double>();
  }

  const double N = static_cast<double>(n);
  BitVaeMetrics m;
  m.nll = is_samples > 0 ? -log_marginal / N : std::numeric_limits<double>::quiet_NaN();
  m.nll_bpp = m.nll / (static_cast<double>(kImagePixels) * std::log(2.0));
  m.distortion = -log_likelihood / N;
  m.rate = rate / N;
  m.neg_elbo = m.distortion + m.rate;
  m.exact_share = exact_bits / (N * static_cast<double>(model.config().latent_bits));
  m.nonbinary_share = 1.0 - m.exact_share;
  m.images = n;
  m.is_samples = is_samples;
  TORCH_CHECK((is_samples == 0 || std::isfinite(m.nll)) && std::isfinite(m.neg_elbo),
              "evaluate: non-finite metrics (NLL ", m.nll, ", -ELBO ", m.neg_elbo, ", D ", m.distortion,
              ", R ", m.rate, "); the model or its inputs hold NaN/inf");
  return m;
}

const std::vector<std::string>& eval_metric_names() {
  static const std::vector<std::string> names = {"nll_bpp",        "nll", "D", "R", "neg_elbo", "exact_share",
                                                 "nonbinary_share"};
  return names;
}

std::vector<double> eval_metric_values(const BitVaeMetrics& m) {
  return {m.nll_bpp, m.nll, m.distortion, m.rate, m.neg_elbo, m.exact_share, m.nonbinary_share};
}

}  // namespace mixdist::experiments::bitvector_vae
