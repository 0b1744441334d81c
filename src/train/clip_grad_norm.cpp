#include "mixdist/train/clip_grad_norm.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <functional>

#include "cpu_dispatch.h"

namespace mixdist::train {
namespace {

// Eight independent accumulators: a single running sum is bound by the add latency, and floating-point
// reassociation is not allowed to the compiler.
template <typename T>
MIXDIST_CPU_CLONES double sum_of_squares(const T* __restrict__ x, int64_t begin, int64_t end) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = begin;
  for (; i + 8 <= end; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += static_cast<double>(x[i + j]) * static_cast<double>(x[i + j]);
  for (; i < end; ++i) acc[0] += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

double sum_of_squares(const at::Tensor& g) {
  const bool direct = g.is_cpu() && g.layout() == at::kStrided && g.is_contiguous() &&
                      (g.scalar_type() == at::kFloat || g.scalar_type() == at::kDouble);
  if (!direct) return g.to(at::kDouble).square().sum().item<double>();
  double total = 0;
  AT_DISPATCH_FLOATING_TYPES(g.scalar_type(), "clip_grad_norm", [&] {
    const scalar_t* x = g.data_ptr<scalar_t>();
    total = at::parallel_reduce(
        0, g.numel(), 32768, 0.0,
        [&](int64_t begin, int64_t end, double partial) { return partial + sum_of_squares(x, begin, end); },
        std::plus<double>());
  });
  return total;
}

}  // namespace

double clip_grad_norm(const std::vector<at::Tensor>& parameters, double max_norm) {
  TORCH_CHECK(std::isfinite(max_norm) && max_norm > 0,
              "clip_grad_norm: max_norm must be positive and finite, got ", max_norm);
  double squares = 0;
  for (const auto& p : parameters)
    if (p.grad().defined()) squares += sum_of_squares(p.grad());
  const double norm = std::sqrt(squares);
  const double coef = max_norm / (norm + 1e-6);
  if (coef < 1) {
    at::NoGradGuard no_grad;
    for (const auto& p : parameters)
      if (p.grad().defined()) p.grad().mul_(coef);
  }
  return norm;
}

}  // namespace mixdist::train
