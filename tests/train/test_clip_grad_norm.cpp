// clip_grad_norm against LibTorch's torch::nn::utils::clip_grad_norm_ (the reference semantics), in double
// and float, clipping and not, with parameters lacking a gradient and non-contiguous gradients.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "mixdist/train/clip_grad_norm.h"
#include "test_util.h"

namespace mixdist::train {
namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::max_abs_diff;

// Leaves with gradients of the given scale; sizes cover the vectorised body and the scalar tail.
std::vector<at::Tensor> leaves_with_grads(at::ScalarType dtype, double scale, uint64_t seed) {
  at::manual_seed(seed);
  std::vector<at::Tensor> ps;
  for (int64_t n : {1, 7, 1000, 70001}) {
    at::Tensor p = at::randn({n}, dtype).requires_grad_(true);
    p.mutable_grad() = at::randn({n}, dtype) * scale;
    ps.push_back(p);
  }
  return ps;
}

std::vector<at::Tensor> copy_with_grads(const std::vector<at::Tensor>& ps) {
  std::vector<at::Tensor> out;
  for (const auto& p : ps) {
    at::Tensor q = p.detach().clone().requires_grad_(true);
    if (p.grad().defined()) q.mutable_grad() = p.grad().clone();
    out.push_back(q);
  }
  return out;
}

class ClipGradNormMatchesTorch : public ::testing::TestWithParam<std::tuple<at::ScalarType, double>> {};

TEST_P(ClipGradNormMatchesTorch, NormAndScaledGradients) {
  const auto [dtype, scale] = GetParam();
  const auto ours = leaves_with_grads(dtype, scale, 3);
  const auto theirs = copy_with_grads(ours);
  const double max_norm = 5.0;
  const double norm = clip_grad_norm(ours, max_norm);
  const double reference = torch::nn::utils::clip_grad_norm_(theirs, max_norm);
  const double rel = dtype == at::kFloat ? 1e-5 : 1e-12;
  EXPECT_NEAR(norm, reference, rel * reference);
  double squares = 0;
  for (const auto& p : ours) squares += p.grad().to(at::kDouble).square().sum().item<double>();
  const double after = std::sqrt(squares);
  if (reference > max_norm) {
    EXPECT_NEAR(after, max_norm, 1e-5 * max_norm) << "clipped to max_norm";
  } else {
    EXPECT_NEAR(after, reference, rel * reference) << "left alone below max_norm";
  }
  for (size_t i = 0; i < ours.size(); ++i)
    EXPECT_LT(max_abs_diff(ours[i].grad(), theirs[i].grad()), rel * 10) << "parameter " << i;
}

// Scale 0.01 gives a total norm of about 2.7 (below max_norm 5), scale 1 about 267 (clipped).
INSTANTIATE_TEST_SUITE_P(ClipGradNorm, ClipGradNormMatchesTorch,
                         ::testing::Combine(::testing::Values(at::kFloat, at::kDouble),
                                            ::testing::Values(0.01, 1.0)));

TEST(ClipGradNorm, SkipsParametersWithoutGradientAndHandlesStridedGradients) {
  auto ps = leaves_with_grads(at::kDouble, 1.0, 4);
  ps.push_back(at::randn({10}, at::kDouble).requires_grad_(true));  // no gradient
  at::Tensor strided = at::randn({30, 20}, at::kDouble).requires_grad_(true);
  strided.mutable_grad() = at::randn({20, 30}, at::kDouble).t();
  ASSERT_FALSE(strided.grad().is_contiguous());
  ps.push_back(strided);
  const auto theirs = copy_with_grads(ps);
  const double norm = clip_grad_norm(ps, 1.0);
  EXPECT_NEAR(norm, torch::nn::utils::clip_grad_norm_(theirs, 1.0), 1e-12 * norm);
  EXPECT_FALSE(ps[4].grad().defined());
  EXPECT_LT(max_abs_diff(ps[5].grad(), theirs[5].grad()), 1e-14);
}

TEST(ClipGradNorm, RejectsNonPositiveMaxNorm) {
  const auto ps = leaves_with_grads(at::kDouble, 1.0, 5);
  expect_error_containing([&] { clip_grad_norm(ps, 0.0); }, "max_norm must be positive and finite, got 0");
  expect_error_containing([&] { clip_grad_norm(ps, NAN); }, "max_norm");
}

}  // namespace
}  // namespace mixdist::train
