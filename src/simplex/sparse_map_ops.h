#pragma once

// Forward and backward of the sparse maps on any layout, device and floating dtype (internal). Picks the
// fused CPU kernels or the ATen-generic path (see mixdist/simplex/backend.h); the autograd Functions of
// sparsemax, entmax15 and entmax_bisect are thin wrappers around these two calls.

#include <ATen/ATen.h>

#include "simplex/cpu_kernels.h"

namespace mixdist::detail {

struct MapResult {
  at::Tensor y;        // x's shape and dtype
  at::Tensor support;  // int64, x's shape with size 1 along dim
};

// alpha: only for kEntmaxAlpha; a tensor of x's shape with size 1 along dim (already expanded), any float
// dtype.
MapResult sparse_map_forward(const char* name, const at::Tensor& x, int64_t dim, MapKind kind,
                             const at::Tensor& alpha, int64_t n_iter);

// Vector-Jacobian product of the map at output y. When dalpha is non-null (kEntmaxAlpha), it receives the
// alpha gradient with x's shape and size 1 along dim, in double.
at::Tensor sparse_map_backward(const at::Tensor& y, const at::Tensor& grad, int64_t dim, MapKind kind,
                               const at::Tensor& alpha, at::Tensor* dalpha);

}  // namespace mixdist::detail
