// experiments/vae_mnist/vae: the Categorical model's exact expectation against per-point enumeration.
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

// The Categorical model's exact expectation E_q[log p(x|y)] against the enumeration over every (class, data
// point) pair that the authors' code runs.
TEST(VaeObjective, CategoricalExpectationMatchesPerPointEnumeration) {
  VaeModel model = categorical_model_in_eval_mode(7);
  const at::Tensor x = binarize(data::make_synthetic_images(6, 1));
  at::NoGradGuard no_grad;
  const Objective o = model->objective(x);
  const int64_t L = tiny_config(LatentType::kCategorical).latent_dim;
  const at::Tensor q = at::softmax(model->encoder()->forward(x).at(0), -1);  // [B, L]
  const at::Tensor expected = (q.t() * per_pair_log_likelihoods(model, x, L)).sum(0);
  EXPECT_LT(max_abs_diff(o.terms.log_likelihood, expected), 2e-3);
}

}  // namespace
}  // namespace mixdist::experiments::vae_mnist
