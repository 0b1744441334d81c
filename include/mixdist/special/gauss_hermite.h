#pragma once

/// @file
/// @brief Gauss–Hermite quadrature rules and the Gaussian expectations built on them.
///
/// Gauss–Hermite quadrature (physicists' weight e^{-t^2}) and Gaussian expectations built on it. The
/// Gaussian-Sparsemax density needs log E_{tau ~ N(m, c)}[prod_j Phi((tau - mu_j)/sigma_j)]
/// (docs/math.md#gaussian-sparsemax-density, docs/math.md#quadrature-of-the-gaussian-sparsemax-density).

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>

/// @brief Special functions and numerical building blocks: log Phi, log(1 - e^-x), lgamma with digamma,
/// Gauss–Hermite quadrature, the Poisson-binomial law.
namespace mixdist::special {

/// Rule for ∫ f(t) e^{-t^2} dt ≈ sum_i weights[i] f(nodes[i]), exact for polynomials of degree <= 2n - 1.
struct GaussHermiteRule {
  at::Tensor nodes;        ///< [n], ascending, symmetric about 0 (exactly: nodes[i] == -nodes[n-1-i])
  at::Tensor weights;      ///< [n], positive, sum sqrt(pi)
  at::Tensor log_weights;  ///< [n], log of weights, accurate even where weights underflow (large n)
};

/// The n-point Gauss–Hermite rule in `dtype`.
///
/// Nodes from the eigenvalues of the Golub–Welsch Jacobi matrix, polished by Newton's method in long double;
/// weights from the Christoffel sum 1 / sum_{k<n} p_k(t)^2 of the orthonormal Hermite polynomials, so small
/// weights keep their relative accuracy. Computed once per (n, dtype) and cached (thread-safe); each call
/// returns fresh copies (CPU tensors).
/// @param n     number of nodes, in [1, 2048].
/// @param dtype any floating dtype.
/// @return the rule, tensors of shape [n] in `dtype`.
/// @throws c10::Error if n is outside [1, 2048] or dtype is not floating.
///
/// @code
/// mixdist::special::GaussHermiteRule rule = mixdist::special::gauss_hermite(32);
/// @endcode
GaussHermiteRule gauss_hermite(int64_t n, at::ScalarType dtype = at::kDouble);

/// Quadrature points tau_i = mean + sqrt(2 variance) t_i for expectations under N(mean, variance).
///
/// Differentiable in mean and variance.
/// @param mean     floating tensor, broadcastable with `variance`.
/// @param variance floating tensor (>= 0), broadcastable with `mean`.
/// @param n        number of nodes, in [1, 2048].
/// @return shape broadcast(mean, variance).sizes() + [n], in the result dtype of mean and variance.
/// @throws c10::Error if mean or variance is undefined or their result dtype is not floating, or as
///         gauss_hermite() for n.
///
/// @code
/// // [3, 16]: 16 points for each of 3 normals
/// at::Tensor tau = mixdist::special::gaussian_quadrature_points(at::zeros({3}), at::ones({3}), 16);
/// @endcode
at::Tensor gaussian_quadrature_points(const at::Tensor& mean, const at::Tensor& variance, int64_t n);

/// E_{tau ~ N(mean, variance)}[f(tau)] ≈ sum_i w_i / sqrt(pi) f(tau_i) by n-point Gauss–Hermite quadrature.
///
/// Differentiable in mean, variance and whatever f closes over.
/// @param f        maps the points [..., n] to values of the same shape (it may broadcast other tensors
///                 against them).
/// @param mean     floating tensor, broadcastable with `variance`.
/// @param variance floating tensor (>= 0), broadcastable with `mean`.
/// @param n        number of nodes, in [1, 2048].
/// @return shape broadcast(mean, variance).
/// @throws c10::Error as gaussian_quadrature_points(), or if f returns a tensor whose last dimension is not
///         n.
///
/// @code
/// at::Tensor m2 = mixdist::special::gaussian_expectation([](const at::Tensor& t) { return t * t; },
///                                                        at::zeros({}), at::ones({}), 8);  // 1
/// @endcode
at::Tensor gaussian_expectation(const std::function<at::Tensor(const at::Tensor&)>& f, const at::Tensor& mean,
                                const at::Tensor& variance, int64_t n);

/// log E_{tau ~ N(mean, variance)}[exp(log_f(tau))] ≈ logsumexp_i(log w_i - log sqrt(pi) + log_f(tau_i)).
///
/// For integrands that are only representable in log space (products of tiny normal CDFs). Differentiable in
/// mean, variance and whatever log_f closes over.
/// @param log_f    maps the points [..., n] to log values of the same shape (it may broadcast).
/// @param mean     floating tensor, broadcastable with `variance`.
/// @param variance floating tensor (>= 0), broadcastable with `mean`.
/// @param n        number of nodes, in [1, 2048].
/// @return shape broadcast(mean, variance).
/// @throws c10::Error as gaussian_quadrature_points(), or if log_f returns a tensor whose last dimension is
///         not n.
///
/// @code
/// at::Tensor log_p = mixdist::special::gaussian_log_expectation(
///     [](const at::Tensor& t) { return mixdist::special::log_ndtr(t); }, at::zeros({}), at::ones({}), 32);
/// @endcode
at::Tensor gaussian_log_expectation(const std::function<at::Tensor(const at::Tensor&)>& log_f,
                                    const at::Tensor& mean, const at::Tensor& variance, int64_t n);

}  // namespace mixdist::special
