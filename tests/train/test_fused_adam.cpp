// FusedAdam against torch::optim::Adam: the same trajectory (to rounding) with and without weight decay, in
// float and double, with Adam's fallback for what the fused kernel does not handle, and state that either
// optimiser can save and the other load.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "mixdist/train/fused_adam.h"
#include "test_util.h"

namespace mixdist::train {
namespace {

using mixdist::testing::max_abs_diff;

// Runs `steps` steps of an optimiser with deterministic pseudo-gradients and returns the parameters.
template <typename Opt>
std::vector<at::Tensor> run(std::vector<at::Tensor> params, const torch::optim::AdamOptions& o, int steps) {
  Opt opt(params, o);
  for (int s = 0; s < steps; ++s) {
    for (size_t i = 0; i < params.size(); ++i)
      params[i].mutable_grad() = at::sin(params[i].detach() * (s + 1.0) + double(i)) * 1e-2;
    opt.step();
  }
  return params;
}

std::vector<at::Tensor> clone_leaves(const std::vector<at::Tensor>& ps) {
  std::vector<at::Tensor> out;
  for (const auto& p : ps) out.push_back(p.detach().clone().requires_grad_(true));
  return out;
}

class FusedAdamMatches : public ::testing::TestWithParam<std::tuple<at::ScalarType, double>> {};

TEST_P(FusedAdamMatches, TorchAdamStepForStep) {
  const auto [dtype, weight_decay] = GetParam();
  at::manual_seed(0);
  const std::vector<at::Tensor> init = {at::randn({300, 70}, dtype), at::randn({70}, dtype),
                                        at::randn({1}, dtype)};
  const auto o = torch::optim::AdamOptions(3e-3).betas({0.8, 0.99}).eps(1e-6).weight_decay(weight_decay);
  const auto ref = run<torch::optim::Adam>(clone_leaves(init), o, 7);
  const auto fused = run<FusedAdam>(clone_leaves(init), o, 7);
  const double tol = dtype == at::kFloat ? 2e-6 : 1e-13;
  for (size_t i = 0; i < init.size(); ++i) {
    EXPECT_GT(max_abs_diff(ref[i], init[i]), 1e-3) << "the parameters must have moved";
    EXPECT_LT(max_abs_diff(fused[i], ref[i]), tol) << "param " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(FusedAdam, FusedAdamMatches,
                         ::testing::Combine(::testing::Values(at::kFloat, at::kDouble),
                                            ::testing::Values(0.0, 1e-2)));

TEST(FusedAdam, FallsBackToAdamForNonContiguousParameters) {
  at::manual_seed(1);
  const at::Tensor base = at::randn({20, 30}, at::kDouble);
  const std::vector<at::Tensor> init = {base.t().detach().requires_grad_(true)};  // a non-contiguous leaf
  ASSERT_FALSE(init[0].is_contiguous());
  const auto o = torch::optim::AdamOptions(1e-2);
  const auto ref = run<torch::optim::Adam>({base.clone().t().requires_grad_(true)}, o, 3);
  const auto fused = run<FusedAdam>({base.clone().t().requires_grad_(true)}, o, 3);
  EXPECT_LT(max_abs_diff(fused[0], ref[0]), 1e-15);
  EXPECT_GT(max_abs_diff(fused[0], base.t()), 1e-3);
}

// clear_grad leaves no gradient, and the next backward's gradients equal those after zero_grad.
TEST(FusedAdam, ClearGradEqualsZeroGradForTheNextBackward) {
  at::manual_seed(3);
  std::vector<at::Tensor> a = {at::randn({40}, at::kDouble).requires_grad_(true)};
  std::vector<at::Tensor> b = clone_leaves(a);
  FusedAdam cleared(a, torch::optim::AdamOptions(1e-2));
  torch::optim::Adam zeroed(b, torch::optim::AdamOptions(1e-2));
  for (int s = 0; s < 2; ++s) {
    cleared.clear_grad();
    EXPECT_FALSE(a[0].grad().defined());
    zeroed.zero_grad();
    (a[0].sin() * (s + 1.0)).sum().backward();
    (b[0].sin() * (s + 1.0)).sum().backward();
    EXPECT_LT(max_abs_diff(a[0].grad(), b[0].grad()), 1e-15);
    cleared.step();
    zeroed.step();
  }
  EXPECT_LT(max_abs_diff(a[0], b[0]), 1e-14);
}

TEST(FusedAdam, StateIsInterchangeableWithTorchAdam) {
  at::manual_seed(2);
  const auto o = torch::optim::AdamOptions(1e-2).weight_decay(1e-3);
  std::vector<at::Tensor> a = {at::randn({50}, at::kDouble).requires_grad_(true)};
  std::vector<at::Tensor> b = clone_leaves(a);
  FusedAdam fused(a, o);
  torch::optim::Adam plain(b, o);
  for (int s = 0; s < 3; ++s) {
    a[0].mutable_grad() = at::cos(a[0].detach() * (s + 1.0));
    b[0].mutable_grad() = at::cos(b[0].detach() * (s + 1.0));
    fused.step();
    plain.step();
  }
  // Save the fused state, load it into a plain Adam on a copy of the fused parameters, and continue both.
  torch::serialize::OutputArchive out;
  fused.save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  std::vector<at::Tensor> c = clone_leaves(a);
  torch::optim::Adam restored(c, o);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  restored.load(in);
  a[0].mutable_grad() = at::cos(a[0].detach() * 4.0);
  c[0].mutable_grad() = at::cos(c[0].detach() * 4.0);
  b[0].mutable_grad() = at::cos(b[0].detach() * 4.0);
  fused.step();
  restored.step();
  plain.step();
  EXPECT_LT(max_abs_diff(a[0], c[0]), 1e-14);
  EXPECT_LT(max_abs_diff(a[0], b[0]), 1e-12);  // and the uninterrupted plain Adam agrees too
}

}  // namespace
}  // namespace mixdist::train
