#pragma once

// The vectorised passes of generic alpha-entmax (internal): the power sums of its root finder in float (the
// first stage) and in double (the polish), and the float output and backward rows. Each is compiled for
// AVX-512, AVX2 and the x86-64 baseline (cpu_dispatch.h) around the branch-free powers of vector_pow.h.
// docs/performance.md#algorithms-of-the-sparse-maps describes how the root finder uses them.

#include <cstdint>

namespace mixdist::detail {

// Lanes of the power-sum passes: candidate buffers are padded with -inf to a multiple of this.
constexpr int64_t kAlphaLanes = 16;

// Over u_j = v_j - tau > 0: S = sum u^beta, P = sum u^(beta - 1), and how many u_j > 0.
struct PowerSums {
  double S, P;
  int64_t count;
};

// Float stage: n a multiple of kAlphaLanes (the padding contributes nothing); u and its powers in float, the
// sums in double. v_j <= 0 and tau >= -1, so u <= 1.
PowerSums power_sums_f32(const float* v, int64_t n, float tau, float beta);

// Polish: as power_sums_f32 in double, the powers to about 1e-14 relative (vector_pow.h).
PowerSums power_sums_f64(const double* v, int64_t n, double tau, double beta);

// Output row of float alpha-entmax: u_i = scale (x_i - xmax) - tau in double, y_i = [u_i]_+^beta with the
// final e^t in float (relative error a few 1e-7), then y /= sum y, so the row sums to 1 to rounding whatever
// the error of the threshold. Returns the number of u_i > 0 (the support). Blocks of the row without any
// u_i > 0 cost one compare per entry.
int64_t power_row_f32(const float* x, float* y, int64_t K, double xmax, double scale, double tau,
                      double beta);

// Backward row of float alpha-entmax for 1 < alpha <= 2 (weights s_i = y_i^e <= 1, e = 2 - alpha in [0, 1)):
// dx = s (g - q), q = sum s g / sum s, with s in float and the sums in double. s is scratch of K floats.
void power_backward_row_f32(const float* y, const float* g, float* dx, int64_t K, float e, float* s);

}  // namespace mixdist::detail
