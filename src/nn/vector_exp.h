#pragma once

// Vectorisable pieces shared by the fused kernels of nn/ (internal): an e^x written in plain arithmetic, so
// that GCC vectorises the loops that call it (libm's expf is one scalar call per element), and the lane count
// of their explicit partial sums.

#include <cmath>
#include <cstdint>
#include <cstring>

// The helpers are inlined into every target clone of the kernels, so that each clone compiles them for its
// own instruction set (a call from an AVX-512 clone to a baseline helper would run SSE2 code).
#define MIXDIST_ALWAYS_INLINE inline __attribute__((always_inline))

namespace mixdist::nn::detail {

// Lanes of the explicit partial sums: GCC does not reorder a floating-point sum without -ffast-math, so a
// reduction vectorises only when it is written as kLanes independent sums (one AVX-512 register of floats).
constexpr int64_t kLanes = 16;

// e^x for x <= 0 (a rounding error above 0 is fine), 1.3 ulp: x = k ln2 + r with |r| <= ln2 / 2 (ln2 in two
// parts, so that k ln2 is exact), Cephes' degree-7 polynomial for e^r, 2^k from the bits of the rounded
// x / ln2. Below -87 (e^x < 1.7e-38, nothing next to the largest term's 1) the result is 0, -inf included;
// NaN stays NaN. Plain arithmetic, so GCC vectorises the loops that call it.
MIXDIST_ALWAYS_INLINE float exp_nonpositive(float x) {
  constexpr float kLowest = -87.0f;
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer, kept in the low bits
  const float xc = x < kLowest ? kLowest : x;
  const float t = xc * 1.44269504088896341f + kRound;
  const float k = t - kRound;
  const float r = (xc - k * 0.693359375f) - k * -2.12194440e-4f;
  float q = 1.9875691500e-4f;
  q = q * r + 1.3981999507e-3f;
  q = q * r + 8.3334519073e-3f;
  q = q * r + 4.1665795894e-2f;
  q = q * r + 1.6666665459e-1f;
  q = q * r + 5.0000001201e-1f;
  const float e_r = q * (r * r) + r + 1.0f;
  // The low mantissa bits of t hold k (k + 127 in [1, 127]); shifted into the exponent field they make 2^k.
  uint32_t t_bits;
  std::memcpy(&t_bits, &t, sizeof t_bits);
  const uint32_t scale_bits = (t_bits + 127u) << 23;
  float scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return x < kLowest ? 0.0f : e_r * scale;
}

// Double runs in the tests only: libm's exp (not vectorised) is exact enough for their 1e-10.
MIXDIST_ALWAYS_INLINE double exp_nonpositive(double x) {
  return std::exp(x);
}

}  // namespace mixdist::nn::detail
