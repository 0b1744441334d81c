// mixdist::nn::linear: forward and the three gradients of the oneDNN path against the same formulas in double
// precision, with and without the fused ReLU, for batch dimensions, 1-D inputs, non-contiguous arguments,
// missing bias and frozen arguments; the ATen fallback (double), double backward, empty shapes and bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>
#include <vector>

#include "mixdist/nn/linear.h"
#include "test_util.h"

namespace mixdist::nn {
namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::max_abs_diff;

struct Gradients {
  at::Tensor output, input, weight, bias;
};

// Runs y = nn::linear(...), then backward with the upstream gradient `upstream` (so the loss is sum(y *
// upstream)).
Gradients run(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b, Activation act,
              const at::Tensor& upstream) {
  const at::Tensor xi = x.detach().requires_grad_(), wi = w.detach().requires_grad_();
  const at::Tensor bi = b.defined() ? b.detach().requires_grad_() : at::Tensor();
  const at::Tensor y = nn::linear(xi, wi, bi, act);
  y.backward(upstream);
  return {y.detach(), xi.grad(), wi.grad(), bi.defined() ? bi.grad() : at::Tensor()};
}

// The same quantities computed by hand in double: pre = x W^T + b; y = act(pre); the gradients use ReLU's
// mask taken from the float output under test, so that a pre-activation within rounding of 0 cannot flip a
// row.
Gradients reference(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b, Activation act,
                    const at::Tensor& upstream, const at::Tensor& float_output) {
  const int64_t in = w.size(1), out = w.size(0);
  const at::Tensor xd = x.to(at::kDouble).reshape({-1, in}), wd = w.to(at::kDouble);
  at::Tensor pre = xd.mm(wd.t());
  if (b.defined()) pre = pre + b.to(at::kDouble);
  at::Tensor g = upstream.to(at::kDouble).reshape({-1, out});
  if (act == Activation::kRelu) {
    pre = pre.clamp_min(0);
    g = g * float_output.reshape({-1, out}).gt(0).to(at::kDouble);
  }
  std::vector<int64_t> out_sizes = x.sizes().vec();
  out_sizes.back() = out;
  return {pre.reshape(out_sizes), g.mm(wd).reshape(x.sizes()), g.t().mm(xd), g.sum(0)};
}

// Relative to the reference's largest magnitude: float GEMMs with K <= 784 stay far below 1e-5.
void expect_close(const at::Tensor& got, const at::Tensor& want, const char* what) {
  ASSERT_TRUE(got.defined()) << what;
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  const double scale = std::max(1.0, want.abs().max().item<double>());
  EXPECT_LT(max_abs_diff(got.to(at::kDouble), want), 1e-5 * scale) << what;
}

struct Case {
  std::vector<int64_t> input_shape;
  int64_t out;
  bool bias;
  Activation act;
};

class LinearAgainstDouble : public ::testing::TestWithParam<Case> {};

TEST_P(LinearAgainstDouble, ForwardAndGradients) {
  const Case c = GetParam();
  at::manual_seed(3);
  const at::Tensor x = at::randn(c.input_shape);
  const at::Tensor w = at::randn({c.out, c.input_shape.back()}) * 0.1;
  const at::Tensor b = c.bias ? at::randn({c.out}) : at::Tensor();
  std::vector<int64_t> out_shape = c.input_shape;
  out_shape.back() = c.out;
  const at::Tensor upstream = at::randn(out_shape);
  const Gradients got = run(x, w, b, c.act, upstream);
  const Gradients want = reference(x, w, b, c.act, upstream, got.output);
  expect_close(got.output, want.output, "output");
  expect_close(got.input, want.input, "input gradient");
  expect_close(got.weight, want.weight, "weight gradient");
  if (c.bias) expect_close(got.bias, want.bias, "bias gradient");
  if (c.act == Activation::kRelu) {
    EXPECT_GE(got.output.min().item<double>(), 0.0);
    if (got.output.numel() >= 100) {
      EXPECT_GT(got.output.eq(0).sum().item<int64_t>(), 0) << "some units must be cut by the ReLU";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Nn, LinearAgainstDouble,
    ::testing::Values(Case{{100, 784}, 500, true, Activation::kRelu},  // the VAE's first encoder layer
                      Case{{100, 500}, 784, true, Activation::kIdentity},
                      Case{{100, 500}, 20, false, Activation::kIdentity},
                      Case{{4, 25, 10}, 500, true, Activation::kRelu},  // importance samples [S, B, L]
                      Case{{7}, 3, true, Activation::kIdentity},        // a 1-D input
                      Case{{1, 130}, 1, true, Activation::kRelu},
                      Case{{33, 65}, 67, true, Activation::kRelu}));  // not multiples of any block size

TEST(NnLinear, NonContiguousArgumentsGiveTheContiguousResult) {
  at::manual_seed(4);
  const at::Tensor input = at::randn({30, 40}).t();            // [40, 30], transposed strides
  const at::Tensor weight = at::randn({30, 32}).t();           // [32, 30], transposed strides
  const at::Tensor bias = at::randn({64}).slice(0, 0, 64, 2);  // [32], stride 2
  const at::Tensor upstream = at::randn({40, 32});
  const Gradients got = run(input, weight, bias, Activation::kRelu, upstream);
  const Gradients want =
      run(input.contiguous(), weight.contiguous(), bias.contiguous(), Activation::kRelu, upstream);
  EXPECT_TRUE(at::equal(got.output, want.output));
  EXPECT_TRUE(at::equal(got.input, want.input));
  EXPECT_TRUE(at::equal(got.weight, want.weight));
  EXPECT_TRUE(at::equal(got.bias, want.bias));
}

TEST(NnLinear, OnlyTheArgumentsThatRequireGradGetOne) {
  at::manual_seed(5);
  const at::Tensor x = at::randn({8, 6}), w = torch::randn({4, 6}, torch::requires_grad()),
                   b = at::randn({4});
  nn::linear(x, w, b, Activation::kRelu).sum().backward();
  EXPECT_TRUE(w.grad().defined());
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(b.grad().defined());
  const at::Tensor xi = x.clone().requires_grad_();
  nn::linear(xi, w.detach()).sum().backward();
  ASSERT_TRUE(xi.grad().defined());
  // d/dx sum(x W^T) = column sums of W, for every row.
  expect_close(xi.grad(), w.detach().to(at::kDouble).sum(0).expand({8, 6}), "input gradient without bias");
}

TEST(NnLinear, DoubleTensorsTakeTheAtenPathBitForBit) {
  at::manual_seed(6);
  const at::Tensor x = at::randn({9, 5}, at::kDouble), w = at::randn({3, 5}, at::kDouble),
                   b = at::randn({3}, at::kDouble);
  EXPECT_TRUE(at::equal(nn::linear(x, w, b), at::linear(x, w, b)));
  EXPECT_TRUE(at::equal(nn::linear(x, w, b, Activation::kRelu), at::relu(at::linear(x, w, b))));
}

TEST(NnLinear, SecondDerivativesUnderCreateGraph) {
  // L = sum(relu(x W^T + b) * u); the gradient norm G = |dL/dx|^2 depends on W, so dG/dW exists. Compared
  // with the same graph built from at::linear and at::relu.
  at::manual_seed(7);
  const at::Tensor x0 = at::randn({6, 5}), w0 = at::randn({4, 5}), b0 = at::randn({4}), u = at::randn({6, 4});
  auto second = [&](bool ours) {
    const at::Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_();
    const at::Tensor y = ours ? nn::linear(x, w, b0, Activation::kRelu) : at::relu(at::linear(x, w, b0));
    const at::Tensor gx = torch::autograd::grad({(y * u).sum()}, {x}, {}, true, true)[0];
    return torch::autograd::grad({gx.square().sum()}, {w})[0];
  };
  expect_close(second(true), second(false).to(at::kDouble), "d|dL/dx|^2/dW");
}

TEST(NnLinear, EmptyBatchAndEmptyInputFeatures) {
  const at::Tensor w = torch::randn({3, 5}, torch::requires_grad()),
                   b = torch::randn({3}, torch::requires_grad());
  const at::Tensor y = nn::linear(at::zeros({0, 5}), w, b);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{0, 3}));
  y.sum().backward();
  EXPECT_TRUE(at::equal(w.grad(), at::zeros({3, 5})));
  EXPECT_TRUE(at::equal(b.grad(), at::zeros({3})));
  // in = 0: the output is the bias alone (ReLU'd).
  const at::Tensor bias = at::tensor({-1.0f, 2.0f});
  EXPECT_TRUE(at::equal(nn::linear(at::zeros({4, 0}), at::zeros({2, 0}), bias, Activation::kRelu),
                        at::tensor({0.0f, 2.0f}).expand({4, 2})));
}

TEST(NnLinear, NaNPropagatesThroughTheReluAsInAtenRelu) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const at::Tensor x = at::tensor({1.0f, nan}).reshape({2, 1});
  const at::Tensor y = nn::linear(x, at::ones({1, 1}), at::zeros({1}), Activation::kRelu);
  EXPECT_EQ(y[0][0].item<float>(), 1.0f);
  EXPECT_TRUE(std::isnan(y[1][0].item<float>()));
}

TEST(NnLinear, BadShapesAreNamedErrors) {
  expect_error_containing(
      [] {
        nn::linear(at::randn({2, 4}), at::randn({3, 5}));
      },
      "linear: input's last dimension must equal weight's in-features 5");
  expect_error_containing(
      [] {
        nn::linear(at::randn({2, 5}), at::randn({3, 5}), at::randn({4}));
      },
      "linear: bias must have shape [3]");
  expect_error_containing(
      [] {
        nn::linear(at::randn({2, 5}), at::randn({15}));
      },
      "linear: weight must be a [out, in]");
}

TEST(NnLinear, BackendDescriptionNamesOneDnn) {
  EXPECT_NE(linear_backend_description().find("oneDNN"), std::string::npos) << linear_backend_description();
}

}  // namespace
}  // namespace mixdist::nn
