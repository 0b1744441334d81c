#pragma once

// torch::autograd::Function wrappers of the sparse maps (internal). Each saves only its output (and alpha):
// the backward needs nothing else.

#include <torch/csrc/autograd/custom_function.h>

#include "simplex/sparse_map_ops.h"

namespace mixdist::detail {

// sparsemax (kSparsemax) and entmax15 (kEntmax15): inputs (x, dim) -> outputs (y, support size).
template <MapKind kKind>
struct FixedMapFunction : torch::autograd::Function<FixedMapFunction<kKind>> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                                                const char* name, int64_t dim) {
    MapResult r = sparse_map_forward(name, x, dim, kKind, at::Tensor(), 0);
    ctx->save_for_backward({r.y});
    ctx->saved_data["dim"] = dim;
    ctx->mark_non_differentiable({r.support});
    return {r.y, r.support};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const at::Tensor y = ctx->get_saved_variables()[0];
    const int64_t dim = ctx->saved_data["dim"].toInt();
    return {sparse_map_backward(y, grads[0], dim, kKind, at::Tensor(), nullptr), at::Tensor(), at::Tensor()};
  }
};

// alpha-entmax: inputs (x, alpha expanded to x's shape with size 1 along dim, dim, n_iter) -> (y, support).
struct EntmaxAlphaFunction : torch::autograd::Function<EntmaxAlphaFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                                                const at::Tensor& alpha, int64_t dim, int64_t n_iter);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads);
};

}  // namespace mixdist::detail
