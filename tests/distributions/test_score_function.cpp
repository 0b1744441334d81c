// Gradient estimators against independent references: pathwise (rsample) gradients of E[f(Y)] against
// score-function gradients for the Dirichlet, MaskedDirichlet and Gaussian-Sparsemax, and the Mixed-Dirichlet
// score-function surrogate (scores) and pathwise sample (concentrations) against exact gradients by face
// enumeration. Fixed seeds; each comparison within stated standard errors, each quantity far from 0.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::dvec;
using mixdist::testing::mixed_dirichlet;
using mixdist::testing::seeded;

// Mean and standard error (sample sd / sqrt(n)) of per-sample estimates, rows [n, d].
struct MeanSe {
  torch::Tensor mean, se;
};

MeanSe mean_se(const torch::Tensor& rows) {
  return {rows.mean(0), rows.std(0) / std::sqrt(static_cast<double>(rows.size(0)))};
}

// Two independent unbiased estimates of the same vector agree within `sigmas` combined standard errors in
// every coordinate (coordinates where both are exactly 0, e.g. parameters the function ignores, pass), and
// at least one coordinate of `a` is 10 standard errors away from 0, so a wrong sign or a dropped term would
// show.
void expect_agree(const MeanSe& a, const MeanSe& b, double sigmas, const std::string& what) {
  const auto se = (a.se.square() + b.se.square()).sqrt();
  EXPECT_TRUE(((a.mean - b.mean).abs() <= sigmas * se).all().item<bool>())
      << what << "\n a " << a.mean << "\n b " << b.mean << "\n combined se " << se;
  const auto z = torch::where(se > 0, (a.mean - b.mean).abs() / se, torch::zeros_like(se));
  const auto signal = torch::where(se > 0, a.mean.abs() / se, torch::zeros_like(se));
  std::cout << "[ estimator ] " << what << ": max |difference| = " << z.max().item<double>()
            << " combined se; largest |gradient| = " << signal.max().item<double>() << " se\n";
  EXPECT_TRUE((a.mean.abs() > 10 * a.se).any().item<bool>()) << what << ": no coordinate is significant";
}

// An exact value against an unbiased estimate.
void expect_agree(const torch::Tensor& exact, const MeanSe& b, double sigmas, const std::string& what) {
  expect_agree(MeanSe{exact, torch::zeros_like(exact)}, b, sigmas, what);
  EXPECT_TRUE((exact.abs() > 10 * b.se).any().item<bool>()) << what << ": no coordinate is significant";
}

// A smooth test function of points of the simplex [n, K] -> [n].
torch::Tensor smooth_f(const torch::Tensor& y) {
  const int64_t K = y.size(-1);
  const auto c = torch::linspace(1.0, -1.0, K, torch::kDouble);
  return (y * c).sum(-1).square() + torch::sin(2 * y.select(-1, 0)) + y.select(-1, 1) * y.select(-1, K - 1);
}

TEST(PathwiseGradients, DirichletAndMaskedDirichletMatchScoreFunction) {
  // d/d alpha E[f(Y)] for Y ~ Dir(alpha) (K = 3) and Y ~ Dir(alpha_f) on the face {0, 1, 3} of K = 4: the
  // pathwise gradient through rsample (implicit Gamma reparameterisation) against the score-function
  // estimate (f(Y) - f(Y')) grad log p(Y) with an independent Y' as baseline. One gradient row per sample:
  // the batch holds n copies of alpha, and each row's sample depends on its own copy only.
  const int64_t n = 40000;
  struct Case {
    torch::Tensor face, alpha;
  };
  for (const auto& c : {Case{torch::tensor({true, true, true}), dvec({0.8, 2.0, 1.3})},
                        Case{torch::tensor({true, true, false, true}), dvec({0.7, 1.5, 2.0, 1.1})}}) {
    const int64_t K = c.alpha.size(0);
    const bool full = c.face.all().item<bool>();
    auto make = [&](const torch::Tensor& a) -> std::unique_ptr<mixdist::Distribution> {
      if (full) return std::make_unique<mixdist::Dirichlet>(a);
      return std::make_unique<mixdist::MaskedDirichlet>(c.face.expand({n, K}), a);
    };
    auto a_path = c.alpha.expand({n, K}).clone().requires_grad_();
    auto y_path = make(a_path)->rsample({}, seeded(1));
    const auto pathwise = torch::autograd::grad({smooth_f(y_path).sum()}, {a_path})[0];

    auto a_score = c.alpha.expand({n, K}).clone().requires_grad_();
    auto law = make(a_score);
    const auto y = law->sample({}, seeded(2)), y_baseline = law->sample({}, seeded(3));
    const auto score = torch::autograd::grad({law->log_prob(y).sum()}, {a_score})[0];
    const auto sfe = (smooth_f(y) - smooth_f(y_baseline)).unsqueeze(-1) * score;
    expect_agree(mean_se(pathwise), mean_se(sfe), 4.5, full ? "Dirichlet" : "MaskedDirichlet");
  }
}

