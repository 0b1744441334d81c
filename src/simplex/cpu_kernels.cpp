#include "simplex/cpu_kernels.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <type_traits>
#include <vector>

#include "simplex/entmax_alpha_kernels.h"
#include "simplex/row_solvers.h"
#include "simplex/simd_rows.h"

namespace mixdist::detail {
namespace {

// Enough work per parallel chunk to amortise the OpenMP fork (~16 K elements,
// docs/performance.md#algorithms-of-the-sparse-maps).
int64_t grain_rows(int64_t K) {
  return std::max<int64_t>(1, 16384 / std::max<int64_t>(K, 1));
}

template <typename scalar_t>
int64_t softmax_row(const scalar_t* x, scalar_t* y, int64_t K, double xmax) {
  double sum = 0.0;
  for (int64_t i = 0; i < K; ++i) sum += std::exp(static_cast<double>(x[i]) - xmax);
  int64_t support = 0;
  for (int64_t i = 0; i < K; ++i) {
    y[i] = static_cast<scalar_t>(std::exp(static_cast<double>(x[i]) - xmax) / sum);
    support += (y[i] > scalar_t(0));
  }
  return support;
}

// Limit of every map as one or more logits go to +inf: uniform over the +inf entries.
template <typename scalar_t>
int64_t infinite_row(const scalar_t* x, scalar_t* y, int64_t K) {
  int64_t count = 0;
  for (int64_t i = 0; i < K; ++i) count += std::isinf(x[i]) && x[i] > 0;
  const scalar_t share = scalar_t(1) / static_cast<scalar_t>(count);
  for (int64_t i = 0; i < K; ++i) y[i] = (std::isinf(x[i]) && x[i] > 0) ? share : scalar_t(0);
  return count;
}

// Scratch of one thread: the double candidates and, for alpha-entmax, their float copy (both with room for
// the lane padding of the vectorised passes).
struct RowScratch {
  std::vector<double> buf;
  std::vector<float> fbuf;
};

template <typename scalar_t>
int64_t solve_row(const scalar_t* x, scalar_t* y, int64_t K, int64_t row, const ForwardArgs& args,
                  const double* alpha, RowScratch& scratch) {
  std::vector<double>& buf = scratch.buf;
  const RowMax rm = row_max(x, K);
  if (rm.has_nan) {
    // Like softmax: NaN in, NaN out, for that row only.
    for (int64_t i = 0; i < K; ++i) y[i] = std::numeric_limits<scalar_t>::quiet_NaN();
    return K;
  }
  TORCH_CHECK(rm.max != -std::numeric_limits<double>::infinity(), args.name, ": ",
              describe_row(row, args.batch_sizes),
              " of the input is entirely -inf, so no point of the simplex is preferred; mask such rows out "
              "before the call (every row needs at least one finite logit)");
  if (rm.max == std::numeric_limits<double>::infinity()) return infinite_row(x, y, K);

  MapKind kind = args.kind;
  double a = 0.0;
  if (kind == MapKind::kEntmaxAlpha) {
    a = alpha[row];
    // alpha = 2 and alpha = 1.5 have exact, pow-free solvers.
    if (a == 2.0) kind = MapKind::kSparsemax;
    if (a == 1.5) kind = MapKind::kEntmax15;
  }
  switch (kind) {
    case MapKind::kSparsemax: {
      int64_t c = collect_candidates(x, K, rm.max, 1.0, buf.data());
      const double tau = sparsemax_threshold(buf.data(), c);
      write_clipped_row</*kSquare=*/false>(x, y, K, rm.max, 1.0, tau);
      return count_above(buf.data(), c, tau);
    }
    case MapKind::kEntmax15: {
      int64_t c = collect_candidates(x, K, rm.max, 0.5, buf.data());
      const double tau = entmax15_threshold(buf.data(), c);
      write_clipped_row</*kSquare=*/true>(x, y, K, rm.max, 0.5, tau);
      return count_above(buf.data(), c, tau);
    }
    case MapKind::kEntmaxAlpha: {
      if (a - 1.0 < kSoftmaxAlphaCutoff) return softmax_row(x, y, K, rm.max);
      const double scale = a - 1.0;
      const double beta = 1.0 / scale;
      int64_t c = collect_candidates(x, K, rm.max, scale, buf.data());
      // Float inputs polish with the vectorised double powers (their 1e-14 is far below float resolution);
      // double inputs with libm's pow, as accurate as before the float stage.
      constexpr bool kFloat = std::is_same_v<scalar_t, float>;
      // alpha > 2 (beta < 1): S has infinite slope where an entry enters the support, Newton degrades to its
      // bisection safeguard, and a float stage would only spend the budget: the double solve from the start.
      // So also for a handful of candidates (K = 2), where libm's pow on each costs less than the vectorised
      // passes' fixed cost.
      double tau = 0.0;
      const bool two_stage = a <= 2.0 && c > 4;
      const bool solved =
          two_stage && entmax_alpha_threshold_two_stage(buf.data(), c, scratch.fbuf.data(), K, a, args.n_iter,
                                                        /*vector_polish=*/kFloat, tau);
      if (!solved) {
        if (two_stage) c = collect_candidates(x, K, rm.max, scale, buf.data());  // it compacted buf
        tau = entmax_alpha_threshold(buf.data(), c, K, a, args.n_iter);
      }
      if constexpr (kFloat) {
        // Below one vector of entries the scalar pass (libm's pow on each) costs less.
        if (K >= 8) return power_row_f32(x, y, K, rm.max, scale, tau, beta);
      }
      // The support lies in the candidate buffer, so the normaliser needs no pass over the row. The root
      // finder stops within a few ulps of tau; dividing by the total makes the row sum to 1 to rounding.
      const double total = power_moments_above(buf.data(), c, tau, beta).S;
      write_power_row(x, y, K, rm.max, scale, tau, beta, 1.0 / total);
      return count_above(buf.data(), c, tau);
    }
  }
  return 0;  // unreachable
}

}  // namespace

std::string describe_row(int64_t row, at::IntArrayRef batch_sizes) {
  std::ostringstream out;
  out << "row " << row;
  if (batch_sizes.size() > 1) {
    std::vector<int64_t> index(batch_sizes.size());
    int64_t rest = row;
    for (int64_t d = static_cast<int64_t>(batch_sizes.size()) - 1; d >= 0; --d) {
      index[d] = rest % batch_sizes[d];
      rest /= batch_sizes[d];
    }
    out << " (batch index [";
    for (size_t d = 0; d < index.size(); ++d) out << (d ? ", " : "") << index[d];
    out << "])";
  }
  return out.str();
}

std::tuple<at::Tensor, at::Tensor> sparse_map_forward_cpu(const at::Tensor& x, const ForwardArgs& args) {
  TORCH_INTERNAL_ASSERT(x.dim() == 2 && x.is_contiguous() && x.device().is_cpu());
  const int64_t rows = x.size(0), K = x.size(1);
  at::Tensor y = at::empty_like(x);
  at::Tensor support = at::empty({rows}, x.options().dtype(at::kLong));
  const double* alpha = nullptr;
  if (args.kind == MapKind::kEntmaxAlpha) {
    TORCH_INTERNAL_ASSERT(args.alpha_rows.scalar_type() == at::kDouble && args.alpha_rows.numel() == rows);
    alpha = args.alpha_rows.data_ptr<double>();
  }
  int64_t* support_ptr = support.data_ptr<int64_t>();
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "sparse_map_forward_cpu", [&] {
    const scalar_t* xp = x.data_ptr<scalar_t>();
    scalar_t* yp = y.data_ptr<scalar_t>();
    at::parallel_for(0, rows, grain_rows(K), [&](int64_t begin, int64_t end) {
      RowScratch scratch;
      scratch.buf.resize(static_cast<size_t>(K + kAlphaLanes));
      // Room for the float candidates and the warm start's subsample of them, each padded.
      if (args.kind == MapKind::kEntmaxAlpha)
        scratch.fbuf.resize(static_cast<size_t>(K + K / 8 + 3 * kAlphaLanes));
      for (int64_t r = begin; r < end; ++r) {
        support_ptr[r] = solve_row(xp + r * K, yp + r * K, K, r, args, alpha, scratch);
      }
    });
  });
  return {y, support};
}

