// experiments/vae_mnist/networks: the decoder's shared-code log-likelihood against the per-point one.
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

namespace mixdist::experiments::vae_mnist {
namespace {

using mixdist::testing::max_abs_diff;

// The shared-code path (decoder on K codes, one [B, D] x [D, K] product) against the per-point path on the
// codes expanded to every data point.
TEST(VaeDecoder, LogLikelihoodOfSharedCodesMatchesPerPointEvaluation) {
  at::manual_seed(6);
  Decoder decoder(10, 32, kImagePixels);
  const at::Tensor x = binarize(data::make_synthetic_images(5, 2));
  const at::Tensor codes = at::randn({7, 10});
  at::NoGradGuard no_grad;
  const at::Tensor table = decoder->log_likelihood_of_codes(x, codes);                             // [B, K]
  const at::Tensor per_point = decoder->log_likelihood(x, codes.unsqueeze(1).expand({7, 5, 10}));  // [K, B]
  ASSERT_EQ(table.sizes(), (std::vector<int64_t>{5, 7}));
  EXPECT_LT(max_abs_diff(table, per_point.t()), 2e-3) << "float sums of 784 terms of size ~1";
  EXPECT_GT(table.abs().min().item<double>(), 100.0) << "the comparison is between sums of ~500 nats";
}

}  // namespace
}  // namespace mixdist::experiments::vae_mnist
