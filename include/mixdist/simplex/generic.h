#pragma once

// Device-generic sparse maps built only from ATen ops (sort, cumsum, gather, bisection), in the way the
// Python entmax package computes them. They run on any device LibTorch supports and are differentiable by
// plain autograd. mixdist::sparsemax & co. use them for non-CPU tensors; on CPU the fused kernels are 10-100x
// faster, and these serve as the independent reference in tests and the "naive port" baseline in benchmarks.

#include <ATen/ATen.h>

namespace mixdist::generic {

// Sort + prefix sums (Held et al. 1974; Martins & Astudillo 2016, Alg. 1).
at::Tensor sparsemax(const at::Tensor& x, int64_t dim = -1);

// Sort + prefix sums of z and z^2 (Peters et al. 2019, Alg. 2).
at::Tensor entmax15(const at::Tensor& x, int64_t dim = -1);

// Bisection on the threshold for n_iter steps, then renormalisation (Blondel et al. 2020). alpha is
// broadcastable to x with size 1 along dim; rows with alpha within 1e-6 of 1 are computed as softmax.
at::Tensor entmax_bisect(const at::Tensor& x, const at::Tensor& alpha, int64_t dim = -1, int64_t n_iter = 50);

}  // namespace mixdist::generic
