#pragma once

/// @file
/// @brief Estimate, a Monte Carlo value with its standard error, and sample_mean.
///
/// A Monte Carlo estimate and its standard error. Every estimator of the library that samples returns one, so
/// a caller always knows whether a number is exact (methods that return a plain tensor are exact or throw)
/// and how far an estimate can be trusted (`docs/math.md#exact-versus-monte-carlo`).

#include <ATen/ATen.h>

namespace mixdist {
inline namespace distributions {

/// A Monte Carlo estimate together with its standard error.
///
/// Returned by every sampled estimator of the library (`entropy_mc`, `kl_divergence_mc`,
/// `face_probability_mc`, `entropy_bits_mc`, `expect_over_face_sums_mc`); both tensors have the shape of the
/// estimated quantity (usually the batch shape).
///
/// @code
/// mixdist::Estimate h = dist.entropy_mc(1000);  // h.value +- 2 * h.standard_error
/// @endcode
struct Estimate {
  /// The estimate; carries the gradient of the estimator where it has one.
  at::Tensor value;
  /// Its standard error (the sample standard deviation / sqrt(n) for a mean of n draws), without gradient;
  /// 0 where the quantity was computed exactly.
  at::Tensor standard_error;
};

/// The mean over dim 0 of per-draw values and its standard error.
///
/// The standard error is the (unbiased) sample standard deviation over dim 0 divided by sqrt(n), computed on
/// detached draws; the mean keeps the draws' gradient.
/// @param draws per-draw values [n, ...] with n >= 2.
/// @return {mean [...], standard error [...]}.
/// @throws c10::Error if `draws` is undefined, has no dims or fewer than two entries along dim 0.
///
/// @code
/// mixdist::Estimate e = mixdist::sample_mean(torch::randn({100, 3}));  // e.value: [3]
/// @endcode
Estimate sample_mean(const at::Tensor& draws);

}  // namespace distributions
}  // namespace mixdist
