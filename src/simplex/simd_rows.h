#pragma once

// The full-row passes of the sparse-map kernels (internal): max, output and backward sweeps. These are the
// passes whose cost is paid on every element, so they are written with SSE2 intrinsics (part of the x86-64
// baseline, so no run-time dispatch is needed); GCC does not vectorise the equivalent scalar loops because of
// the NaN semantics of max and the conditionals. Other targets use the scalar loops. The powers of
// alpha-entmax here are scalar std::pow (double rows, short rows, the alpha gradient); float rows take the
// vectorised passes of entmax_alpha_kernels.h (docs/performance.md#algorithms-of-the-sparse-maps).
//
// Arithmetic contract shared with row_solvers.h: the candidate value of x_i is z_i = scale * (double(x_i) -
// xmax) and its output argument is u_i = z_i - tau, both in double, so an entry is in the output's support
// exactly when the solver counted it there.

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mixdist::detail {

struct RowMax {
  double max;
  bool has_nan;
};

template <typename scalar_t>
inline RowMax row_max_scalar(const scalar_t* x, int64_t K, int64_t start, scalar_t m, bool nan) {
  for (int64_t i = start; i < K; ++i) {
    const scalar_t v = x[i];
    m = v > m ? v : m;
    nan |= (v != v);
  }
  return {static_cast<double>(m), nan};
}

template <typename scalar_t>
inline RowMax row_max(const scalar_t* x, int64_t K) {
  return row_max_scalar(x, K, 0, -std::numeric_limits<scalar_t>::infinity(), false);
}

#if defined(__SSE2__)
template <>
inline RowMax row_max<float>(const float* x, int64_t K) {
  __m128 m0 = _mm_set1_ps(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
  __m128 bad = _mm_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= K; i += 16) {
    const __m128 a = _mm_loadu_ps(x + i), b = _mm_loadu_ps(x + i + 4);
    const __m128 c = _mm_loadu_ps(x + i + 8), d = _mm_loadu_ps(x + i + 12);
    m0 = _mm_max_ps(m0, a), m1 = _mm_max_ps(m1, b), m2 = _mm_max_ps(m2, c), m3 = _mm_max_ps(m3, d);
    bad = _mm_or_ps(bad, _mm_or_ps(_mm_or_ps(_mm_cmpunord_ps(a, a), _mm_cmpunord_ps(b, b)),
                                   _mm_or_ps(_mm_cmpunord_ps(c, c), _mm_cmpunord_ps(d, d))));
  }
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, _mm_max_ps(_mm_max_ps(m0, m1), _mm_max_ps(m2, m3)));
  float m = lanes[0];
  for (int l = 1; l < 4; ++l) m = lanes[l] > m ? lanes[l] : m;
  return row_max_scalar(x, K, i, m, _mm_movemask_ps(bad) != 0);
}

template <>
inline RowMax row_max<double>(const double* x, int64_t K) {
  __m128d m0 = _mm_set1_pd(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
  __m128d bad = _mm_setzero_pd();
  int64_t i = 0;
  for (; i + 8 <= K; i += 8) {
    const __m128d a = _mm_loadu_pd(x + i), b = _mm_loadu_pd(x + i + 2);
    const __m128d c = _mm_loadu_pd(x + i + 4), d = _mm_loadu_pd(x + i + 6);
    m0 = _mm_max_pd(m0, a), m1 = _mm_max_pd(m1, b), m2 = _mm_max_pd(m2, c), m3 = _mm_max_pd(m3, d);
    bad = _mm_or_pd(bad, _mm_or_pd(_mm_or_pd(_mm_cmpunord_pd(a, a), _mm_cmpunord_pd(b, b)),
                                   _mm_or_pd(_mm_cmpunord_pd(c, c), _mm_cmpunord_pd(d, d))));
  }
  alignas(16) double lanes[2];
  _mm_store_pd(lanes, _mm_max_pd(_mm_max_pd(m0, m1), _mm_max_pd(m2, m3)));
  const double m = lanes[1] > lanes[0] ? lanes[1] : lanes[0];
  return row_max_scalar(x, K, i, m, _mm_movemask_pd(bad) != 0);
}

// Two doubles -> u = max(scale * (x - xmax) - tau, 0), optionally squared.
template <bool kSquare>
inline __m128d output_pair(__m128d x, __m128d xmax, __m128d scale, __m128d tau) {
  __m128d u = _mm_max_pd(_mm_sub_pd(_mm_mul_pd(scale, _mm_sub_pd(x, xmax)), tau), _mm_setzero_pd());
  if (kSquare) u = _mm_mul_pd(u, u);
  return u;
}
#endif

// y_i = [scale (x_i - xmax) - tau]_+ (kSquare: squared), the output pass of sparsemax (scale 1) and
// entmax-1.5 (scale 1/2, squared).
template <bool kSquare, typename scalar_t>
inline void write_clipped_row(const scalar_t* x, scalar_t* y, int64_t K, double xmax, double scale,
                              double tau) {
  int64_t i = 0;
#if defined(__SSE2__)
  const __m128d vmax = _mm_set1_pd(xmax), vscale = _mm_set1_pd(scale), vtau = _mm_set1_pd(tau);
  if constexpr (std::is_same_v<scalar_t, float>) {
    for (; i + 4 <= K; i += 4) {
      const __m128 v = _mm_loadu_ps(x + i);
      const __m128d lo = output_pair<kSquare>(_mm_cvtps_pd(v), vmax, vscale, vtau);
      const __m128d hi = output_pair<kSquare>(_mm_cvtps_pd(_mm_movehl_ps(v, v)), vmax, vscale, vtau);
      _mm_storeu_ps(y + i, _mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi)));
    }
  } else {
    for (; i + 2 <= K; i += 2) {
      _mm_storeu_pd(y + i, output_pair<kSquare>(_mm_loadu_pd(x + i), vmax, vscale, vtau));
    }
  }