namespace {

// Backward of p = [z - tau]_+^beta: with s_i = p_i^(2 - alpha) on the support (1 for sparsemax, sqrt(p) for
// entmax-1.5, p for softmax), dx = s * g - s * (sum s g / sum s). The alpha gradient is Correia et al.
// (2019), and its alpha -> 1 limit on the softmax rows: d p_i / d alpha = p_i (E_p[log^2 p] - log^2 p_i) / 2.
template <typename scalar_t>
double alpha_backward_row(const scalar_t* y, const scalar_t* g, scalar_t* dx, int64_t K, double a,
                          bool want_dalpha, double* s) {
  const bool softmax_row = a - 1.0 < kSoftmaxAlphaCutoff;
  const auto [sum_s, sum_sg] = power_weights(y, g, K, softmax_row ? 1.0 : 2.0 - a, s);
  const double q = sum_sg / sum_s;
  for (int64_t i = 0; i < K; ++i) dx[i] = static_cast<scalar_t>(s[i] * (static_cast<double>(g[i]) - q));
  if (!want_dalpha) return 0.0;

  double ent = 0.0;  // sum p log p
  double mean_log2 = 0.0;
  for (int64_t i = 0; i < K; ++i) {
    const double p = static_cast<double>(y[i]);
    if (p > 0.0) {
      const double lp = std::log(p);
      ent += p * lp;
      mean_log2 += p * lp * lp;
    }
  }
  double dalpha = 0.0;
  if (softmax_row) {
    for (int64_t i = 0; i < K; ++i) {
      const double p = static_cast<double>(y[i]);
      if (p > 0.0) {
        const double lp = std::log(p);
        dalpha += static_cast<double>(g[i]) * 0.5 * p * (mean_log2 - lp * lp);
      }
    }
    return dalpha;
  }
  const double am1 = a - 1.0;
  for (int64_t i = 0; i < K; ++i) {
    const double p = static_cast<double>(y[i]);
    if (!(p > 0.0)) continue;
    const double skewed = s[i] / sum_s;
    const double plogp = p * std::log(p);
    dalpha += static_cast<double>(g[i]) * ((p - skewed) / (am1 * am1) - (plogp - skewed * ent) / am1);
  }
  return dalpha;
}

// The vectorised float backward of alpha-entmax for 1 < alpha <= 2, where the weights y^(2 - alpha) are at
// most 1 (above 2 they can overflow a float); false (nothing done) for other rows and for double.
bool backward_row_f32(const float* y, const float* g, float* dx, int64_t K, double a, std::vector<float>& s) {
  if (a - 1.0 < kSoftmaxAlphaCutoff || a > 2.0 || K < 8) return false;  // K < 8: the scalar pass is cheaper
  power_backward_row_f32(y, g, dx, K, static_cast<float>(2.0 - a), s.data());
  return true;
}
bool backward_row_f32(const double*, const double*, double*, int64_t, double, std::vector<float>&) {
  return false;
}

}  // namespace

