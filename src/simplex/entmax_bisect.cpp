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
  auto out = detail::EntmaxAlphaFunction::apply(x, alpha.expand(keepdim), layout.dim(), n_iter);
  return {out[0], out[1]};
}

at::Tensor entmax_bisect(const at::Tensor& x, const at::Tensor& alpha, int64_t dim, int64_t n_iter) {
  return std::get<0>(entmax_bisect_with_support(x, alpha, dim, n_iter));
}

at::Tensor entmax_bisect(const at::Tensor& x, double alpha, int64_t dim, int64_t n_iter) {
  TORCH_CHECK(std::isfinite(alpha) && alpha >= 1.0,
              "entmax_bisect: alpha must be finite and >= 1 (alpha = 1 is softmax, 2 is sparsemax), got ",
              alpha);
  const at::Tensor a =
      at::full({}, alpha, x.defined() ? x.options().dtype(at::kDouble) : at::TensorOptions());
  return std::get<0>(entmax_bisect_with_support(x, a, dim, n_iter));
}

}  // namespace simplex
}  // namespace mixdist
