#pragma once

// Fused CPU kernels for the sparse maps (internal). Inputs are row-major [rows, K] contiguous CPU tensors of
// float or double; rows are processed in parallel with at::parallel_for.

#include <ATen/ATen.h>

#include <string>
#include <tuple>

namespace mixdist::detail {

// Below this distance from 1, alpha-entmax is evaluated as softmax (its alpha -> 1 limit). Closer than this
// the threshold equation becomes needlessly ill-conditioned, and the difference to softmax is O(alpha - 1).
constexpr double kSoftmaxAlphaCutoff = 1e-6;

enum class MapKind { kSparsemax, kEntmax15, kEntmaxAlpha };

struct ForwardArgs {
  MapKind kind = MapKind::kSparsemax;
  at::Tensor alpha_rows;        // double [rows], only for kEntmaxAlpha
  int64_t n_iter = 50;          // root-finder cap, only for kEntmaxAlpha
  const char* name = "";        // public function name, for error messages
  at::IntArrayRef batch_sizes;  // sizes of the batch dims (all but the map dim), to name a bad row
};

// Returns (y [rows, K], support size int64 [rows]).
std::tuple<at::Tensor, at::Tensor> sparse_map_forward_cpu(const at::Tensor& x, const ForwardArgs& args);

// Returns dx [rows, K]; when dalpha_rows is non-null and kind is kEntmaxAlpha, fills it (double [rows]) with
// d loss / d alpha per row.
at::Tensor sparse_map_backward_cpu(const at::Tensor& y, const at::Tensor& grad, MapKind kind,
                                   const at::Tensor& alpha_rows, at::Tensor* dalpha_rows);

// "row 3 (batch index [1, 0])": names a row of the flattened [rows, K] view in terms of the caller's shape.
std::string describe_row(int64_t row, at::IntArrayRef batch_sizes);

}  // namespace mixdist::detail
