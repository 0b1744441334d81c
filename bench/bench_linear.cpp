// mixdist::nn::linear (oneDNN sgemm, fused ReLU) against LibTorch's at::linear + at::relu (OpenBLAS through
// at::addmm / at::mm), on the MNIST VAE's six layers at batch 100 (docs/experiments.md#mnist-vae-networks),
// forward and backward through autograd, on 2 threads like the VAE benchmarks:
//   nn/linear/vae_layers/ours:0  LibTorch's layers (the baseline of the same run)
//   nn/linear/vae_layers/ours:1  mixdist::nn::linear
// Filter with --benchmark_filter=nn/linear.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>
#include <torch/csrc/autograd/autograd.h>

#include <vector>

#include "mixdist/nn/linear.h"
#include "scoped_threads.h"

namespace {

struct Layer {
  int64_t in, out;
  bool relu, input_needs_grad;
};

// Encoder 784-500-500 -> Gaussian head (20), decoder 10-500-500-784.
const std::vector<Layer> kVaeLayers = {{784, 500, true, false}, {500, 500, true, true},
                                       {500, 20, false, true},  {10, 500, true, true},
                                       {500, 500, true, true},  {500, 784, false, true}};

void BM_VaeLayers(benchmark::State& state) {
  const bool ours = state.range(0) != 0;
  const mixdist::bench::ScopedThreads threads(2);
  at::manual_seed(0);
  constexpr int64_t kBatch = 100;
  std::vector<at::Tensor> inputs, weights, biases, upstream;
  for (const Layer& l : kVaeLayers) {
    inputs.push_back(at::randn({kBatch, l.in}).requires_grad_(l.input_needs_grad));
    weights.push_back((at::randn({l.out, l.in}) * 0.05).requires_grad_());
    biases.push_back(at::randn({l.out}).requires_grad_());
    upstream.push_back(at::randn({kBatch, l.out}));
  }
  for (auto _ : state) {
    for (size_t i = 0; i < kVaeLayers.size(); ++i) {
      const auto act =
          kVaeLayers[i].relu ? mixdist::nn::Activation::kRelu : mixdist::nn::Activation::kIdentity;
      at::Tensor y;
      if (ours) {
        y = mixdist::nn::linear(inputs[i], weights[i], biases[i], act);
      } else {
        y = at::linear(inputs[i], weights[i], biases[i]);
        if (kVaeLayers[i].relu) y = at::relu(y);
      }
      std::vector<at::Tensor> wrt = {weights[i], biases[i]};
      if (kVaeLayers[i].input_needs_grad) wrt.push_back(inputs[i]);
      benchmark::DoNotOptimize(torch::autograd::grad({y}, wrt, {upstream[i]}));
    }
  }
  state.SetLabel(mixdist::nn::linear_backend_description());
}
BENCHMARK(BM_VaeLayers)
    ->Name("nn/linear/vae_layers")
    ->Arg(0)
    ->Arg(1)
    ->ArgName("ours")
    ->Unit(benchmark::kMillisecond);

}  // namespace