#endif
  for (; i < K; ++i) {
    double u = scale * (static_cast<double>(x[i]) - xmax) - tau;
    u = u > 0.0 ? u : 0.0;
    y[i] = static_cast<scalar_t>(kSquare ? u * u : u);
  }
}

// Backward of one row of sparsemax (kSqrt = false: s_i = 1[y_i > 0]) or entmax-1.5 (kSqrt = true:
// s_i = sqrt(y_i)): dx = s * (g - q), q = sum s g / sum s. Two passes; sums in double.
template <bool kSqrt, typename scalar_t>
inline void clipped_backward_row(const scalar_t* y, const scalar_t* g, scalar_t* dx, int64_t K) {
  double sum_s = 0.0, sum_sg = 0.0;
  int64_t i = 0;
#if defined(__SSE2__)
  if constexpr (std::is_same_v<scalar_t, float>) {
    const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f);
    __m128d a0 = _mm_setzero_pd(), a1 = a0, b0 = a0, b1 = a0;
    for (; i + 4 <= K; i += 4) {
      const __m128 yv = _mm_loadu_ps(y + i), gv = _mm_loadu_ps(g + i);
      const __m128 sv = kSqrt ? _mm_sqrt_ps(_mm_max_ps(yv, zero)) : _mm_and_ps(_mm_cmpgt_ps(yv, zero), one);
      const __m128 sg = _mm_mul_ps(sv, gv);
      a0 = _mm_add_pd(a0, _mm_cvtps_pd(sv)), a1 = _mm_add_pd(a1, _mm_cvtps_pd(_mm_movehl_ps(sv, sv)));
      b0 = _mm_add_pd(b0, _mm_cvtps_pd(sg)), b1 = _mm_add_pd(b1, _mm_cvtps_pd(_mm_movehl_ps(sg, sg)));
    }
    alignas(16) double ta[2], tb[2];
    _mm_store_pd(ta, _mm_add_pd(a0, a1)), _mm_store_pd(tb, _mm_add_pd(b0, b1));
    sum_s = ta[0] + ta[1], sum_sg = tb[0] + tb[1];
  } else {
    const __m128d zero = _mm_setzero_pd(), one = _mm_set1_pd(1.0);
    __m128d a0 = zero, b0 = zero;
    for (; i + 2 <= K; i += 2) {
      const __m128d yv = _mm_loadu_pd(y + i), gv = _mm_loadu_pd(g + i);
      const __m128d sv = kSqrt ? _mm_sqrt_pd(_mm_max_pd(yv, zero)) : _mm_and_pd(_mm_cmpgt_pd(yv, zero), one);
      a0 = _mm_add_pd(a0, sv), b0 = _mm_add_pd(b0, _mm_mul_pd(sv, gv));
    }
    alignas(16) double ta[2], tb[2];
    _mm_store_pd(ta, a0), _mm_store_pd(tb, b0);
    sum_s = ta[0] + ta[1], sum_sg = tb[0] + tb[1];
  }
#endif
  auto weight = [](scalar_t v) -> scalar_t {
    if (!(v > scalar_t(0))) return scalar_t(0);
    return kSqrt ? std::sqrt(v) : scalar_t(1);
  };
  for (int64_t j = i; j < K; ++j) {
    const double sv = weight(y[j]);
    sum_s += sv;
    sum_sg += sv * static_cast<double>(g[j]);
  }
  const scalar_t q = static_cast<scalar_t>(sum_sg / sum_s);
  i = 0;
