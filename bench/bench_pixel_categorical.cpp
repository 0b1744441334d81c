// mixdist::nn::pixel_categorical_log_likelihood (the fused kernel) against its ATen reference (log_softmax of
// the materialised [N, P, 256] logits), on 2 threads like the VAE benchmarks, for the bit-vector VAE's
// decoder on Fashion-MNIST (P = 784 pixels, R = 5 features, C = 256 grey levels):
//   nn/pixel_categorical/train/fused:0|1  [64, 784, 5], forward + backward of features, weight and bias
//   nn/pixel_categorical/eval/fused:0|1   [16, 64, 784, 5] (importance samples x images), forward under
//                                         NoGradGuard; rows/s counts (sample, image) pairs
// Filter with --benchmark_filter=pixel_categorical.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>
#include <torch/csrc/autograd/autograd.h>

#include "mixdist/nn/pixel_categorical.h"
#include "scoped_threads.h"

namespace {

constexpr int64_t kImages = 64, kPixels = 784, kFeatures = 5, kClasses = 256, kSamples = 16;

at::Tensor call(bool fused, const at::Tensor& f, const at::Tensor& w, const at::Tensor& b,
                const at::Tensor& x) {
  return fused ? mixdist::nn::pixel_categorical_log_likelihood(f, w, b, x)
               : mixdist::nn::pixel_categorical_log_likelihood_reference(f, w, b, x);
}

void BM_Train(benchmark::State& state) {
  const bool fused = state.range(0) != 0;
  const mixdist::bench::ScopedThreads threads(2);
  at::manual_seed(0);
  const at::Tensor features = at::randn({kImages, kPixels, kFeatures}).requires_grad_();
  const at::Tensor weight = at::randn({kClasses, kFeatures}).requires_grad_();
  const at::Tensor bias = at::randn({kClasses}).requires_grad_();
  const at::Tensor target = at::randint(0, kClasses, {kImages, kPixels}, at::kByte);
  const at::Tensor upstream = at::randn({kImages});
  for (auto _ : state) {
    const at::Tensor y = call(fused, features, weight, bias, target);
    benchmark::DoNotOptimize(torch::autograd::grad({y}, {features, weight, bias}, {upstream}));
  }
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(kImages), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Train)
    ->Name("nn/pixel_categorical/train")
    ->Arg(0)
    ->Arg(1)
    ->ArgName("fused")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Eval(benchmark::State& state) {
  const bool fused = state.range(0) != 0;
  const mixdist::bench::ScopedThreads threads(2);
  at::manual_seed(0);
  const at::Tensor features = at::randn({kSamples, kImages, kPixels, kFeatures});
  const at::Tensor weight = at::randn({kClasses, kFeatures});
  const at::Tensor bias = at::randn({kClasses});
  const at::Tensor target = at::randint(0, kClasses, {kImages, kPixels}, at::kByte);
  const at::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(call(fused, features, weight, bias, target));
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kSamples * kImages),
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Eval)
    ->Name("nn/pixel_categorical/eval")
    ->Arg(0)
    ->Arg(1)
    ->ArgName("fused")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
