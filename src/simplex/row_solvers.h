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
#include <cmath>
#include <cstdint>
#include <limits>

#include "simplex/simd_rows.h"

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
// safeguarded by the bracket (needed for beta < 1, where g is not convex). The candidate set is compacted
// against the lower end of the bracket, which only rises, so no entry that can be in the support is ever
// dropped. Stops when f vanishes, the step or the bracket is a few ulps wide, or after n_iter steps.
inline double entmax_alpha_threshold(double* buf, int64_t& c, int64_t K, double alpha, int64_t n_iter) {
  const double beta = 1.0 / (alpha - 1.0);
  double lo = -1.0;
  double hi = -std::pow(static_cast<double>(K), 1.0 - alpha);
  double tau = lo;
  bool hi_evaluated = false;
  for (int64_t iter = 0; iter < n_iter; ++iter) {
    const auto [S, P] = power_moments_above(buf, c, tau, beta);
    // S carries the rounding error of a c-term sum: closer to 1 than that is converged.
    if (std::abs(S - 1.0) <=
        4.0 * std::numeric_limits<double>::epsilon() * std::sqrt(static_cast<double>(c) + 1.0)) {
      return tau;
    }
    if (S > 1.0) {
      lo = tau;
      c = compact_above(buf, c, lo);  // a scalar pass, cheap next to the pow pass it shortens
    } else {
      hi = tau;
      hi_evaluated = true;
    }
    if (!(hi - lo > 4.0 * std::numeric_limits<double>::epsilon() * std::abs(lo))) break;
    if (P > 0.0) {
      const double next = tau + (S - std::pow(S, 1.0 - 1.0 / beta)) / P;
      // A step below a few ulps means converged: the safeguard must not turn it into a bisection step.
      if (std::abs(next - tau) <= 4.0 * std::numeric_limits<double>::epsilon() * std::abs(tau)) return next;
      // Strictly inside the bracket, or Newton can cycle between its ends when beta < 1. The initial upper
      // end is allowed once, unevaluated: for tied logits it is the root.
      const bool inside = (next > lo && next < hi) || (next == hi && !hi_evaluated);
      tau = inside ? next : 0.5 * (lo + hi);
    } else {
      tau = 0.5 * (lo + hi);
    }
  }
  return tau;
}

}  // namespace mixdist::detail
