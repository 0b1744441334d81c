#pragma once

// Branch-free ln, e^x and powers in float and double for the alpha-entmax kernels (internal). libm's pow is
// one scalar call per element (about 11 ns, the whole cost of the generic alpha-entmax before these); written
// in plain arithmetic and bit operations, these let GCC vectorise the loops that call them (compiled per
// instruction set through MIXDIST_CPU_CLONES, see cpu_dispatch.h). Accuracy, checked against libm by
// tests/simplex/test_entmax_alpha_kernels.cpp: ln and e^x to a few ulps; x^e = e^(e ln x) then carries the
// absolute error of e ln x, i.e. a relative error of about |e ln x| ulps (1e-6 for float at e ln x = -20).

#include <cstdint>
#include <cstring>

// Inlined into every target clone of the kernels, so that each clone compiles them for its own instruction
// set (a call from an AVX-512 clone to a baseline helper would run SSE2 code).
#ifndef MIXDIST_ALWAYS_INLINE
#define MIXDIST_ALWAYS_INLINE inline __attribute__((always_inline))
#endif

namespace mixdist::detail::vpow {

MIXDIST_ALWAYS_INLINE uint32_t to_bits(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
MIXDIST_ALWAYS_INLINE float float_from_bits(uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}
MIXDIST_ALWAYS_INLINE uint64_t to_bits(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
MIXDIST_ALWAYS_INLINE double double_from_bits(uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

// ln x for a normal, finite x > 0 (callers clamp to at least FLT_MIN). x = 2^e m with m in [sqrt(1/2),
// sqrt(2)), found from the bits of x minus those of sqrt(1/2) (the borrow moves e by one exactly when the
// mantissa is below sqrt(2)'s); ln(1 + f), f = m - 1, is Cephes' degree-8 minimax polynomial (logf), and
// e ln 2 uses ln 2 in two parts.
MIXDIST_ALWAYS_INLINE float log_positive(float x) {
  constexpr uint32_t kSqrtHalf = 0x3F3504F3u;  // sqrt(1/2) as a float's bits
  const uint32_t d = to_bits(x) - kSqrtHalf;
  const float e = static_cast<float>(static_cast<int32_t>(d) >> 23);
  const float f = float_from_bits((d & 0x007FFFFFu) + kSqrtHalf) - 1.0f;
  const float z = f * f;
  float p = 7.0376836292e-2f;
  p = p * f - 1.1514610310e-1f;
  p = p * f + 1.1676998740e-1f;
  p = p * f - 1.2420140846e-1f;
  p = p * f + 1.4249322787e-1f;
  p = p * f - 1.6668057665e-1f;
  p = p * f + 2.0000714765e-1f;
  p = p * f - 2.4999993993e-1f;
  p = p * f + 3.3333331174e-1f;
  const float y = p * f * z + e * -2.12194440e-4f - 0.5f * z;
  return (f + y) + e * 0.693359375f;
}

// e^t, t clamped to at most 88 (e^88 = 1.65e38, near the largest float): Cephes' expf as in nn/vector_exp.h
// (1.3 ulp), with 2^k formed from the bits of the rounded t / ln 2; 0 below -87 (e^t < 1.7e-38).
MIXDIST_ALWAYS_INLINE float exp_bounded(float t) {
  constexpr float kLowest = -87.0f;
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer, kept in the low bits
  // Written as x86's max and min (NaN aside) so that they compile to one instruction each.
  const float tl = t > kLowest ? t : kLowest;
  const float tc = tl < 88.0f ? tl : 88.0f;
  const float r0 = tc * 1.44269504088896341f + kRound;
  const float k = r0 - kRound;
  const float r = (tc - k * 0.693359375f) - k * -2.12194440e-4f;
  float q = 1.9875691500e-4f;
  q = q * r + 1.3981999507e-3f;
  q = q * r + 8.3334519073e-3f;
  q = q * r + 4.1665795894e-2f;
  q = q * r + 1.6666665459e-1f;
  q = q * r + 5.0000001201e-1f;
  const float e_r = q * (r * r) + r + 1.0f;
  // The low mantissa bits of r0 hold k (k + 127 in [1, 254]); shifted into the exponent field they make 2^k.
  const float scale = float_from_bits((to_bits(r0) + 127u) << 23);
  return t < kLowest ? 0.0f : e_r * scale;
}

// ln x for a normal, finite x > 0 (callers clamp to at least DBL_MIN), to about 1 ulp: the same reduction as
// the float version, then ln(1 + f) = 2 atanh(s) = f - s (f - R), s = f / (2 + f), with R the atanh series
// 2 (s^2/3 + s^4/5 + ...) to s^20 (|s| < 0.172, so the next term is below 1e-17 relative). The exponent is
// converted through the bits of 2^52 + e + 1075, which needs no 64-bit integer-to-double instruction.
MIXDIST_ALWAYS_INLINE double log_positive(double x) {
  constexpr uint64_t kSqrtHalf = 0x3FE6A09E667F3BCD;  // sqrt(1/2) as a double's bits
  const uint64_t d = to_bits(x) - kSqrtHalf;
  const uint64_t biased = (d + (uint64_t{1075} << 52)) >> 52;  // e + 1075 in [53, 2099]
  const double e = double_from_bits(uint64_t{0x4330000000000000} | biased) - (4503599627370496.0 + 1075.0);
  const double f = double_from_bits((d & uint64_t{0x000FFFFFFFFFFFFF}) + kSqrtHalf) - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  double p = 2.0 / 21.0;
  p = p * z + 2.0 / 19.0;
  p = p * z + 2.0 / 17.0;
  p = p * z + 2.0 / 15.0;
  p = p * z + 2.0 / 13.0;
  p = p * z + 2.0 / 11.0;
  p = p * z + 2.0 / 9.0;
  p = p * z + 2.0 / 7.0;
  p = p * z + 2.0 / 5.0;
  p = p * z + 2.0 / 3.0;
  const double R = p * z;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 32 significant bits: e * kLn2Hi is exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  return e * kLn2Hi + ((f - s * (f - R)) + e * kLn2Lo);
}

// e^t, t clamped to at most 709 (e^709 = 8.2e307, near the largest double), to about 1 ulp: t = k ln 2 + r,
// |r| <= ln 2 / 2, the Taylor polynomial of e^r to r^13 (the next term is below 5e-18), 2^k from the bits of
// the rounded t / ln 2; 0 below -708 (e^t < 3.3e-308).
MIXDIST_ALWAYS_INLINE double exp_bounded(double t) {
  constexpr double kLowest = -708.0;
  constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double tl = t > kLowest ? t : kLowest;
  const double tc = tl < 709.0 ? tl : 709.0;
  const double r0 = tc * 1.4426950408889634 + kRound;
  const double k = r0 - kRound;
  const double r = (tc - k * kLn2Hi) - k * kLn2Lo;
  double q = 1.0 / 6227020800.0;  // 1/13!
  q = q * r + 1.0 / 479001600.0;
  q = q * r + 1.0 / 39916800.0;
  q = q * r + 1.0 / 3628800.0;
  q = q * r + 1.0 / 362880.0;
  q = q * r + 1.0 / 40320.0;
  q = q * r + 1.0 / 5040.0;
  q = q * r + 1.0 / 720.0;
  q = q * r + 1.0 / 120.0;
  q = q * r + 1.0 / 24.0;
  q = q * r + 1.0 / 6.0;
  q = q * r + 0.5;
  const double e_r = q * (r * r) + r + 1.0;
  const double scale = double_from_bits((to_bits(r0) + 1023u) << 52);  // 2^k, k + 1023 in [1, 2046]
  return t < kLowest ? 0.0 : e_r * scale;
}

}  // namespace mixdist::detail::vpow