#if defined(__SSE2__)
  if constexpr (std::is_same_v<scalar_t, float>) {
    const __m128 vq = _mm_set1_ps(q), zero = _mm_setzero_ps();
    for (; i + 4 <= K; i += 4) {
      const __m128 yv = _mm_loadu_ps(y + i);
      const __m128 d = _mm_sub_ps(_mm_loadu_ps(g + i), vq);
      const __m128 out =
          kSqrt ? _mm_mul_ps(_mm_sqrt_ps(_mm_max_ps(yv, zero)), d) : _mm_and_ps(_mm_cmpgt_ps(yv, zero), d);
      _mm_storeu_ps(dx + i, out);
    }
  } else {
    const __m128d vq = _mm_set1_pd(q), zero = _mm_setzero_pd();
    for (; i + 2 <= K; i += 2) {
      const __m128d yv = _mm_loadu_pd(y + i);
      const __m128d d = _mm_sub_pd(_mm_loadu_pd(g + i), vq);
      const __m128d out =
          kSqrt ? _mm_mul_pd(_mm_sqrt_pd(_mm_max_pd(yv, zero)), d) : _mm_and_pd(_mm_cmpgt_pd(yv, zero), d);
      _mm_storeu_pd(dx + i, out);
    }
  }
#endif
  for (; i < K; ++i) dx[i] = weight(y[i]) * (g[i] - q);
}

// Count, sum, sum of squares and minimum of u_j = v_j - tau over the entries with u_j > 0: one pass of the
// threshold solvers over their candidate buffer (no compaction, so it vectorises).
struct Moments {
  int64_t count;
  double s1, s2, umin;
};

inline Moments moments_above(const double* v, int64_t c, double tau) {
  Moments m{0, 0.0, 0.0, std::numeric_limits<double>::infinity()};
  int64_t j = 0;
#if defined(__SSE2__)
  const __m128d vtau = _mm_set1_pd(tau), zero = _mm_setzero_pd(), one = _mm_set1_pd(1.0),
                inf = _mm_set1_pd(std::numeric_limits<double>::infinity());
  __m128d cnt = zero, s1 = zero, s2 = zero, umin = inf;
  for (; j + 2 <= c; j += 2) {
    const __m128d u = _mm_sub_pd(_mm_loadu_pd(v + j), vtau);
    const __m128d on = _mm_cmpgt_pd(u, zero);
    const __m128d uo = _mm_and_pd(on, u);
    cnt = _mm_add_pd(cnt, _mm_and_pd(on, one));
    s1 = _mm_add_pd(s1, uo);
    s2 = _mm_add_pd(s2, _mm_mul_pd(uo, uo));
    umin = _mm_min_pd(umin, _mm_or_pd(uo, _mm_andnot_pd(on, inf)));
  }
  alignas(16) double a[2], b[2], d[2], e[2];
  _mm_store_pd(a, cnt), _mm_store_pd(b, s1), _mm_store_pd(d, s2), _mm_store_pd(e, umin);
  m = {static_cast<int64_t>(a[0] + a[1]), b[0] + b[1], d[0] + d[1], e[0] < e[1] ? e[0] : e[1]};
#endif
  for (; j < c; ++j) {
    const double u = v[j] - tau;
    if (u > 0.0) {
      ++m.count;
      m.s1 += u;
      m.s2 += u * u;
      m.umin = u < m.umin ? u : m.umin;
    }
  }
  return m;
}

// Keeps only the entries above tau (order preserved); returns their number.
inline int64_t compact_above(double* v, int64_t c, double tau) {
  int64_t k = 0;
  for (int64_t j = 0; j < c; ++j) {
    v[k] = v[j];
    k += v[j] > tau;
  }
  return k;
}

// Over u_j = v_j - tau > 0: S = sum u^beta and P = sum u^(beta - 1), the sums the alpha-entmax root finder
// needs.
struct PowerMoments {
  double S, P;
};

inline PowerMoments power_moments_above(const double* v, int64_t c, double tau, double beta) {
  double S = 0.0, P = 0.0;
  for (int64_t j = 0; j < c; ++j) {
    const double u = v[j] - tau;
    if (u > 0.0) {
      const double pw = std::pow(u, beta - 1.0);
      S += pw * u;
      P += pw;
    }
  }
  return {S, P};
}

// y_i = [scale (x_i - xmax) - tau]_+^beta * norm: the output pass of alpha-entmax.
template <typename scalar_t>
inline void write_power_row(const scalar_t* x, scalar_t* y, int64_t K, double xmax, double scale, double tau,
                            double beta, double norm) {
  for (int64_t i = 0; i < K; ++i) {
    const double u = scale * (static_cast<double>(x[i]) - xmax) - tau;
    y[i] = u > 0.0 ? static_cast<scalar_t>(std::pow(u, beta) * norm) : scalar_t(0);
  }
}

// s_i = y_i^e for y_i > 0, else 0, into s (double); returns sum s and sum s g.
template <typename scalar_t>
inline std::pair<double, double> power_weights(const scalar_t* y, const scalar_t* g, int64_t K, double e,
                                               double* s) {
  double sum_s = 0.0, sum_sg = 0.0;
  for (int64_t i = 0; i < K; ++i) {
    const double yv = static_cast<double>(y[i]);
    s[i] = yv > 0.0 ? (e == 1.0 ? yv : std::pow(yv, e)) : 0.0;
    sum_s += s[i];
    sum_sg += s[i] * static_cast<double>(g[i]);
  }
  return {sum_s, sum_sg};
}

}  // namespace mixdist::detail
