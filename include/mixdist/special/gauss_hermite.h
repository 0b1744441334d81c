#pragma once

// Gauss–Hermite quadrature (physicists' weight e^{-t^2}) and Gaussian expectations built on it. The
// Gaussian-Sparsemax density needs log E_{tau ~ N(m, c)}[prod_j Phi((tau - mu_j)/sigma_j)]
// (docs/math.md#gaussian-sparsemax-density, docs/math.md#quadrature-of-the-gaussian-sparsemax-density).

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>

namespace mixdist::special {

// Rule for ∫ f(t) e^{-t^2} dt ≈ sum_i weights[i] f(nodes[i]), exact for polynomials of degree <= 2n - 1.
struct GaussHermiteRule {
  at::Tensor nodes;        // [n], ascending, symmetric about 0 (exactly: nodes[i] == -nodes[n-1-i])
  at::Tensor weights;      // [n], positive, sum sqrt(pi)
  at::Tensor log_weights;  // [n], log of weights, accurate even where weights underflow (large n)
};

// The n-point rule in dtype (any floating dtype). Nodes from the eigenvalues of the Golub–Welsch Jacobi
// matrix, polished by Newton's method in long double; weights from the Christoffel sum
// 1 / sum_{k<n} p_k(t)^2 of the orthonormal Hermite polynomials, so small weights keep their relative
// accuracy. Computed once per (n, dtype) and cached (thread-safe); each call returns fresh copies.
// n must be in [1, 2048].
GaussHermiteRule gauss_hermite(int64_t n, at::ScalarType dtype = at::kDouble);

// Quadrature points tau_i = mean + sqrt(2 variance) t_i for expectations under N(mean, variance): shape
// broadcast(mean, variance).sizes() + [n], in the dtype of mean and variance (floating).
at::Tensor gaussian_quadrature_points(const at::Tensor& mean, const at::Tensor& variance, int64_t n);

// E_{tau ~ N(mean, variance)}[f(tau)] ≈ sum_i w_i / sqrt(pi) f(tau_i). f maps the points [..., n] to values
// of the same shape (it may broadcast other tensors against them); returns broadcast(mean, variance) shape.
// Differentiable in mean, variance and whatever f closes over.
at::Tensor gaussian_expectation(const std::function<at::Tensor(const at::Tensor&)>& f, const at::Tensor& mean,
                                const at::Tensor& variance, int64_t n);

// log E_{tau ~ N(mean, variance)}[exp(log_f(tau))] ≈ logsumexp_i(log w_i - log sqrt(pi) + log_f(tau_i)),
// for integrands that are only representable in log space (products of tiny normal CDFs).
at::Tensor gaussian_log_expectation(const std::function<at::Tensor(const at::Tensor&)>& log_f,
                                    const at::Tensor& mean, const at::Tensor& variance, int64_t n);

}  // namespace mixdist::special
