// mixdist::nn::dropout: the keep rate and scale (Monte Carlo with stated tolerances, fixed seeds), the
// gradient, reproducibility from the generator (also across thread counts), independent blocks, and the
// identity / all-zero / bad-argument cases.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "mixdist/nn/dropout.h"
#include "test_util.h"

namespace mixdist::nn {
namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::max_abs_diff;

at::Generator seeded(uint64_t seed) {
  at::Generator g = at::detail::createCPUGenerator();
  g.set_current_seed(seed);
  return g;
}

class DropoutRate : public ::testing::TestWithParam<double> {};

TEST_P(DropoutRate, KeepsOneMinusPAndScalesTheSurvivors) {
  const double p = GetParam();
  const int64_t n = 1'000'003;  // not a multiple of the 4096-element block
  const at::Tensor x = at::full({n}, 2.0, at::kDouble);
  const at::Tensor y = nn::dropout(x, p, /*train=*/true, seeded(1));
  const at::Tensor kept = y != 0;
  const double rate = kept.to(at::kDouble).mean().item<double>();
  const double se = std::sqrt(p * (1 - p) / double(n));
  EXPECT_NEAR(rate, 1 - p, 5 * se) << "keep rate, 5 standard errors";
  EXPECT_LT(max_abs_diff(y.masked_select(kept), at::full({1}, 2.0 / (1 - p), at::kDouble)), 1e-12);
  // Inverted dropout keeps the mean: E[y] = x.
  EXPECT_NEAR(y.mean().item<double>(), 2.0, 5 * 2.0 / (1 - p) * se);
}

INSTANTIATE_TEST_SUITE_P(Dropout, DropoutRate, ::testing::Values(0.1, 0.5, 0.9));

TEST(Dropout, GradientIsTheMask) {
  const at::Tensor x = at::randn({37, 300}, at::kDouble).requires_grad_(true);
  const at::Tensor y = nn::dropout(x, 0.3, true, seeded(2));
  const at::Tensor w = at::randn({37, 300}, at::kDouble);
  (y * w).sum().backward();
  const at::Tensor mask = dropout_mask({37, 300}, 0.3, at::kDouble, seeded(2));
  EXPECT_LT(max_abs_diff(x.grad(), w * mask), 1e-15);
  EXPECT_LT(max_abs_diff(y, x.detach() * mask), 1e-15);
}

TEST(Dropout, ReproducibleFromTheGeneratorWhateverTheThreadCount) {
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const at::Tensor one = dropout_mask({20001}, 0.25, at::kFloat, seeded(3));
  at::set_num_threads(2);
  const at::Tensor two = dropout_mask({20001}, 0.25, at::kFloat, seeded(3));
  at::set_num_threads(threads);
  EXPECT_TRUE(at::equal(one, two));
  // The global generator: the same seed gives the same masks, consecutive calls different ones.
  at::manual_seed(4);
  const at::Tensor a1 = dropout_mask({5000}, 0.5, at::kFloat), a2 = dropout_mask({5000}, 0.5, at::kFloat);
  at::manual_seed(4);
  EXPECT_TRUE(at::equal(dropout_mask({5000}, 0.5, at::kFloat), a1));
  EXPECT_FALSE(at::equal(a1, a2));
}

// Each 4096-element block has its own Philox subsequence: neighbouring blocks must not repeat or correlate.
TEST(Dropout, BlocksAreIndependent) {
  const int64_t block = 4096, blocks = 64;
  const at::Tensor kept = (dropout_mask({block * blocks}, 0.5, at::kDouble, seeded(5)) != 0).to(at::kDouble);
  const at::Tensor rows = kept.view({blocks, block}) - 0.5;
  // Correlation of each block with the next: mean 0, standard error 1 / sqrt(4096) per pair.
  const at::Tensor corr = (rows.slice(0, 0, blocks - 1) * rows.slice(0, 1, blocks)).mean(1) / 0.25;
  EXPECT_LT(corr.abs().max().item<double>(), 5.0 / std::sqrt(double(block)));
  EXPECT_NEAR(corr.mean().item<double>(), 0.0, 5.0 / std::sqrt(double(block * (blocks - 1))));
}

TEST(Dropout, IdentityOutsideTrainingOrAtZeroAndZerosAtOne) {
  const at::Tensor x = at::randn({10, 10});
  EXPECT_TRUE(nn::dropout(x, 0.5, /*train=*/false).is_same(x));
  EXPECT_TRUE(nn::dropout(x, 0.0, true).is_same(x));
  EXPECT_EQ(nn::dropout(x, 1.0, true).abs().sum().item<double>(), 0.0);
}

TEST(Dropout, RejectsBadArguments) {
  const at::Tensor x = at::randn({4});
  expect_error_containing([&] { nn::dropout(x, 1.5, true); }, "p must be in [0, 1], got 1.5");
  expect_error_containing([&] { nn::dropout(x, -0.1, false); }, "p must be in [0, 1], got -0.1");
  expect_error_containing([&] { dropout_mask({4}, 0.5, at::kLong); }, "dtype must be float or double");
}

}  // namespace
}  // namespace mixdist::nn
