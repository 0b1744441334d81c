#include "mixdist/special/log_ndtr.h"

#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

namespace mixdist::special {
namespace {

// What LibTorch 1.13's at::special_log_ndtr does (measured against a long double erfc / continued-fraction
// reference over x in [-2000, 40]):
//  * the value is good: it uses log(erfcx(-x/sqrt2)/2) - x^2/2 for x < -1 and log1p(-erfc(x/sqrt2)/2)
//    otherwise, so there is no underflow for large negative x; worst relative error 2e-13 in double and 8e-6
//    in float (the float error is the rounding of x/sqrt2 amplified by the condition number ~x^2 near
//    x = 12.5), hence we evaluate it in double for every dtype.
//  * its gradient is not: autograd's formula exp(-(log Phi(x) + x^2/2)) / sqrt(2 pi) cancels two numbers of
//    size x^2/2. In float the gradient at x = -100 is 100.0305 (exact 100.00999800) and at x = -1000 it is
//    1017.2 (exact 1000.0010); in double the relative error grows like 1e-16 x^2 (8e-10 at x = -2000). At
//    x = -inf it is NaN.
// So the value comes from at::special_log_ndtr and the gradient from the inverse Mills ratio below.

// phi(x) / Phi(x) in double, from two branches that are each finite on their own half-line (their inputs are
// clamped to it, so the branch that where() discards produces no NaN, not even in a second derivative):
//  * x <= 0: phi(x)/Phi(x) = 1 / (sqrt(pi/2) erfcx(-x/sqrt2)); erfcx is O(1/t) for large t, no cancellation;
//  * x >= 0: Phi(x) is in [1/2, 1], so phi(x)/Phi(x) is safe as it stands and underflows gracefully to 0.
at::Tensor inverse_mills_ratio(const at::Tensor& x_double) {
  const double sqrt_half_pi = std::sqrt(M_PI / 2.0);
  const double inv_sqrt_two_pi = 1.0 / std::sqrt(2.0 * M_PI);
  const at::Tensor xn = x_double.clamp_max(0.0);
  const at::Tensor xp = x_double.clamp_min(0.0);
  const at::Tensor neg = at::reciprocal(at::special_erfcx(xn * (-M_SQRT1_2)) * sqrt_half_pi);
  const at::Tensor pos = at::exp(xp * xp * -0.5) * inv_sqrt_two_pi / at::special_ndtr(xp);
  return at::where(x_double < 0, neg, pos);
}

struct LogNdtrFunction : torch::autograd::Function<LogNdtrFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x) {
    ctx->save_for_backward({x});
    return at::special_log_ndtr(x.to(at::kDouble)).to(x.scalar_type());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const at::Tensor x = ctx->get_saved_variables()[0];
    const at::Tensor d = inverse_mills_ratio(x.to(at::kDouble)).to(x.scalar_type());
    return {grads[0] * d};
  }
};

}  // namespace

at::Tensor log_ndtr(const at::Tensor& x) {
  TORCH_CHECK(x.defined(), "mixdist::special::log_ndtr: argument x is an undefined tensor");
  TORCH_CHECK(at::isFloatingType(x.scalar_type()),
              "mixdist::special::log_ndtr: argument x must be a floating tensor, got dtype ",
              x.scalar_type());
  return LogNdtrFunction::apply(x);
}

}  // namespace mixdist::special
