#include "mixdist/simplex/generic.h"

#include "simplex/cpu_kernels.h"

namespace mixdist {
inline namespace simplex {
namespace generic {
namespace {

// Position 1..K along dim, shaped to broadcast against a tensor with K entries along dim.
at::Tensor ranks_along(const at::Tensor& like, int64_t dim) {
  const int64_t d = dim < 0 ? dim + like.dim() : dim;
  std::vector<int64_t> shape(like.dim(), 1);
  shape[d] = like.size(d);
  return at::arange(1, like.size(d) + 1, like.options()).view(shape);
}

// x - max(x) with everything far below the possible support clamped to -bound: keeps -inf (masks) out of the
// prefix sums without changing the result, since such entries are 0 in the output anyway.
at::Tensor shifted(const at::Tensor& x, int64_t dim, double bound) {
  return (x - std::get<0>(x.max(dim, /*keepdim=*/true))).clamp_min(-bound);
}

}  // namespace

at::Tensor sparsemax(const at::Tensor& x, int64_t dim) {
  const at::Tensor z = shifted(x, dim, 2.0);
  const at::Tensor sorted = std::get<0>(z.sort(dim, /*descending=*/true));
  const at::Tensor cumsum = sorted.cumsum(dim) - 1.0;
  const at::Tensor rho = ranks_along(z, dim);
  const at::Tensor support = (rho * sorted > cumsum).sum(dim, /*keepdim=*/true);
  const at::Tensor tau = cumsum.gather(dim, support - 1) / support.to(x.scalar_type());
  return (z - tau).clamp_min(0.0);
}

at::Tensor entmax15(const at::Tensor& x, int64_t dim) {
  const at::Tensor z = shifted(x, dim, 3.0) / 2.0;
  const at::Tensor sorted = std::get<0>(z.sort(dim, /*descending=*/true));
  const at::Tensor rho = ranks_along(z, dim);
  const at::Tensor mean = sorted.cumsum(dim) / rho;
  const at::Tensor mean_sq = (sorted * sorted).cumsum(dim) / rho;
  const at::Tensor ss = rho * (mean_sq - mean * mean);
  const at::Tensor delta = ((1.0 - ss) / rho).clamp_min(0.0);
  const at::Tensor tau = mean - delta.sqrt();
  const at::Tensor support = (tau <= sorted).sum(dim, /*keepdim=*/true);
  const at::Tensor tau_star = tau.gather(dim, support - 1);
  const at::Tensor out = (z - tau_star).clamp_min(0.0);
  return out * out;
}

at::Tensor entmax_bisect(const at::Tensor& x, const at::Tensor& alpha_in, int64_t dim, int64_t n_iter) {
  const int64_t K = x.size(dim);
  const at::Tensor alpha = alpha_in.to(x.options());
  const at::Tensor is_softmax = (alpha - 1.0) < detail::kSoftmaxAlphaCutoff;
  // Softmax rows take alpha = 2 in the bisection (any valid value) and are replaced at the end.
  const at::Tensor a = at::where(is_softmax, at::full_like(alpha, 2.0), alpha);
  const at::Tensor am1 = a - 1.0;
  const at::Tensor X = x * am1;
  const at::Tensor max_val = std::get<0>(X.max(dim, /*keepdim=*/true));
  at::Tensor tau_lo = max_val - 1.0;
  const at::Tensor tau_hi = max_val - at::pow(1.0 / static_cast<double>(K), am1);
  auto p_of = [&](const at::Tensor& tau) { return (X - tau).clamp_min(0.0).pow(1.0 / am1); };
  const at::Tensor f_lo = p_of(tau_lo).sum(dim, /*keepdim=*/true) - 1.0;
  at::Tensor dm = tau_hi - tau_lo;
  at::Tensor p;
  for (int64_t it = 0; it < n_iter; ++it) {
    dm = dm / 2.0;
    const at::Tensor tau_m = tau_lo + dm;
    p = p_of(tau_m);
    const at::Tensor f_m = p.sum(dim, /*keepdim=*/true) - 1.0;
    tau_lo = at::where(f_m * f_lo >= 0, tau_m, tau_lo);
  }
  if (!p.defined()) p = p_of(tau_lo);
  p = p / p.sum(dim, /*keepdim=*/true);
  return at::where(is_softmax, at::softmax(x, dim), p);
}

}  // namespace generic
}  // namespace simplex
}  // namespace mixdist
