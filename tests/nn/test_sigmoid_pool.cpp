// nn::sigmoid_pool, the signal game's fused sender block, against the same function in ATen ops: values,
// gradients, finite differences in double and thread-count independence.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "mixdist/experiments/signal_game/model.h"
#include "mixdist/nn/sigmoid_pool.h"
#include "test_util.h"

namespace mixdist {
namespace {

using testing::finite_difference_grad;
using testing::max_abs_diff;
using testing::ThreadCountGuard;

struct PoolInputs {
  at::Tensor e, w2, w3, g;
};

// H = 37 leaves a tail after the 16-lane loops; |e w2| reaches about 8, both sigmoid branches and saturation.
PoolInputs pool_inputs(at::ScalarType dtype, int64_t B = 5, int64_t E = 11, int64_t H = 37) {
  at::manual_seed(7);
  PoolInputs in;
  in.e = (at::randn({B, E}, at::kDouble) * 3).to(dtype).requires_grad_(true);
  in.w2 = at::empty({H}, at::kDouble).uniform_(-1, 1).to(dtype).requires_grad_(true);
  in.w3 = at::empty({H}, at::kDouble).uniform_(-1, 1).to(dtype).requires_grad_(true);
  in.g = at::randn({B, E}, at::kDouble).to(dtype);
  return in;
}

std::vector<at::Tensor> value_and_grads(bool fused, const PoolInputs& in) {
  const at::Tensor out =
      fused ? nn::sigmoid_pool(in.e, in.w2, in.w3) : nn::sigmoid_pool_reference(in.e, in.w2, in.w3);
  auto grads = torch::autograd::grad({out}, {in.e, in.w2, in.w3}, {in.g});
  grads.insert(grads.begin(), out.detach());
  return grads;
}

void expect_pool_matches_aten(at::ScalarType dtype, double tolerance) {
  const PoolInputs in = pool_inputs(dtype);
  const auto fused = value_and_grads(true, in), aten = value_and_grads(false, in);
  const char* names[] = {"value", "d e", "d w2", "d w3"};
  for (size_t i = 0; i < fused.size(); ++i) {
    EXPECT_EQ(fused[i].scalar_type(), dtype);
    // Relative to the largest entry: the parameter gradients are sums over B x E terms.
    EXPECT_LE(max_abs_diff(fused[i], aten[i]), tolerance * (1 + aten[i].abs().max().item<double>()))
        << names[i];
  }
}

TEST(SigmoidPool, FloatMatchesAtenOps) {
  expect_pool_matches_aten(at::kFloat, 2e-6);
}

TEST(SigmoidPool, DoubleMatchesAtenOps) {
  expect_pool_matches_aten(at::kDouble, 1e-13);
}

TEST(SigmoidPool, GradientsMatchFiniteDifferencesInDouble) {
  const PoolInputs in = pool_inputs(at::kDouble, 3, 4, 19);
  const auto grads = value_and_grads(true, in);
  const at::Tensor e = in.e.detach(), w2 = in.w2.detach(), w3 = in.w3.detach();
  const auto objective = [&](const at::Tensor& a, const at::Tensor& b, const at::Tensor& c) {
    return (nn::sigmoid_pool(a, b, c) * in.g).sum();
  };
  EXPECT_LE(max_abs_diff(grads[1], finite_difference_grad(
                                       [&](const at::Tensor& x) { return objective(x, w2, w3); }, e)),
            1e-8);
  EXPECT_LE(max_abs_diff(grads[2], finite_difference_grad(
                                       [&](const at::Tensor& x) { return objective(e, x, w3); }, w2)),
            1e-8);
  EXPECT_LE(max_abs_diff(grads[3], finite_difference_grad(
                                       [&](const at::Tensor& x) { return objective(e, w2, x); }, w3)),
            1e-8);
}

TEST(SigmoidPool, SecondOrderGradientsMatchAtenOps) {
  const PoolInputs in = pool_inputs(at::kDouble);
  std::vector<at::Tensor> second[2];
  for (bool fused : {false, true}) {
    const at::Tensor out =
        fused ? nn::sigmoid_pool(in.e, in.w2, in.w3) : nn::sigmoid_pool_reference(in.e, in.w2, in.w3);
    const auto g = torch::autograd::grad({out}, {in.e}, {in.g}, /*retain_graph=*/true, /*create_graph=*/true);
    second[fused] = torch::autograd::grad({g[0].pow(2).sum()}, {in.e, in.w2, in.w3});
  }
  for (size_t i = 0; i < 3; ++i) EXPECT_LE(max_abs_diff(second[1][i], second[0][i]), 1e-12) << i;
}

TEST(SigmoidPool, BitwiseIdenticalOnOneAndTwoThreads) {
  ThreadCountGuard guard;
  // The paper's shape: B = 64, E = 256, H = 512.
  const PoolInputs in = pool_inputs(at::kFloat, 64, 256, 512);
  at::set_num_threads(1);
  const auto one = value_and_grads(true, in);
  at::set_num_threads(2);
  const auto two = value_and_grads(true, in);
  for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(one[i].equal(two[i])) << i;
}

TEST(SigmoidPool, RejectsMismatchedShapes) {
  testing::expect_error_containing(
      [] {
        nn::sigmoid_pool(at::zeros({2, 3}), at::zeros({4}), at::zeros({5}));
      },
      "sigmoid_pool");
}

}  // namespace
}  // namespace mixdist
