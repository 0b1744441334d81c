#include "mixdist/special/gauss_hermite.h"

#include <cmath>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace mixdist::special {
namespace {

constexpr int64_t kMaxNodes = 2048;

// Orthonormal Hermite polynomials for the weight e^{-t^2}: p_0 = pi^{-1/4},
// t p_k = a_{k+1} p_{k+1} + a_k p_{k-1} with a_k = sqrt(k/2). Evaluates p_n(t), p_n'(t) and the Christoffel
// sum sum_{k<n} p_k(t)^2. Long double: for n = 2048 the largest node is about 63 and p_k(t)^2 reaches about
// e^{t^2} = e^{4000}, beyond double's range but well inside long double's (e^{11356}).
struct HermiteEval {
  long double p_n, dp_n, christoffel_sum;
};

HermiteEval evaluate_orthonormal_hermite(int64_t n, long double t) {
  long double p_prev = 0.0L, dp_prev = 0.0L;
  long double p = std::pow(static_cast<long double>(M_PI), -0.25L), dp = 0.0L;
  long double sum = 0.0L;
  for (int64_t k = 0; k < n; ++k) {
    sum += p * p;
    const long double a_next = std::sqrt(0.5L * static_cast<long double>(k + 1));
    const long double a_k = std::sqrt(0.5L * static_cast<long double>(k));
    const long double p_next = (t * p - a_k * p_prev) / a_next;
    const long double dp_next = (p + t * dp - a_k * dp_prev) / a_next;
    p_prev = p;
    dp_prev = dp;
    p = p_next;
    dp = dp_next;
  }
  return {p, dp, sum};
}

// Computes the rule in double: nodes (ascending), weights, log weights.
std::vector<std::vector<double>> compute_rule(int64_t n) {
  // Golub–Welsch: the nodes are the eigenvalues of the symmetric tridiagonal Jacobi matrix with zero diagonal
  // and off-diagonal a_k = sqrt(k/2). The eigenvalues are accurate to about 1e-16 max|t| and serve as Newton
  // starting points; weights from the eigenvectors would lose all relative accuracy for the tiny outer ones.
  at::Tensor jacobi = at::zeros({n, n}, at::kDouble);
  for (int64_t k = 1; k < n; ++k) {
    const double a = std::sqrt(0.5 * static_cast<double>(k));
    jacobi[k - 1][k] = a;
    jacobi[k][k - 1] = a;
  }
  const at::Tensor eig = std::get<0>(at::linalg_eigh(jacobi)).contiguous();
  const double* guess = eig.data_ptr<double>();

  std::vector<double> nodes(n), weights(n), log_weights(n);
  // The rule is symmetric; compute the upper half (t >= 0) and mirror it so that odd moments vanish exactly.
  for (int64_t i = n / 2; i < n; ++i) {
    long double t = (2 * i + 1 == n) ? 0.0L : std::fabs(static_cast<long double>(guess[i]));
    if (2 * i + 1 != n) {
      for (int it = 0; it < 8; ++it) {
        const HermiteEval e = evaluate_orthonormal_hermite(n, t);
        const long double step = e.p_n / e.dp_n;
        t -= step;
        if (std::fabs(step) <= 1e-19L * std::fabs(t)) break;
      }
    }
    const HermiteEval e = evaluate_orthonormal_hermite(n, t);
    const double log_w = static_cast<double>(-std::log(e.christoffel_sum));
    nodes[i] = static_cast<double>(t);
    nodes[n - 1 - i] = -static_cast<double>(t);
    log_weights[i] = log_weights[n - 1 - i] = log_w;
    weights[i] = weights[n - 1 - i] = static_cast<double>(1.0L / e.christoffel_sum);
  }
  return {nodes, weights, log_weights};
}

GaussHermiteRule cached_rule(int64_t n, at::ScalarType dtype) {
  static std::mutex mutex;
  static std::map<std::pair<int64_t, at::ScalarType>, GaussHermiteRule> cache;
  std::lock_guard<std::mutex> lock(mutex);
  const auto key = std::make_pair(n, dtype);
  auto it = cache.find(key);
  if (it == cache.end()) {
    const auto rule = compute_rule(n);
    auto to_tensor = [&](const std::vector<double>& v) { return at::tensor(v, at::kDouble).to(dtype); };
    it = cache.emplace(key, GaussHermiteRule{to_tensor(rule[0]), to_tensor(rule[1]), to_tensor(rule[2])})
             .first;
  }
  return it->second;
}

at::ScalarType checked_points_dtype(const char* fn, const at::Tensor& mean, const at::Tensor& variance) {
  TORCH_CHECK(mean.defined() && variance.defined(), "mixdist::special::", fn,
              ": arguments mean and variance must be defined tensors");
  const at::ScalarType dtype = at::result_type(mean, variance);
  TORCH_CHECK(at::isFloatingType(dtype), "mixdist::special::", fn,
              ": arguments mean and variance must be floating tensors, got dtypes ", mean.scalar_type(),
              " and ", variance.scalar_type());
  return dtype;
}

}  // namespace

