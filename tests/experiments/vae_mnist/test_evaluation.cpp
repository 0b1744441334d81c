// experiments/vae_mnist/evaluation: the importance-sampled NLL matches exact enumeration for the
// Categorical mixture.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mixdist/data/synthetic.h"
#include "mixdist/experiments/registry.h"
#include "mixdist/experiments/run/compare.h"
#include "mixdist/experiments/vae_mnist/data.h"
#include "mixdist/experiments/vae_mnist/evaluation.h"
#include "mixdist/experiments/vae_mnist/experiment.h"
#include "mixdist/experiments/vae_mnist/report.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/stop_signal.h"
#include "temp_dir.h"
#include "test_util.h"
#include "tiny_vae.h"

namespace mixdist::experiments::vae_mnist {
namespace {

using mixdist::testing::max_abs_diff;

// For the Categorical mixture log p(x) = logsumexp_y [log p(x|y) - log L] is exact by enumerating the L
// classes: the importance-sampled estimate must converge to it.
TEST(VaeImportanceSampling, MatchesExactEnumerationForTheCategoricalMixture) {
  VaeModel model = categorical_model_in_eval_mode(3);
  const at::Tensor x = binarize(data::make_synthetic_images(8, 5));
  at::Tensor exact;
  {
    at::NoGradGuard no_grad;
    const int64_t L = tiny_config(LatentType::kCategorical).latent_dim;
    exact = at::logsumexp(per_pair_log_likelihoods(model, x, L).to(at::kDouble), 0) - std::log(double(L));
  }
  const at::Tensor estimate = model->estimate_log_marginal(x, 4000, 700);  // several chunks
  EXPECT_LT(max_abs_diff(estimate, exact), 0.05) << estimate << exact;
}

}  // namespace
}  // namespace mixdist::experiments::vae_mnist
