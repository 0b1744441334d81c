#include "mixdist/special/lgamma_digamma.h"

#include <ATen/Parallel.h>
#include <ATen/native/Math.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <limits>

namespace mixdist::special {
namespace {

constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(2 pi) / 2

// x > 0 and finite. Below 10, shifts x by 10 to y = x + 10 with P = x (x+1) ... (x+9) and D = dP/dx, so
// that lgamma(x) = lgamma(y) - log P and digamma(x) = digamma(y) - D / P (= - sum 1/(x+i)); a fixed shift
// measured faster than stopping at 10 (no data-dependent branch). Then Stirling at y >= 10, truncated after
// the y^-13 (lgamma) and y^-14 (digamma) terms, whose successors are below 5e-17 there.
inline void lgamma_digamma_positive(double x, double* lg, double* dg) {
  double p = 1.0, d = 0.0, y = x;
  if (x < 10.0) {
    for (int i = 0; i < 10; ++i) {
      d = d * y + p;
      p *= y;
      y += 1.0;
    }
  }
  const double r = 1.0 / y, r2 = r * r, log_y = std::log(y);
  // sum_k B_2k / (2k (2k-1) y^(2k-1)) and sum_k B_2k / (2k y^2k), k = 1..7.
  const double s_lg =
      r * (1.0 / 12 +
           r2 * (-1.0 / 360 +
                 r2 * (1.0 / 1260 +
                       r2 * (-1.0 / 1680 + r2 * (1.0 / 1188 + r2 * (-691.0 / 360360 + r2 * (1.0 / 156)))))));
  const double s_dg =
      r2 * (1.0 / 12 +
            r2 * (-1.0 / 120 +
                  r2 * (1.0 / 252 +
                        r2 * (-1.0 / 240 + r2 * (1.0 / 132 + r2 * (-691.0 / 32760 + r2 * (1.0 / 12)))))));
  *lg = (y - 0.5) * log_y - y + kHalfLog2Pi + s_lg - (x < 10.0 ? std::log(p) : 0.0);
  *dg = log_y - 0.5 * r - s_dg - (x < 10.0 ? d / p : 0.0);
}

void lgamma_digamma_kernel(const double* x, double* lg, double* dg, int64_t n) {
  at::parallel_for(0, n, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const double v = x[i];
      if (v > 0 && v < std::numeric_limits<double>::infinity()) {
        lgamma_digamma_positive(v, lg + i, dg + i);
      } else {
        lg[i] = std::lgamma(v);
        dg[i] = v == std::numeric_limits<double>::infinity() ? v : calc_digamma(v);
      }
    }
  });
}

struct LgammaDigammaFunction : torch::autograd::Function<LgammaDigammaFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x) {
    const at::Tensor xd = x.to(at::kDouble).contiguous();
    at::Tensor lg = at::empty_like(xd), dg = at::empty_like(xd);
    lgamma_digamma_kernel(xd.data_ptr<double>(), lg.data_ptr<double>(), dg.data_ptr<double>(), xd.numel());
    lg = lg.to(x.scalar_type());
    dg = dg.to(x.scalar_type());
    ctx->save_for_backward({x, dg});
    return {lg, dg};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &digamma = saved[1];
    at::Tensor grad;
    // The saved digamma is a constant; a differentiated backward (create_graph) recomputes it with ATen so
    // that d digamma / dx = trigamma is tracked.
    if (grads[0].defined()) grad = grads[0] * (at::GradMode::is_enabled() ? at::digamma(x) : digamma);
    if (grads[1].defined()) {
      const at::Tensor part = grads[1] * at::polygamma(1, x);
      grad = grad.defined() ? grad + part : part;
    }
    return {grad};
  }
};

}  // namespace

std::pair<at::Tensor, at::Tensor> lgamma_digamma(const at::Tensor& x) {
  TORCH_CHECK(x.defined(), "mixdist::special::lgamma_digamma: argument x is an undefined tensor");
  TORCH_CHECK(at::isFloatingType(x.scalar_type()),
              "mixdist::special::lgamma_digamma: argument x must be a floating tensor, got dtype ",
              x.scalar_type());
  // The fused kernel is CPU code; elsewhere ATen's two passes give the same values.
  if (!x.device().is_cpu()) return {at::lgamma(x), at::digamma(x)};
  auto out = LgammaDigammaFunction::apply(x);
  return {out[0], out[1]};
}

}  // namespace mixdist::special