GaussHermiteRule gauss_hermite(int64_t n, at::ScalarType dtype) {
  TORCH_CHECK(n >= 1 && n <= kMaxNodes, "mixdist::special::gauss_hermite: argument n must be in [1, ",
              kMaxNodes, "], got n = ", n);
  TORCH_CHECK(at::isFloatingType(dtype),
              "mixdist::special::gauss_hermite: argument dtype must be floating, got ", dtype);
  const GaussHermiteRule rule = cached_rule(n, dtype);
  return {rule.nodes.clone(), rule.weights.clone(), rule.log_weights.clone()};
}

at::Tensor gaussian_quadrature_points(const at::Tensor& mean, const at::Tensor& variance, int64_t n) {
  const at::ScalarType dtype = checked_points_dtype("gaussian_quadrature_points", mean, variance);
  const at::Tensor nodes = gauss_hermite(n, dtype).nodes.to(mean.device());
  // sqrt(2 c) t_i: the substitution tau = m + sqrt(2c) t turns N(m, c) into e^{-t^2} / sqrt(pi).
  return mean.unsqueeze(-1) + at::sqrt(variance * 2.0).unsqueeze(-1) * nodes;
}

at::Tensor gaussian_expectation(const std::function<at::Tensor(const at::Tensor&)>& f, const at::Tensor& mean,
                                const at::Tensor& variance, int64_t n) {
  const at::ScalarType dtype = checked_points_dtype("gaussian_expectation", mean, variance);
  const at::Tensor points = gaussian_quadrature_points(mean, variance, n);
  const at::Tensor weights = gauss_hermite(n, dtype).weights.to(mean.device()) / std::sqrt(M_PI);
  const at::Tensor values = f(points);
  TORCH_CHECK(values.dim() >= 1 && values.size(-1) == n,
              "mixdist::special::gaussian_expectation: f must return the quadrature points' shape ",
              points.sizes(), " (nodes along the last dim), got ", values.sizes());
  return (values * weights).sum(-1);
}

at::Tensor gaussian_log_expectation(const std::function<at::Tensor(const at::Tensor&)>& log_f,
                                    const at::Tensor& mean, const at::Tensor& variance, int64_t n) {
  const at::ScalarType dtype = checked_points_dtype("gaussian_log_expectation", mean, variance);
  const at::Tensor points = gaussian_quadrature_points(mean, variance, n);
  const at::Tensor log_weights = gauss_hermite(n, dtype).log_weights.to(mean.device()) - 0.5 * std::log(M_PI);
  const at::Tensor values = log_f(points);
  TORCH_CHECK(values.dim() >= 1 && values.size(-1) == n,
              "mixdist::special::gaussian_log_expectation: log_f must return the quadrature points' shape ",
              points.sizes(), " (nodes along the last dim), got ", values.sizes());
  return at::logsumexp(values + log_weights, -1);
}

}  // namespace mixdist::special
