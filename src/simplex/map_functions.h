#pragma once

// torch::autograd::Function wrappers of the sparse maps (internal). The first-order backward needs only the
// output (and alpha); the input is kept for a backward that must itself be differentiable (create_graph).

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <string>

#include "simplex/sparse_map_ops.h"

namespace mixdist::detail {

// sparsemax (kSparsemax) and entmax15 (kEntmax15): inputs (x, dim) -> outputs (y, support size).
template <MapKind kKind>
struct FixedMapFunction : torch::autograd::Function<FixedMapFunction<kKind>> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                                                const char* name, int64_t dim) {
    MapResult r = sparse_map_forward(name, x, dim, kKind, at::Tensor(), 0);
    ctx->save_for_backward({r.y, x});
    ctx->saved_data["dim"] = dim;
    ctx->saved_data["name"] = std::string(name);
    ctx->mark_non_differentiable({r.support});
    return {r.y, r.support};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const int64_t dim = ctx->saved_data["dim"].toInt();
    if (!at::GradMode::is_enabled())
      return {sparse_map_backward(saved[0], grads[0], dim, kKind, at::Tensor(), nullptr), at::Tensor(),
              at::Tensor()};
    // A backward that is itself differentiated (create_graph): recompute y through this Function, so that its
    // dependence on x is tracked, and apply the Jacobian J = diag(s) - s s^T / sum(s) with ATen ops
    // (s = 1 on the support for sparsemax, s = sqrt(y) for 1.5-entmax; docs/math.md#sparse-maps). The
    // fused kernel's result would silently lack every second-order term.
    const std::string name = ctx->saved_data["name"].toStringRef();
    const at::Tensor y = FixedMapFunction<kKind>::apply(saved[1], name.c_str(), dim)[0];
    const at::Tensor on = y > 0;
    const at::Tensor s = kKind == MapKind::kSparsemax
                             ? on.to(y.scalar_type())
                             : at::where(on, at::where(on, y, at::ones_like(y)).sqrt(), at::zeros_like(y));
    const at::Tensor g = grads[0];
    const at::Tensor dx = s * g - s * ((s * g).sum(dim, /*keepdim=*/true) / s.sum(dim, /*keepdim=*/true));
    return {dx, at::Tensor(), at::Tensor()};
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
