#pragma once

// Helpers shared by the distributions tests: seeded generators, double vectors, the normal CDF, a trapezoid
// rule, independent Monte Carlo entropies and KLs, and brute-force enumeration of the faces of a small
// simplex (with a chi-square statistic of sampled faces against their probabilities).

#include <torch/torch.h>

#include <mixdist/distributions/distribution.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

namespace mixdist::testing {

// A CPU generator with a fixed seed.
inline at::Generator seeded(uint64_t seed) {
  return at::detail::createCPUGenerator(seed);
}

// A double tensor of the given values.
inline torch::Tensor dvec(const std::vector<double>& v) {
  return torch::tensor(v, torch::kDouble);
}

// The standard normal CDF.
inline double Phi(double u) {
  return 0.5 * std::erfc(-u / std::sqrt(2.0));
}

// Trapezoid rule of f over [lo, hi] with n intervals (f takes and returns double tensors).
inline double integrate(const std::function<torch::Tensor(const torch::Tensor&)>& f, double lo, double hi,
                        int64_t n) {
  auto x = torch::linspace(lo, hi, n + 1, torch::kDouble);
  auto y = f(x);
  const double h = (hi - lo) / static_cast<double>(n);
  return (h * (y.sum() - 0.5 * (y[0] + y[-1]))).item<double>();
}

// All non-empty faces of K vertices, double [2^K - 1, K], row r = face with bits of r + 1.
inline torch::Tensor all_faces(int64_t K) {
  std::vector<double> data;
  for (int64_t id = 1; id < (int64_t{1} << K); ++id)
    for (int64_t k = 0; k < K; ++k) data.push_back(static_cast<double>((id >> k) & 1));
  return torch::tensor(data, torch::kDouble).view({-1, K});
}

// Brute-force Gibbs face probabilities for scores w [K] (double): [2^K - 1].
inline torch::Tensor brute_gibbs_probs(const torch::Tensor& w) {
  auto f = all_faces(w.size(0));
  auto logits = ((2 * f - 1) * w).sum(-1);
  return torch::softmax(logits, 0);
}

// Index of each face row (0/1 mask [N, K]) in all_faces order: id - 1.
inline torch::Tensor row_ids(const torch::Tensor& faces) {
  const int64_t K = faces.size(-1);
  auto pw = torch::pow(2, torch::arange(K, torch::kLong));
  return (faces.to(torch::kLong) * pw).sum(-1) - 1;
}

// Pearson chi-square statistic of observed face rows against probabilities [M].
inline double chi_square(const torch::Tensor& faces, const torch::Tensor& probs) {
  const int64_t n = faces.size(0);
  auto counts = torch::bincount(row_ids(faces), {}, probs.size(0)).to(torch::kDouble);
  auto expected = probs * n;
  return ((counts - expected).pow(2) / expected).sum().item<double>();
}

// Independent Monte Carlo estimate of E_p[-log p(Y)] from n samples of a fixed seed.
inline torch::Tensor mc_entropy(const mixdist::Distribution& d, int64_t n, uint64_t seed) {
  auto y = d.sample({n}, seeded(seed));
  return -d.log_prob(y).mean(0);
}

// Independent Monte Carlo estimate of E_p[log p(Y) - log q(Y)] from n samples of a fixed seed.
inline torch::Tensor mc_kl(const mixdist::Distribution& p, const mixdist::Distribution& q, int64_t n,
                           uint64_t seed) {
  auto y = p.sample({n}, seeded(seed));
  return (p.log_prob(y) - q.log_prob(y)).mean(0);
}

}  // namespace mixdist::testing