at::Tensor sparse_map_backward_cpu(const at::Tensor& y, const at::Tensor& grad, MapKind kind,
                                   const at::Tensor& alpha_rows, at::Tensor* dalpha_rows) {
  TORCH_INTERNAL_ASSERT(y.dim() == 2 && y.is_contiguous() && grad.is_contiguous() &&
                        y.sizes() == grad.sizes());
  const int64_t rows = y.size(0), K = y.size(1);
  at::Tensor dx = at::empty_like(y);
  const double* alpha = kind == MapKind::kEntmaxAlpha ? alpha_rows.data_ptr<double>() : nullptr;
  const bool want_dalpha = dalpha_rows != nullptr && kind == MapKind::kEntmaxAlpha;
  double* dalpha = nullptr;
  if (want_dalpha) {
    *dalpha_rows = at::empty({rows}, y.options().dtype(at::kDouble));
    dalpha = dalpha_rows->data_ptr<double>();
  }
  AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "sparse_map_backward_cpu", [&] {
    const scalar_t* yp = y.data_ptr<scalar_t>();
    const scalar_t* gp = grad.data_ptr<scalar_t>();
    scalar_t* dxp = dx.data_ptr<scalar_t>();
    at::parallel_for(0, rows, grain_rows(K), [&](int64_t begin, int64_t end) {
      std::vector<double> scratch(kind == MapKind::kEntmaxAlpha ? static_cast<size_t>(K) : 0);
      std::vector<float> fscratch(
          kind == MapKind::kEntmaxAlpha && std::is_same_v<scalar_t, float> ? static_cast<size_t>(K) : 0);
      for (int64_t r = begin; r < end; ++r) {
        MapKind row_kind = kind;
        const double a = alpha ? alpha[r] : 0.0;
        if (row_kind == MapKind::kEntmaxAlpha && a == 2.0 && !want_dalpha) row_kind = MapKind::kSparsemax;
        if (row_kind == MapKind::kEntmaxAlpha && a == 1.5 && !want_dalpha) row_kind = MapKind::kEntmax15;
        if (row_kind == MapKind::kSparsemax) {
          clipped_backward_row</*kSqrt=*/false>(yp + r * K, gp + r * K, dxp + r * K, K);
        } else if (row_kind == MapKind::kEntmax15) {
          clipped_backward_row</*kSqrt=*/true>(yp + r * K, gp + r * K, dxp + r * K, K);
        } else if (want_dalpha || !backward_row_f32(yp + r * K, gp + r * K, dxp + r * K, K, a, fscratch)) {
          const double da =
              alpha_backward_row(yp + r * K, gp + r * K, dxp + r * K, K, a, want_dalpha, scratch.data());
          if (want_dalpha) dalpha[r] = da;
        }
      }
    });
  });
  return dx;
}

}  // namespace mixdist::detail
