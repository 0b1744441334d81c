#pragma once

// Per-row threshold solvers for the sparse maps (internal). Plain C++ over raw pointers so that the
// parallel drivers in cpu_kernels.cpp stay thin and the algorithms can be read top to bottom.
//
// Every map has the form p_i = [z_i - tau]_+^beta with z = (alpha - 1) * (x - max x), beta = 1/(alpha - 1),
// and tau chosen so that sum_i p_i = 1 (sparsemax: alpha = 2, entmax-1.5: alpha = 1.5). Because max z = 0,
// tau lies in [-1, 0), so every z_i <= -1 is exactly 0 in the output: the solvers first copy the surviving
// candidates into a scratch buffer (branchless) and then work on those only
// (docs/performance.md#algorithms-of-the-sparse-maps).
//
// All arithmetic on candidates is done in double, whatever the input type, and tau is always recomputed
// from a fresh sum over the current active set: no running update, so no drift in float32.

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>

#include "simplex/entmax_alpha_kernels.h"
#include "simplex/simd_rows.h"
#include "simplex/vector_pow.h"

namespace mixdist::detail {

// Copies z_i = scale * (x_i - xmax) for the entries with z_i > -1 (and possibly a few just below) into buf;
// returns their count. The test runs in the input type against a threshold rounded down, so it can only let
// extra entries through, which every solver below discards; blocks without any candidate (the common case for
// large K) cost one vectorisable compare per element.
template <typename scalar_t>
inline int64_t collect_candidates(const scalar_t* x, int64_t K, double xmax, double scale, double* buf) {
  const scalar_t thr =
      std::nextafter(static_cast<scalar_t>(xmax - 1.0 / scale), -std::numeric_limits<scalar_t>::infinity());
  constexpr int64_t kBlock = 16;
  int64_t c = 0, i = 0;
  for (; i + kBlock <= K; i += kBlock) {
    bool any = false;
    for (int64_t l = 0; l < kBlock; ++l) any |= x[i + l] > thr;
    if (!any) continue;
    // Branch-free inside a hit block: a data-dependent branch here mispredicts for mid-size K.
    for (int64_t l = 0; l < kBlock; ++l) {
      buf[c] = scale * (static_cast<double>(x[i + l]) - xmax);
      c += x[i + l] > thr;
    }
  }
  for (; i < K; ++i) {
    if (x[i] > thr) buf[c++] = scale * (static_cast<double>(x[i]) - xmax);
  }
  return c;
}

// Number of candidates strictly above tau: the support size of the output, since the output of entry i is
// positive exactly when its z_i > tau (simd_rows.h uses the same arithmetic).
inline int64_t count_above(const double* buf, int64_t c, double tau) {
  int64_t n = 0;
  for (int64_t j = 0; j < c; ++j) n += buf[j] > tau;
  return n;
}

// Sparsemax threshold by Michelot's variable fixing on the candidates: tau <- (sum_S z - 1)/|S|,
// S <- {z in S : z > tau}, until S stops shrinking. Monotone from below (tau_t <= tau*), exact, and each
// pass only touches the survivors of the previous one (Michelot's iteration is Newton's method on the
// piecewise-linear sum(z - tau)_+ - 1). buf holds c candidates and is compacted in place; c is updated to the
// entries left in it.
inline double sparsemax_threshold(double* buf, int64_t& c) {
  double sum = 0.0;
  for (int64_t j = 0; j < c; ++j) sum += buf[j];
  double tau = (sum - 1.0) / static_cast<double>(c);
  int64_t size = c;
  for (;;) {
    const Moments m = moments_above(buf, c, tau);
    if (m.count == size) return tau;
    // tau' = (sum_S z - 1)/|S| written as tau + (sum_S (z - tau) - 1)/|S|: a fresh sum every time, no drift.
    size = m.count;
    tau += (m.s1 - 1.0) / static_cast<double>(size);
    if (2 * size < c) c = compact_above(buf, c, tau);
  }
}

// Entmax-1.5 threshold in z = (x - max)/2 units: solve sum_i (z_i - tau)_+^2 = 1.
// Newton's method from the lower bound tau = -1 is monotone (f is convex and decreasing), and after every
// step we try the exact closed form on the current active set S: the smaller root delta of
// sum_S (u_i - delta)^2 = 1, u_i = z_i - tau. If every u_i >= delta, S is the support and tau + delta is
// exact; otherwise the Newton step shrinks S. In practice S is found in a handful of passes over the
// candidates, without sorting them.
inline double entmax15_threshold(double* buf, int64_t& c) {
  double tau = -1.0;
  for (int iter = 0;; ++iter) {
    const Moments m = moments_above(buf, c, tau);
    const double f = m.s2 - 1.0;  // >= 0 up to rounding, since tau <= tau*
    if (f <= 0.0) return tau;
    const double disc = m.s1 * m.s1 - static_cast<double>(m.count) * f;
    if (disc >= 0.0) {
      // Smaller root of k d^2 - 2 s1 d + f = 0, in the cancellation-free form.
      const double delta = f / (m.s1 + std::sqrt(disc));
      if (m.umin >= delta || iter >= 64) return tau + delta;
    }
    tau += f / (2.0 * m.s1);  // Newton step from below: never passes tau*
    if (2 * m.count < c) c = compact_above(buf, c, tau);
  }
}

// Generic alpha-entmax threshold (beta = 1/(alpha-1)): root of f(tau) = S(tau) - 1, S = sum (z - tau)_+^beta,
// inside the bracket [-1, -K^(1-alpha)]. Newton on f itself converges only linearly from far below (by a
// factor 1 - 1/beta per step) because S is a power; Newton on g = S^(1/beta) - 1, a norm of (z - tau)_+ and
// so convex for beta >= 1, is exact for a single active entry and monotone from below. The step is
// safeguarded by the bracket (needed for beta < 1, where g is not convex). alpha_newton runs that iteration
// on any evaluator of (S, P = sum (z - tau)_+^(beta - 1)); on_raise(lo, count) is told when the lower end
// rises (count: entries above it), so that the caller may drop the candidates at or below it, which can never
// be in the support. Stops when |S - 1| <= s_tol, when the step or the bracket is below step_tol relative, or
// after max_iter evaluations; with final_step, a stop on |S - 1| still takes that last (tiny) Newton step.
struct AlphaNewton {
  double tau, lo, hi;
  bool hi_evaluated = false;  // the initial hi is a bound, not an evaluated point
  int64_t iters = 0;          // evaluations so far
};

template <typename Eval, typename OnRaise>
inline void alpha_newton(AlphaNewton& st, double beta, double s_tol, double step_tol, int64_t max_iter,
                         bool final_step, const Eval& eval, const OnRaise& on_raise) {
  while (st.iters < max_iter) {
    const auto sums = eval(st.tau);
    ++st.iters;
    const double S = sums.S, P = sums.P;
    const bool converged = std::abs(S - 1.0) <= s_tol;
    if (converged && !final_step) return;
    if (S > 1.0) {
      st.lo = st.tau;
      on_raise(st.lo, sums.count);
    } else {
      st.hi = st.tau;
      st.hi_evaluated = true;
    }
    if (!converged && !(st.hi - st.lo > step_tol * std::abs(st.lo))) return;
    if (P > 0.0) {
      // S^(1 - 1/beta) by the branch-free ln and e^x (1 ulp; libm's pow costs ~25 ns, a pass over a short
      // row).
      const double s_pow = vpow::exp_bounded((1.0 - 1.0 / beta) * vpow::log_positive(std::max(S, DBL_MIN)));
      const double next = st.tau + (S - s_pow) / P;
      // Strictly inside the bracket, or Newton can cycle between its ends when beta < 1. The initial upper
      // end is allowed once, unevaluated: for tied logits it is the root.
      const bool inside = (next > st.lo && next < st.hi) || (next == st.hi && !st.hi_evaluated);
      // A step below step_tol means converged: the safeguard must not turn it into a bisection step.
      if (converged || std::abs(next - st.tau) <= step_tol * std::abs(st.tau)) {
        if (inside || !converged) st.tau = next;
        return;
      }
      st.tau = inside ? next : 0.5 * (st.lo + st.hi);
    } else {
      if (converged) return;
      st.tau = 0.5 * (st.lo + st.hi);
    }
  }
}

// The double-precision solve with libm's pow (the reference path, and the fallback of the two-stage solve):
// buf holds c candidates and is compacted against the rising lower end; c is updated.
inline double entmax_alpha_threshold(double* buf, int64_t& c, int64_t K, double alpha, int64_t n_iter) {
  const double beta = 1.0 / (alpha - 1.0);
  AlphaNewton st{-1.0, -1.0, -std::pow(static_cast<double>(K), 1.0 - alpha)};
  // S carries the rounding error of a c-term sum: closer to 1 than that is converged.
  const double s_tol = 4.0 * std::numeric_limits<double>::epsilon() * std::sqrt(static_cast<double>(c) + 1.0);
  alpha_newton(
      st, beta, s_tol, 4.0 * std::numeric_limits<double>::epsilon(), n_iter, /*final_step=*/false,
      [&](double tau) {
        const PowerMoments m = power_moments_above(buf, c, tau, beta);
        return PowerSums{m.S, m.P, 0};
      },
      // a scalar pass, cheap next to the pow pass it shortens
      [&](double lo, int64_t) { c = compact_above(buf, c, lo); });
  return st.tau;
}

// Pads a candidate buffer with -inf from n up to the next multiple of kAlphaLanes, for the vectorised passes.
template <typename T>
inline int64_t pad_lanes(T* v, int64_t n) {
  const int64_t padded = (n + kAlphaLanes - 1) / kAlphaLanes * kAlphaLanes;
  for (int64_t j = n; j < padded; ++j) v[j] = -std::numeric_limits<T>::infinity();
  return padded;
}

// Keeps only the entries above tau (order preserved); returns their number.
inline int64_t compact_above_f32(float* v, int64_t c, float tau) {
  int64_t k = 0;
  for (int64_t j = 0; j < c; ++j) {
    v[k] = v[j];
    k += v[j] > tau;
  }
  return k;
}

// The alpha-entmax threshold in two stages, for 1 < alpha <= 2 (beta >= 1, where g is convex and Newton from
// a close start converges at once; docs/performance.md#algorithms-of-the-sparse-maps).
// 1. Float: the candidates rounded to float (fbuf, room for c + c / 8 + 3 kAlphaLanes: they and a subsample
//    for a warm start), Newton with the vectorised float powers (a few 1e-7 relative) until the step is
//    below 1e-4 relative, and that last step taken (leaving ~1e-8).
// 2. Polish: Newton in double from there, on the double candidates compacted against a point just below the
//    float stage's lower end. With vector_polish (float outputs), the vectorised double powers (~1e-14
//    relative) and, when the first step is that small, that one evaluation; otherwise (double outputs) libm's
//    pow and the tolerances of entmax_alpha_threshold, usually two evaluations.
// The compaction in 2 relies on the float stage's lower end being below the root; the polished root is only
// accepted if it lies above the compaction point, where the compacted and the full S agree, so it is the root
// of the full S. Otherwise (float rounding misled stage 1) returns false, and the caller solves again with
// entmax_alpha_threshold on freshly collected candidates. buf needs room for c + kAlphaLanes entries. Each
// stage makes at most n_iter evaluations.
inline bool entmax_alpha_threshold_two_stage(double* buf, int64_t& c, float* fbuf, int64_t K, double alpha,
                                             int64_t n_iter, bool vector_polish, double& tau) {
  const double beta = 1.0 / (alpha - 1.0);
  const double top = -std::pow(static_cast<double>(K), 1.0 - alpha);
  int64_t fc = c;
  for (int64_t j = 0; j < c; ++j) fbuf[j] = static_cast<float>(buf[j]);
  int64_t fn = pad_lanes(fbuf, fc);
  AlphaNewton st{-1.0, -1.0, top};
  // Warm start for long candidate lists: Newton on every kStride-th candidate with the sums scaled by
  // kStride, an estimate of S at 1/kStride of the cost (neither a bound nor exact, so only its tau is kept:
  // the float stage below starts there with the full bracket). Its first evaluation, near the root, then
  // compacts the candidates to about the support.
  constexpr int64_t kStride = 8;
  if (fc >= 32 * kStride) {
    float* sub = fbuf + fn;
    int64_t m = 0;
    for (int64_t j = 0; j < fc; j += kStride) sub[m++] = fbuf[j];
    const int64_t mn = pad_lanes(sub, m);
    AlphaNewton guess{-1.0, -1.0, top};
    alpha_newton(
        guess, beta, /*s_tol=*/1e-2, /*step_tol=*/1e-2, std::min<int64_t>(n_iter, 8), /*final_step=*/true,
        [&](double t) {
          PowerSums ps = power_sums_f32(sub, mn, static_cast<float>(t), static_cast<float>(beta));
          ps.S *= kStride, ps.P *= kStride;
          return ps;
        },
        [](double, int64_t) {});
    st.tau = guess.tau;
  }
  // The float sums carry a few 1e-7 relative error. Newton converges quadratically, so once a step is below
  // 1e-4 relative, taking it leaves an error of about 1e-8: the float stage stops there.
  alpha_newton(
      st, beta, /*s_tol=*/1e-6, /*step_tol=*/1e-3, n_iter, /*final_step=*/true,
      [&](double t) { return power_sums_f32(fbuf, fn, static_cast<float>(t), static_cast<float>(beta)); },
      [&](double lo, int64_t count) {
        // Compacting costs a pass without powers: only worth it when it at least halves the buffer.
        if (2 * count <= fc && fc > 2 * kAlphaLanes) {
          fc = compact_above_f32(fbuf, fc, static_cast<float>(lo));
          fn = pad_lanes(fbuf, fc);
        }
      });
  // Stage 2. Below the float stage's lower end by much more than its error, so that the check below fails
  // only when float rounding misjudged S by far more than its error bound.
  const double cut = st.lo > -1.0 ? st.lo - 1e-5 * std::abs(st.lo) : -1.0;
  if (cut > -1.0) c = compact_above(buf, c, cut);
  AlphaNewton polish{std::max(st.tau, -1.0), -1.0, top};
  const int64_t max_iter = n_iter;
  const double eps = std::numeric_limits<double>::epsilon();
  const double root_c = std::sqrt(static_cast<double>(c) + 1.0);
  if (vector_polish) {
    const int64_t n = pad_lanes(buf, c);
    auto eval = [&](double t) { return power_sums_f64(buf, n, t, beta); };
    const double s_tol = 64.0 * eps * root_c, step_tol = 16.0 * eps;
    // One double Newton step from a start within ~1e-8 leaves ~1e-16 (g is convex, so the step cannot
    // overshoot), far below float resolution: taken without another evaluation when it is that small.
    const double start = polish.tau;
    alpha_newton(polish, beta, s_tol, step_tol, 1, /*final_step=*/true, eval, [](double, int64_t) {});
    const bool done = std::abs(polish.tau - start) <= 1e-5 * std::abs(start);
    if (!done)
      alpha_newton(polish, beta, s_tol, step_tol, max_iter, /*final_step=*/false, eval,
                   [](double, int64_t) {});
  } else {
    alpha_newton(
        polish, beta, 4.0 * eps * root_c, 4.0 * eps, max_iter, /*final_step=*/false,
        [&](double t) {
          const PowerMoments m = power_moments_above(buf, c, t, beta);
          return PowerSums{m.S, m.P, 0};
        },
        [](double, int64_t) {});
  }
  tau = polish.tau;
  return !(tau <= cut) || cut == -1.0;
}

}  // namespace mixdist::detail
