#include "mixdist/simplex/normmax.h"

#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>
#include <c10/util/Optional.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>

#include "mixdist/simplex/entmax_bisect.h"
#include "simplex/row_layout.h"
#include "simplex/row_parameter.h"

namespace mixdist {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// One alpha for every row (a 0-dimensional alpha expanded): its value, so that the pows take a scalar
// exponent (alpha = 2: sqrt) instead of a broadcast tensor one.
c10::optional<double> single_alpha(const at::Tensor& alpha) {
  const auto strides = alpha.strides();
  if (alpha.numel() != 1 && !std::all_of(strides.begin(), strides.end(), [](int64_t s) { return s == 0; }))
    return c10::nullopt;
  return alpha.reshape({-1})[0].item<double>();
}

// Inputs: x, alpha (x's shape with size 1 along dim), dim (non-negative), n_iter.
struct NormmaxFunction : torch::autograd::Function<NormmaxFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& alpha,
                               int64_t dim, int64_t n_iter) {
    const at::ScalarType ct = detail::compute_type(x.scalar_type());
    const c10::optional<double> single = single_alpha(alpha);
    // sum [x - tau]_+^(alpha/(alpha-1)) == 1 is alpha'-entmax's equation at x alpha/(alpha-1), alpha' = 2 -
    // 1/alpha; p = e^(1/alpha) normalised.
    at::Tensor q;
    try {
      if (single) {
        const double a = *single;
        const at::Tensor e = entmax_bisect(x.to(ct) * (a / (a - 1.0)), 2.0 - 1.0 / a, dim, n_iter);
        q = a == 2.0 ? e.sqrt() : e.pow(1.0 / a);
      } else {
        const at::Tensor a = alpha.to(at::kDouble);
        const at::Tensor e = entmax_bisect(x.to(ct) * (a / (a - 1.0)).to(ct), 2.0 - 1.0 / a, dim, n_iter);
        q = e.pow((1.0 / a).to(ct));
      }
    } catch (const c10::Error& error) {  // a row entirely -inf: say which function the caller called
      TORCH_CHECK(false, "normmax_bisect (solved as alpha'-entmax): ", error.what_without_backtrace());
    }
    const at::Tensor p = q / q.sum(dim, /*keepdim=*/true);
    ctx->save_for_backward({p, single ? at::Tensor() : alpha.to(ct)});
    ctx->saved_data["dim"] = dim;
    ctx->saved_data["alpha"] = single ? *single : 0.0;  // 0: per-row alphas, saved as a tensor
    return {p.to(x.scalar_type())};
  }

  // VJP: with s_i = p_i^(2 - alpha) on the support (1 there for alpha = 2),
  //   dx = h - sum(h) p,   h = ||p||_alpha^(alpha - 1) / (alpha - 1) * s * (g - <g, p>).
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "normmax_bisect: second derivatives (a backward with create_graph) are not implemented");
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& p = saved[0];
    const int64_t dim = ctx->saved_data["dim"].toInt();
    const double single = ctx->saved_data["alpha"].toDouble();
    const at::Tensor g = grads[0].to(p.scalar_type());
    const at::Tensor on = p > 0;
    const at::Tensor safe_p = at::where(on, p, at::ones_like(p));
    at::Tensor s, scale;
    if (single == 2.0) {
      s = on.to(p.scalar_type());
      scale = p.square().sum(dim, true).sqrt();
    } else if (single > 0.0) {
      s = at::where(on, safe_p.pow(2.0 - single), at::zeros_like(p));
      scale = p.pow(single).sum(dim, true).pow((single - 1.0) / single) / (single - 1.0);
    } else {
      const at::Tensor& a = saved[1];
      s = at::where(on, safe_p.pow(2.0 - a), at::zeros_like(p));
      scale = p.pow(a).sum(dim, true).pow((a - 1.0) / a) / (a - 1.0);
    }
    const at::Tensor h = scale * s * (g - (g * p).sum(dim, true));
    const at::Tensor dx = h - h.sum(dim, true) * p;
    return {dx.to(grads[0].scalar_type()), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

inline namespace simplex {

at::Tensor normmax_bisect(const at::Tensor& x, const at::Tensor& alpha, int64_t dim, int64_t n_iter) {
  const detail::RowLayout layout("normmax_bisect", x, dim);
  detail::check_row_parameter("normmax_bisect", "alpha", alpha, x, layout, dim);
  TORCH_CHECK(n_iter >= 1, "normmax_bisect: n_iter must be >= 1, got ", n_iter);
  TORCH_CHECK(!(alpha.requires_grad() && at::GradMode::is_enabled()),
              "normmax_bisect: alpha requires a gradient, but normmax is differentiable in x only (as the "
              "entmax package's); pass alpha.detach()");
  const auto keepdim = layout.keepdim_sizes();
  if (alpha.numel() > 0) {
    const double amin = alpha.min().item<double>();
    TORCH_CHECK(amin > 1.0 && alpha.isfinite().all().item<bool>(),
                "normmax_bisect: alpha must be finite and > 1, got min alpha = ", amin);
  }
  return NormmaxFunction::apply(x, alpha.expand(keepdim), layout.dim(), n_iter)[0];
}

at::Tensor normmax_bisect(const at::Tensor& x, double alpha, int64_t dim, int64_t n_iter) {
  TORCH_CHECK(std::isfinite(alpha) && alpha > 1.0, "normmax_bisect: alpha must be finite and > 1, got ",
              alpha);
  return normmax_bisect(
      x, at::full({}, alpha, x.defined() ? x.options().dtype(at::kDouble) : at::TensorOptions()), dim,
      n_iter);
}

}  // namespace simplex
}  // namespace mixdist
