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

// A sharded evaluation adds up the sums of slices: with binary images (binarisation leaves them alone) and
// the Categorical latent (D and R are exact expectations), the slices' sums are the whole set's, up to
// float32 rounding of batches cut elsewhere. The NLL is an importance-sampled estimate: its slices draw other
// samples than the whole set does, so it agrees only in expectation.
TEST(VaeEvaluation, SumsOfSlicesAreTheSumsOfTheWholeSet) {
  VaeModel model = categorical_model_in_eval_mode(4);
  const VaeConfig config = tiny_config(LatentType::kCategorical);
  const at::Tensor x = mixdist::data::make_synthetic_images(50, 3).gt(0.5).to(at::kFloat);
  const EvalSums whole = evaluate_sums(*model, x, config, 5);
  const EvalSums first = evaluate_sums(*model, x.slice(0, 0, 23), config, 5);
  const EvalSums second = evaluate_sums(*model, x.slice(0, 23, 50), config, 5);
  EXPECT_EQ(first.images + second.images, whole.images);
  const auto close = [](double a, double b) { EXPECT_NEAR(a, b, 1e-5 * std::abs(b) + 1e-9); };
  close(first.log_likelihood + second.log_likelihood, whole.log_likelihood);
  close(first.kl_face + second.kl_face, whole.kl_face);
  close(first.support + second.support, whole.support);
  std::vector<double> total = first.to_vector();
  for (size_t i = 0; i < total.size(); ++i) total[i] += second.to_vector()[i];
  const EvalMetrics sharded = metrics_from_sums(EvalSums::from_vector(total), 5);
  const EvalMetrics single = evaluate(*model, x, config, 5);
  close(sharded.distortion, single.distortion);
  close(sharded.rate, single.rate);
  EXPECT_EQ(sharded.images, 50);
  EXPECT_EQ(EvalSums::from_vector(whole.to_vector()).to_vector(), whole.to_vector());
}

}  // namespace
}  // namespace mixdist::experiments::vae_mnist
