#pragma once

// Shared helpers for the tests: independent reference computations and finite differences.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/distributions/mixed_dirichlet.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace mixdist::testing {

// alpha-entmax of one row by plain bisection in long double (200 halvings of the bracket [max - 1, max] in
// (alpha - 1) x units). Independent of every production code path; alpha = 1 gives softmax.
inline std::vector<double> bisection_entmax_row(const std::vector<double>& x, double alpha) {
  const size_t K = x.size();
  double xmax = -INFINITY;
  for (double v : x) xmax = std::max(xmax, v);
  std::vector<double> p(K);
  if (alpha == 1.0) {
    long double s = 0;
    for (double v : x) s += std::exp(static_cast<long double>(v - xmax));
    for (size_t i = 0; i < K; ++i)
      p[i] = static_cast<double>(std::exp(static_cast<long double>(x[i] - xmax)) / s);
    return p;
  }
  const long double am1 = alpha - 1.0L, beta = 1.0L / am1;
  auto total = [&](long double tau) {
    long double s = 0;
    for (double v : x) {
      const long double u = am1 * (static_cast<long double>(v) - xmax) - tau;
      if (u > 0) s += std::pow(u, beta);
    }
    return s;
  };
  long double lo = -1.0L, hi = 0.0L;
  for (int it = 0; it < 200; ++it) {
    const long double mid = 0.5L * (lo + hi);
    (total(mid) >= 1.0L ? lo : hi) = mid;
  }
  const long double tau = 0.5L * (lo + hi);
  const long double s = total(tau);
  for (size_t i = 0; i < K; ++i) {
    const long double u = am1 * (static_cast<long double>(x[i]) - xmax) - tau;
    p[i] = u > 0 ? static_cast<double>(std::pow(u, beta) / s) : 0.0;
  }
  return p;
}

// Applies bisection_entmax_row to every row of a 2-D double tensor.
inline torch::Tensor bisection_entmax(const torch::Tensor& x2d, double alpha) {
  auto x = x2d.to(torch::kDouble).contiguous();
  auto out = torch::empty_like(x);
  for (int64_t r = 0; r < x.size(0); ++r) {
    std::vector<double> row(x.size(1));
    for (int64_t k = 0; k < x.size(1); ++k) row[k] = x[r][k].item<double>();
    auto p = bisection_entmax_row(row, alpha);
    for (int64_t k = 0; k < x.size(1); ++k) out[r][k] = p[k];
  }
  return out;
}

// Central finite-difference gradient of a scalar function of x (double), step h.
inline torch::Tensor finite_difference_grad(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                                            const torch::Tensor& x, double h = 1e-6) {
  torch::NoGradGuard no_grad;
  auto flat = x.detach().clone().reshape({-1});
  auto grad = torch::zeros_like(flat);
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double orig = flat[i].item<double>();
    flat[i] = orig + h;
    const double up = f(flat.view(x.sizes())).item<double>();
    flat[i] = orig - h;
    const double down = f(flat.view(x.sizes())).item<double>();
    flat[i] = orig;
    grad[i] = (up - down) / (2 * h);
  }
  return grad.view(x.sizes());
}

// Runs f and records a failure unless it throws a c10::Error whose message contains needle.
inline void expect_error_containing(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected an error containing '" << needle << "'";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

// The message of the c10::Error f throws (without backtrace), or "" when it throws none.
template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  }
  return "";
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

// Restores the thread count when it goes out of scope.
class ThreadCountGuard {
 public:
  ThreadCountGuard() : threads_(at::get_num_threads()) {}
  ~ThreadCountGuard() { at::set_num_threads(threads_); }

 private:
  int threads_;
};

// A Mixed Dirichlet from its two parameters, named (the library has no positional constructor).
inline mixdist::MixedDirichlet mixed_dirichlet(const torch::Tensor& scores,
                                               const torch::Tensor& concentration) {
  return mixdist::MixedDirichlet(
      mixdist::MixedDirichletOptions().scores(scores).concentration(concentration));
}

}  // namespace mixdist::testing
