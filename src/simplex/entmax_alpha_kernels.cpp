#include "simplex/entmax_alpha_kernels.h"

#include <cfloat>
#include <cmath>
#include <limits>

#include "cpu_dispatch.h"
#include "simplex/vector_pow.h"

namespace mixdist::detail {
namespace {

using vpow::exp_bounded;
using vpow::log_positive;

// u^(beta - 1) for a normal u > 0 (callers clamp u to the smallest normal, as the powers' bit tricks need,
// and mask the entries with u <= 0). For beta < 1 the power is clamped at e^88 (float) or e^709.
template <typename T>
MIXDIST_ALWAYS_INLINE T power_below(T u, T bm1) {
  return exp_bounded(bm1 * log_positive(u));
}

// Float lanes are summed over at most this many entries, then added in double (the float passes' sums).
constexpr int64_t kChunk = 512;

// Sum of kAlphaLanes partial sums as a tree (a chain of 16 dependent adds would cost more than a short row's
// whole pass); overwrites a.
template <typename T>
MIXDIST_ALWAYS_INLINE double lane_sum(T* a) {
  for (int64_t w = kAlphaLanes / 2; w >= 1; w /= 2) {
    for (int64_t l = 0; l < w; ++l) a[l] += a[l + w];
  }
  return static_cast<double>(a[0]);
}

}  // namespace

// The power sums keep kAlphaLanes independent partial sums (GCC does not reorder a floating-point sum, so
// only explicit lanes vectorise), select with one mask per entry (several conditional updates stop GCC's
// if-conversion), and count in floating point for the same reason. The float pass sums chunks in float lanes
// (at most 32 terms each) and adds the chunks in double.
MIXDIST_CPU_CLONES PowerSums power_sums_f32(const float* __restrict__ v, int64_t n, float tau, float beta) {
  const float bm1 = beta - 1.0f;
  double S = 0.0, P = 0.0, count = 0.0;
  for (int64_t j0 = 0; j0 < n; j0 += kChunk) {
    const int64_t end = j0 + kChunk < n ? j0 + kChunk : n;
    float sf[kAlphaLanes] = {}, pf[kAlphaLanes] = {}, cf[kAlphaLanes] = {};
    for (int64_t j = j0; j < end; j += kAlphaLanes) {
      for (int64_t l = 0; l < kAlphaLanes; ++l) {
        const float u = v[j + l] - tau;
        const float on = u > 0.0f ? 1.0f : 0.0f;
        const float uc = u > FLT_MIN ? u : FLT_MIN;  // the padding's -inf must not meet a 0 weight
        const float r = power_below(uc, bm1) * on;   // u^(beta - 1), 0 off the support
        sf[l] += r * uc;
        pf[l] += r;
        cf[l] += on;
      }
    }
    S += lane_sum(sf), P += lane_sum(pf), count += lane_sum(cf);
  }
  return {S, P, static_cast<int64_t>(count)};
}

MIXDIST_CPU_CLONES PowerSums power_sums_f64(const double* __restrict__ v, int64_t n, double tau,
                                            double beta) {
  const double bm1 = beta - 1.0;
  double s[kAlphaLanes] = {}, p[kAlphaLanes] = {}, c[kAlphaLanes] = {};
  for (int64_t j = 0; j < n; j += kAlphaLanes) {
    for (int64_t l = 0; l < kAlphaLanes; ++l) {
      const double u = v[j + l] - tau;
      const double on = u > 0.0 ? 1.0 : 0.0;
      const double uc = u > DBL_MIN ? u : DBL_MIN;
      const double r = power_below(uc, bm1) * on;
      s[l] += r * uc;
      p[l] += r;
      c[l] += on;
    }
  }
  return {lane_sum(s), lane_sum(p), static_cast<int64_t>(lane_sum(c))};
}

namespace {

// One output row. u_i in double (as the solver's candidates), so that entries near the threshold keep their
// sign; the exponent t = beta ln u_i, then y_i = e^t in float. kDoubleLog: ln u in double, for large beta,
// where the float ln's absolute error times beta would show (y's relative error is then about |t| float ulps,
// i.e. |ln y|: at most 2e-8 absolute); otherwise u and ln u in float (relative error about beta + |t| ulps).
// Entries with u <= 0 compute a power of the smallest normal and multiply it by 0. The last partial block
// goes through a padded copy, so that short rows (K = 10) are vectorised too.
template <bool kDoubleLog>
MIXDIST_ALWAYS_INLINE int64_t power_row(const float* __restrict__ x, float* __restrict__ y, int64_t K,
                                        double xmax, double scale, double tau, double beta) {
  auto arg = [=](float xi) { return scale * (static_cast<double>(xi) - xmax) - tau; };
  const float beta_f = static_cast<float>(beta);
  auto power = [=](double u, float on) {
    float t;
    if constexpr (kDoubleLog) {
      t = static_cast<float>(beta * log_positive(u > DBL_MIN ? u : DBL_MIN));
    } else {
      const float uf = static_cast<float>(u);
      t = beta_f * log_positive(uf > FLT_MIN ? uf : FLT_MIN);
    }
    return exp_bounded(t) * on;
  };
  // u > 0 needs x > xmax + tau / scale: a float threshold a little below that lets a block without any
  // positive u be skipped after 16 float compares (a block it lets through is computed exactly).
  const double edge = xmax + tau / scale;
  // (one float ulp further down through the bits, for a positive or negative threshold alike; libm's
  // nextafter is a call per row).
  const float thr0 = static_cast<float>(edge - 1e-9 * (std::abs(edge) + std::abs(tau / scale)));
  const float thr = thr0 > 0.0f   ? vpow::float_from_bits(vpow::to_bits(thr0) - 1u)
                    : thr0 < 0.0f ? vpow::float_from_bits(vpow::to_bits(thr0) + 1u)
                                  : -FLT_MIN;
  auto block = [&](const float* __restrict__ xb, float* __restrict__ yb, float* tot, float* cnt) {
    bool any = false;
    for (int64_t l = 0; l < kAlphaLanes; ++l) any |= xb[l] > thr;
    if (!any) {
      for (int64_t l = 0; l < kAlphaLanes; ++l) yb[l] = 0.0f;
      return;
    }
    for (int64_t l = 0; l < kAlphaLanes; ++l) {
      const double u = arg(xb[l]);
      const float on = u > 0.0 ? 1.0f : 0.0f;
      const float w = power(u, on);
      yb[l] = w;
      tot[l] += w;
      cnt[l] += on;
    }
  };
  double total = 0.0, support = 0.0;
  int64_t i = 0;
  for (; i + kAlphaLanes <= K;) {
    const int64_t end = i + kChunk < K ? i + kChunk : K;
    float tot[kAlphaLanes] = {}, cnt[kAlphaLanes] = {};
    for (; i + kAlphaLanes <= end; i += kAlphaLanes) block(x + i, y + i, tot, cnt);
    total += lane_sum(tot), support += lane_sum(cnt);
  }
  if (i < K) {
    float xt[kAlphaLanes], yt[kAlphaLanes], tot[kAlphaLanes] = {}, cnt[kAlphaLanes] = {};
    for (int64_t l = 0; l < kAlphaLanes; ++l)
      xt[l] = i + l < K ? x[i + l] : -std::numeric_limits<float>::infinity();
    block(xt, yt, tot, cnt);
    for (int64_t l = 0; i + l < K; ++l) y[i + l] = yt[l];
    total += lane_sum(tot), support += lane_sum(cnt);
  }
  const float norm = static_cast<float>(1.0 / total);
  for (i = 0; i < K; ++i) y[i] *= norm;
  return static_cast<int64_t>(support);
}

}  // namespace

MIXDIST_CPU_CLONES int64_t power_row_f32(const float* __restrict__ x, float* __restrict__ y, int64_t K,
                                         double xmax, double scale, double tau, double beta) {
  // Up to beta = 4 (alpha >= 1.25) the float ln costs at most 4 + |t| ulps: within 3e-7 of y.
  if (beta <= 4.0) return power_row<false>(x, y, K, xmax, scale, tau, beta);
  return power_row<true>(x, y, K, xmax, scale, tau, beta);
}

MIXDIST_CPU_CLONES void power_backward_row_f32(const float* __restrict__ y, const float* __restrict__ g,
                                               float* __restrict__ dx, int64_t K, float e,
                                               float* __restrict__ s) {
  // y >= 0, so no clamp: ln of 0 or of a subnormal comes out finite (below -87) from the bit arithmetic, and
  // the weight is then 0 or as tiny as it should be (a clamp here made GCC give up vectorising the loop).
  auto weight = [=](float v) {
    const float on = v > 0.0f ? 1.0f : 0.0f;
    return exp_bounded(e * log_positive(v)) * on;
  };
  // The weights first (a loop without reductions, which GCC vectorises around the power), then their sums;
  // the last partial block through a padded copy.
  auto block = [&](const float* __restrict__ yb, float* __restrict__ sb) {
    bool any = false;
    for (int64_t l = 0; l < kAlphaLanes; ++l) any |= yb[l] > 0.0f;
    if (!any) {
      for (int64_t l = 0; l < kAlphaLanes; ++l) sb[l] = 0.0f;
      return;
    }
    for (int64_t l = 0; l < kAlphaLanes; ++l) sb[l] = weight(yb[l]);
  };
  int64_t i = 0;
  for (; i + kAlphaLanes <= K; i += kAlphaLanes) block(y + i, s + i);
  if (i < K) {
    float yt[kAlphaLanes], st[kAlphaLanes];
    for (int64_t l = 0; l < kAlphaLanes; ++l) yt[l] = i + l < K ? y[i + l] : 0.0f;
    block(yt, st);
    for (int64_t l = 0; i + l < K; ++l) s[i + l] = st[l];
  }
  double sum_s = 0.0, sum_sg = 0.0;
  for (i = 0; i + kAlphaLanes <= K;) {
    const int64_t end = i + kChunk < K ? i + kChunk : K;
    float ss[kAlphaLanes] = {}, sg[kAlphaLanes] = {};
    for (; i + kAlphaLanes <= end; i += kAlphaLanes) {
      for (int64_t l = 0; l < kAlphaLanes; ++l) ss[l] += s[i + l], sg[l] += s[i + l] * g[i + l];
    }
    sum_s += lane_sum(ss), sum_sg += lane_sum(sg);
  }
  for (; i < K; ++i) sum_s += s[i], sum_sg += static_cast<double>(s[i]) * static_cast<double>(g[i]);
  const float q = static_cast<float>(sum_sg / sum_s);
  for (i = 0; i < K; ++i) dx[i] = s[i] * (g[i] - q);
}

}  // namespace mixdist::detail
