// mixdist::nn::pixel_categorical_log_likelihood: the fused CPU kernel's value and its three gradients against
// the ATen reference evaluated in double (float and double, leading sample dimensions, uint8 and int64
// targets, odd sizes, large logits), central finite differences, thread-count invariance, the fallback for
// non-contiguous input, evaluation without grad, second derivatives under create_graph and bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "mixdist/nn/pixel_categorical.h"
#include "test_util.h"

namespace mixdist::nn {
namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::max_abs_diff;

struct Inputs {
  at::Tensor features, weight, bias, target, upstream;
};

struct Outputs {
  at::Tensor value, features, weight, bias;
};

// Random inputs: features [lead..., B, P, R] * feature_scale, weight [C, R], bias [C], target [B, P] in [0,
// C) (uint8 when C <= 256 and byte_target), upstream [lead..., B].
Inputs make_inputs(std::vector<int64_t> lead, int64_t B, int64_t P, int64_t R, int64_t C,
                   at::ScalarType dtype, bool byte_target, uint64_t seed, double feature_scale = 1.0) {
  at::manual_seed(seed);
  std::vector<int64_t> shape = lead;
  shape.insert(shape.end(), {B, P, R});
  std::vector<int64_t> out_shape = lead;
  out_shape.push_back(B);
  Inputs in;
  const auto opts = at::TensorOptions().dtype(dtype);
  in.features = at::randn(shape, opts) * feature_scale;
  in.weight = at::randn({C, R}, opts);
  in.bias = at::randn({C}, opts);
  in.target = at::randint(0, C, {B, P}, at::TensorOptions().dtype(byte_target ? at::kByte : at::kLong));
  in.upstream = at::randn(out_shape, opts);
  return in;
}

// The value and, after backward with `upstream`, the gradients of all three inputs.
Outputs run(const Inputs& in, bool fused) {
  const at::Tensor f = in.features.detach().clone().requires_grad_();
  const at::Tensor w = in.weight.detach().clone().requires_grad_();
  const at::Tensor b = in.bias.detach().clone().requires_grad_();
  const at::Tensor y = fused ? pixel_categorical_log_likelihood(f, w, b, in.target)
                             : pixel_categorical_log_likelihood_reference(f, w, b, in.target);
  y.backward(in.upstream);
  return {y.detach(), f.grad(), w.grad(), b.grad()};
}

Inputs to_double(const Inputs& in) {
  return {in.features.to(at::kDouble), in.weight.to(at::kDouble), in.bias.to(at::kDouble), in.target,
          in.upstream.to(at::kDouble)};
}

// |got - want| <= tolerance * max(1, max |want|), elementwise over the whole tensor.
void expect_close(const at::Tensor& got, const at::Tensor& want, double tolerance, const char* what) {
  ASSERT_TRUE(got.defined()) << what;
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  EXPECT_FALSE(got.isnan().any().item<bool>()) << what;
  const double scale = std::max(1.0, want.abs().max().item<double>());
  EXPECT_LE(max_abs_diff(got, want), tolerance * scale) << what;
}

void expect_all_close(const Outputs& got, const Outputs& want, double tolerance) {
  expect_close(got.value, want.value, tolerance, "value");
  expect_close(got.features, want.features, tolerance, "features gradient");
  expect_close(got.weight, want.weight, tolerance, "weight gradient");
  expect_close(got.bias, want.bias, tolerance, "bias gradient");
}

struct Case {
  std::vector<int64_t> lead;
  int64_t B, P, R, C;
  at::ScalarType dtype;
  bool byte_target;
};

class PixelCategoricalAgainstReference : public ::testing::TestWithParam<Case> {};

// Float: the kernel's float logits, exp (1.3 ulp) and per-row float sums against the reference in double;
// 1e-5 of the largest magnitude (observed errors are ~1e-7). Double: 1e-10.
TEST_P(PixelCategoricalAgainstReference, ValueAndGradients) {
  const Case c = GetParam();
  const Inputs in = make_inputs(c.lead, c.B, c.P, c.R, c.C, c.dtype, c.byte_target, 11);
  const Outputs got = run(in, true);
  EXPECT_EQ(got.value.scalar_type(), c.dtype);
  EXPECT_EQ(got.features.scalar_type(), c.dtype);
  const Outputs want = run(to_double(in), false);
  expect_all_close(got, want, c.dtype == at::kFloat ? 1e-5 : 1e-10);
}

INSTANTIATE_TEST_SUITE_P(
    Nn, PixelCategoricalAgainstReference,
    ::testing::Values(Case{{}, 8, 784, 5, 256, at::kFloat, true},    // the VAE's decoder (training, 8 rows)
                      Case{{3}, 4, 37, 5, 256, at::kFloat, false},   // importance samples, P odd
                      Case{{2, 2}, 1, 19, 5, 13, at::kFloat, true},  // B = 1, C not a multiple of 16
                      Case{{}, 3, 10, 3, 7, at::kFloat, false},      // R != 5: the run-time-R kernel
                      Case{{}, 1, 1, 5, 1, at::kFloat, false},       // one class: log p = 0
                      Case{{}, 8, 784, 5, 256, at::kDouble, true},
                      Case{{2}, 5, 33, 5, 256, at::kDouble, false},
                      Case{{}, 2, 17, 1, 300, at::kDouble, false},
                      Case{{3}, 2, 9, 7, 21, at::kDouble, true}));

TEST(PixelCategorical, LargeLogitsStayFinite) {
  // Features x 10 give logits of about +-50 (down to e^-100 inside the sums), where a naive exp overflows.
  for (const auto dtype : {at::kFloat, at::kDouble}) {
    const Inputs in = make_inputs({2}, 3, 50, 5, 256, dtype, true, 12, 10.0);
    const Outputs got = run(in, true);
    const Outputs want = run(to_double(in), false);
    EXPECT_GT(at::linear(in.features, in.weight, in.bias).abs().max().item<double>(), 40.0);
    expect_all_close(got, want, dtype == at::kFloat ? 1e-5 : 1e-10);
  }
}

TEST(PixelCategorical, GradientsMatchCentralFiniteDifferences) {
  const Inputs in = make_inputs({2}, 3, 11, 5, 20, at::kDouble, false, 13);
  const Outputs got = run(in, true);
  // L = sum(y * upstream), perturbed one entry at a time.
  auto loss = [&](const at::Tensor& f, const at::Tensor& w, const at::Tensor& b) {
    return (pixel_categorical_log_likelihood(f, w, b, in.target) * in.upstream).sum().item<double>();
  };
  constexpr double h = 1e-6;
  auto check = [&](const at::Tensor& arg, const at::Tensor& grad, std::vector<int64_t> entries,
                   const char* what) {
    const at::NoGradGuard no_grad;
    for (const int64_t i : entries) {
      at::Tensor up = arg.clone(), down = arg.clone();
      up.view(-1)[i] += h;
      down.view(-1)[i] -= h;
      auto eval = [&](const at::Tensor& changed) {
        return loss(arg.is_same(in.features) ? changed : in.features,
                    arg.is_same(in.weight) ? changed : in.weight, arg.is_same(in.bias) ? changed : in.bias);
      };
      const double numeric = (eval(up) - eval(down)) / (2 * h);
      const double analytic = grad.reshape(-1)[i].item<double>();
      EXPECT_NEAR(analytic, numeric, 1e-6 * std::max(1.0, std::abs(numeric))) << what << " entry " << i;
    }
  };
  check(in.features, got.features, {0, 7, 100, in.features.numel() - 1}, "features");
  check(in.weight, got.weight, {0, 13, 51, in.weight.numel() - 1}, "weight");
  check(in.bias, got.bias, {0, 5, in.bias.numel() - 1}, "bias");
}

TEST(PixelCategorical, ResultsDoNotDependOnTheThreadCount) {
  // 3 x 9 rows: several blocks of the weight / bias sums, split differently between 1 and 2 threads.
  const Inputs in = make_inputs({3}, 9, 40, 5, 256, at::kFloat, true, 14);
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const Outputs one = run(in, true);
  at::set_num_threads(2);
  const Outputs two = run(in, true);
  at::set_num_threads(threads);
  EXPECT_TRUE(at::equal(one.value, two.value));
  EXPECT_TRUE(at::equal(one.features, two.features));
  EXPECT_TRUE(at::equal(one.weight, two.weight));
  EXPECT_TRUE(at::equal(one.bias, two.bias));
}

TEST(PixelCategorical, NonContiguousInputTakesTheFallbackAndAgrees) {
  const Inputs in = make_inputs({}, 4, 30, 5, 256, at::kFloat, false, 15);
  Inputs strided = in;
  strided.features = in.features.transpose(0, 1).contiguous().transpose(0, 1);  // [B, P, R], P-major
  strided.target = in.target.t().contiguous().t();
  ASSERT_FALSE(strided.features.is_contiguous());
  const Outputs got = run(strided, true);
  expect_all_close(got, run(in, true), 1e-5);
}

TEST(PixelCategorical, EvaluationWithoutGradMatchesTraining) {
  const Inputs in = make_inputs({4}, 3, 50, 5, 256, at::kFloat, true, 16);
  const Outputs trained = run(in, true);
  at::Tensor evaluated;
  {
    const at::NoGradGuard no_grad;
    const at::Tensor f = in.features.clone().requires_grad_();
    evaluated = pixel_categorical_log_likelihood(f, in.weight, in.bias, in.target);
  }
  EXPECT_FALSE(evaluated.requires_grad());
  EXPECT_TRUE(at::equal(evaluated, trained.value));
  // Nothing requires grad: no autograd node either.
  const at::Tensor plain = pixel_categorical_log_likelihood(in.features, in.weight, in.bias, in.target);
  EXPECT_FALSE(plain.requires_grad());
  EXPECT_TRUE(at::equal(plain, trained.value));
}

TEST(PixelCategorical, OnlyTheArgumentsThatRequireGradGetOne) {
  const Inputs in = make_inputs({}, 2, 9, 5, 16, at::kFloat, true, 17);
  const at::Tensor w = in.weight.clone().requires_grad_();
  pixel_categorical_log_likelihood(in.features, w, in.bias, in.target).sum().backward();
  ASSERT_TRUE(w.grad().defined());
  EXPECT_FALSE(in.features.grad().defined());
  EXPECT_FALSE(in.bias.grad().defined());
  const Inputs summed{in.features, in.weight, in.bias, in.target, at::ones_like(in.upstream)};
  const at::Tensor want = run(to_double(summed), false).weight;
  expect_close(w.grad(), want, 1e-5, "weight gradient");
}

TEST(PixelCategorical, SecondDerivativesUnderCreateGraph) {
  // G = |dL/dfeatures|^2 depends on the weight; the fused backward falls back to ATen ops under create_graph.
  const Inputs in = make_inputs({2}, 3, 7, 5, 12, at::kDouble, false, 18);
  auto second = [&](bool fused) {
    const at::Tensor f = in.features.clone().requires_grad_(), w = in.weight.clone().requires_grad_();
    const at::Tensor y = fused ? pixel_categorical_log_likelihood(f, w, in.bias, in.target)
                               : pixel_categorical_log_likelihood_reference(f, w, in.bias, in.target);
    const at::Tensor gf = torch::autograd::grad({(y * in.upstream).sum()}, {f}, {}, true, true)[0];
    return torch::autograd::grad({gf.square().sum()}, {w})[0];
  };
  expect_close(second(true), second(false), 1e-10, "d|dL/dfeatures|^2/dweight");
}

TEST(PixelCategorical, EmptyShapes) {
  const at::Tensor w = at::randn({4, 5}), b = at::randn({4});
  const at::Tensor no_pixels =
      pixel_categorical_log_likelihood(at::randn({2, 3, 0, 5}), w, b, at::zeros({3, 0}, at::kLong));
  EXPECT_EQ(no_pixels.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(at::equal(no_pixels, at::zeros({2, 3})));
  const at::Tensor no_samples =
      pixel_categorical_log_likelihood(at::randn({0, 3, 2, 5}), w, b, at::zeros({3, 2}, at::kLong));
  EXPECT_EQ(no_samples.sizes(), (std::vector<int64_t>{0, 3}));
}

TEST(PixelCategorical, BadInputIsANamedError) {
  const at::Tensor f = at::randn({2, 3, 5}), w = at::randn({4, 5}), b = at::randn({4});
  const at::Tensor x = at::zeros({2, 3}, at::kByte);
  auto call = [&](const at::Tensor& f_, const at::Tensor& w_, const at::Tensor& b_, const at::Tensor& x_) {
    return [=] { pixel_categorical_log_likelihood(f_, w_, b_, x_); };
  };
  expect_error_containing(call(at::randn({3, 5}), w, b, x), "features must be [..., B, P, R]");
  expect_error_containing(call(f.to(at::kInt), w, b, x), "features must be floating point");
  expect_error_containing(call(f, at::randn({4, 6}), b, x), "weight must be [C, R = 5]");
  expect_error_containing(call(f, w.to(at::kDouble), b, x), "weight must have features' dtype");
  expect_error_containing(call(f, w, at::randn({3}), x), "bias must be [C = 4]");
  expect_error_containing(call(f, w, b.to(at::kDouble), x), "bias must have features' dtype");
  expect_error_containing(call(f, w, b, at::zeros({3, 2}, at::kByte)), "target must be [B, P] = [2, 3]");
  expect_error_containing(call(f, w, b, x.to(at::kFloat)), "target must be uint8 or int64");
  expect_error_containing(call(f, w, b, at::full({2, 3}, 4, at::kLong)), "target values must be in [0, 4)");
  expect_error_containing(call(f, w, b, at::full({2, 3}, -1, at::kLong)), "target values must be in [0, 4)");
  // The reference checks the same.
  expect_error_containing([&] { pixel_categorical_log_likelihood_reference(f, w, b, x.to(at::kFloat)); },
                          "target must be uint8 or int64");
}

}  // namespace
}  // namespace mixdist::nn
