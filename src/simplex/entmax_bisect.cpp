#include "mixdist/simplex/entmax_bisect.h"

#include <c10/util/Exception.h>

#include "simplex/map_functions.h"
#include "simplex/row_layout.h"

namespace mixdist {
namespace detail {

torch::autograd::variable_list EntmaxAlphaFunction::forward(torch::autograd::AutogradContext* ctx,
                                                            const at::Tensor& x, const at::Tensor& alpha,
                                                            int64_t dim, int64_t n_iter) {
  MapResult r = sparse_map_forward("entmax_bisect", x, dim, MapKind::kEntmaxAlpha, alpha, n_iter);
  ctx->save_for_backward({r.y, alpha});
  ctx->saved_data["dim"] = dim;
  ctx->mark_non_differentiable({r.support});
  return {r.y, r.support};
}

torch::autograd::variable_list EntmaxAlphaFunction::backward(torch::autograd::AutogradContext* ctx,
                                                             torch::autograd::variable_list grads) {
  TORCH_CHECK(!at::GradMode::is_enabled(),
              "entmax_bisect: second derivatives (a backward with create_graph) are not implemented; "
              "mixdist::generic::entmax_bisect is differentiable to any order");
  const auto saved = ctx->get_saved_variables();
  const at::Tensor& y = saved[0];
  const at::Tensor& alpha = saved[1];
  const int64_t dim = ctx->saved_data["dim"].toInt();
  at::Tensor dalpha;
  const bool want_dalpha = ctx->needs_input_grad(1);
  at::Tensor dx =
      sparse_map_backward(y, grads[0], dim, MapKind::kEntmaxAlpha, alpha, want_dalpha ? &dalpha : nullptr);
  if (want_dalpha) dalpha = dalpha.to(alpha.scalar_type());
  return {dx, dalpha, at::Tensor(), at::Tensor()};
}

}  // namespace detail
namespace {

// The tensor-alpha entry without the checks of alpha's values, for callers that have made them.
std::tuple<at::Tensor, at::Tensor> entmax_alpha(const detail::RowLayout& layout, const at::Tensor& x,
                                                const at::Tensor& alpha, int64_t n_iter) {
  auto out =
      detail::EntmaxAlphaFunction::apply(x, alpha.expand(layout.keepdim_sizes()), layout.dim(), n_iter);
  return {out[0], out[1]};
}

}  // namespace

inline namespace simplex {

std::tuple<at::Tensor, at::Tensor> entmax_bisect_with_support(const at::Tensor& x, const at::Tensor& alpha,
                                                              int64_t dim, int64_t n_iter) {
  const detail::RowLayout layout("entmax_bisect", x, dim);
  TORCH_CHECK(alpha.defined(), "entmax_bisect: alpha is undefined");
  TORCH_CHECK(at::isFloatingType(alpha.scalar_type()),
              "entmax_bisect: alpha must be a floating-point tensor, got ", alpha.scalar_type());
  TORCH_CHECK(n_iter >= 1, "entmax_bisect: n_iter must be >= 1, got ", n_iter);
  const auto keepdim = layout.keepdim_sizes();
  TORCH_CHECK(alpha.dim() <= x.dim() && at::infer_size(alpha.sizes(), keepdim) == at::IntArrayRef(keepdim),
              "entmax_bisect: alpha of shape ", alpha.sizes(), " must broadcast to the input's shape ",
              x.sizes(), " with size 1 along dim ", dim, ", i.e. to ", at::IntArrayRef(keepdim));
  if (alpha.numel() > 0) {
    const double amin = alpha.min().item<double>();
    TORCH_CHECK(
        amin >= 1.0 && alpha.isfinite().all().item<bool>(),
        "entmax_bisect: alpha must be finite and >= 1 (alpha = 1 is softmax, 2 is sparsemax), got min "
        "alpha = ",
        amin);
  }
  return entmax_alpha(layout, x, alpha, n_iter);
}

at::Tensor entmax_bisect(const at::Tensor& x, const at::Tensor& alpha, int64_t dim, int64_t n_iter) {
  return std::get<0>(entmax_bisect_with_support(x, alpha, dim, n_iter));
}

at::Tensor entmax_bisect(const at::Tensor& x, double alpha, int64_t dim, int64_t n_iter) {
  TORCH_CHECK(std::isfinite(alpha) && alpha >= 1.0,
              "entmax_bisect: alpha must be finite and >= 1 (alpha = 1 is softmax, 2 is sparsemax), got ",
              alpha);
  TORCH_CHECK(n_iter >= 1, "entmax_bisect: n_iter must be >= 1, got ", n_iter);
  const detail::RowLayout layout("entmax_bisect", x, dim);
  // alpha is checked above: no reductions and host syncs over a one-element tensor (per-call overhead that
  // showed at 1024 x 10).
  return std::get<0>(
      entmax_alpha(layout, x, at::scalar_tensor(alpha, x.options().dtype(at::kDouble)), n_iter));
}

}  // namespace simplex
}  // namespace mixdist