TEST(PathwiseGradients, GaussianSparsemaxMatchesScoreFunction) {
  // d/d(loc, scale) E[f(sparsemax(loc + scale eps))], K = 3 at the parameters of
  // docs/math.md#reference-values-used-by-the-tests: pathwise through rsample against the score function with
  // grad log p from log_prob (the adaptive quadrature's gradient for faces of every dimension, vertices
  // included). f is smooth and sparsemax continuous, so the pathwise gradient is unbiased.
  const int64_t n = 40000;
  const auto loc0 = dvec({0.6, 0.2, 0.2}), scale0 = dvec({0.6, 0.3, 0.9});
  auto l_path = loc0.expand({n, 3}).clone().requires_grad_();
  auto s_path = scale0.expand({n, 3}).clone().requires_grad_();
  const auto y_path = mixdist::GaussianSparsemax(l_path, s_path).rsample({}, seeded(4));
  const auto g_path = torch::autograd::grad({smooth_f(y_path).sum()}, {l_path, s_path});

  auto l_score = loc0.expand({n, 3}).clone().requires_grad_();
  auto s_score = scale0.expand({n, 3}).clone().requires_grad_();
  mixdist::GaussianSparsemax law(l_score, s_score);
  const auto y = law.sample({}, seeded(5)), y_baseline = law.sample({}, seeded(6));
  EXPECT_TRUE(((y == 0).sum(-1) == 2).any().item<bool>());  // vertices are part of the sample
  const auto score = torch::autograd::grad({law.log_prob(y).sum()}, {l_score, s_score});
  const auto weight = (smooth_f(y) - smooth_f(y_baseline)).unsqueeze(-1);
  expect_agree(mean_se(torch::cat({g_path[0], g_path[1]}, -1)),
               mean_se(torch::cat({weight * score[0], weight * score[1]}, -1)), 4.5, "GaussianSparsemax");
}

TEST(PathwiseGradients, MixedDirichletScoreFunctionAndPathwiseMatchEnumeration) {
  // J(w, alpha) = E[f(Y)] for Y ~ MixedDirichlet(w, alpha), K = 3, with f(y) = sum_k c_k y_k + d_k y_k^2,
  // whose expectation on a face has the closed form E[y_k] = a_k / a0, E[y_k^2] = a_k (a_k + 1) / (a0 (a0 +
  // 1)) (a vertex: y_k = 1). Exactly: J = sum_f P_w(f) E_f[f(Y)] over the 7 faces, differentiated by
  // autograd.
  const auto w0 = dvec({0.4, -0.3, 0.1}), alpha0 = dvec({1.5, 0.7, 2.0});
  const auto c = dvec({1.0, -2.0, 0.5}), d = dvec({-1.5, 3.0, 2.0});
  auto f = [&](const torch::Tensor& y) { return (y * c + y.square() * d).sum(-1); };
  auto w = w0.clone().requires_grad_(), alpha = alpha0.clone().requires_grad_();
  const auto faces = mixdist::enumerate_faces(3).to(torch::kDouble);  // [7, 3]
  const auto a_face = faces * alpha;
  const auto a0 = a_face.sum(-1, true);
  const auto moments = (c * a_face / a0 + d * a_face * (a_face + 1) / (a0 * (a0 + 1))).sum(-1);
  const auto J = (mixdist::GibbsFaces(w).log_prob(faces).exp() * moments).sum();
  const auto exact = torch::autograd::grad({J}, {w, alpha});

  // Scores: the surrogate of docs/math.md#gradient-estimators with reward f(Y) and an independent resample's
  // f(Y') as baseline.
  const int64_t n = 40000;
  auto w_n = w0.expand({n, 3}).clone().requires_grad_();
  auto q = mixed_dirichlet(w_n, alpha0.expand({n, 3}));
  const auto s = q.sample_with_face({}, seeded(7)), s_baseline = q.sample_with_face({}, seeded(8));
  const auto surrogate =
      mixdist::score_function_surrogate(q.face_law().log_prob(s.face), f(s.value), f(s_baseline.value));
  const auto sfe = torch::autograd::grad({surrogate.sum()}, {w_n})[0];
  expect_agree(exact[0], mean_se(sfe), 4.5, "MixedDirichlet scores (score function)");

  // Concentrations: pathwise within the sampled face (the face itself does not depend on alpha).
  auto a_n = alpha0.expand({n, 3}).clone().requires_grad_();
  const auto r = mixed_dirichlet(w0.expand({n, 3}), a_n).rsample_with_face({}, seeded(9));
  const auto pathwise = torch::autograd::grad({f(r.value).sum()}, {a_n})[0];
  expect_agree(exact[1], mean_se(pathwise), 4.5, "MixedDirichlet concentrations (pathwise)");
}
}  // namespace
