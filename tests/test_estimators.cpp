// Gradient estimators and Monte Carlo divergences of the mixed distributions, each against an independent
// reference:
//  * pathwise (rsample) gradients of E[f(Y)] against score-function gradients E[f(Y) grad log p(Y)] for the
//    Dirichlet and MaskedDirichlet (implicit Gamma reparameterisation) and the Gaussian-Sparsemax, and the
//    Mixed-Dirichlet score-function surrogate (scores) and pathwise sample (concentrations) against exact
//    gradients by face enumeration with closed-form Dirichlet moments;
//  * kl_divergence_mc from a Gaussian-Sparsemax to a Mixed Dirichlet and to the max-ent VAE prior against the
//    exact K = 2 divergence (vertex masses plus a 1-D integral along the edge).
// Monte Carlo runs use fixed seeds and per-sample estimates, so each comparison is made within a stated
// number of standard errors estimated from the same samples; each test also checks that the compared
// quantity is far from 0 in those units, so that it could fail.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using mixdist::testing::mixed_dirichlet;

at::Generator seeded(uint64_t seed) {
  return at::detail::createCPUGenerator(seed);
}

torch::Tensor dvec(const std::vector<double>& v) {
  return torch::tensor(v, torch::kDouble);
}

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

// ---------------------------------------------------------------------------------------------------------
// Monte Carlo KL from a Gaussian-Sparsemax.

double Phi(double u) {
  return 0.5 * std::erfc(-u / std::sqrt(2.0));
}

// KL+(p || q) for p = GaussianSparsemax(loc, scale) with K = 2, in the chart y1
// (docs/math.md#the-two-vertex-case): d = z1 - z2 ~ N(m_d, s_d^2), P(e1) = Phi((m_d - 1)/s_d), P(e2) =
// Phi((-1 - m_d)/s_d), edge density (2/s_d) phi((2 y1 - 1 - m_d)/s_d). KL = sum over the vertices P log(P/Q)
// + ∫_0^1 p log(p/q) dy1, the integral by composite Simpson (20000 intervals, long double) in t with y1 = (1
// - cos(pi t))/2, which tames the logarithmic singularities of a Beta log-density at the ends.
double kl_k2_reference(double m_d, double s_d, double log_q1, double log_q2,
                       const std::function<long double(long double)>& log_q_edge) {
  const double p1 = Phi((m_d - 1) / s_d), p2 = Phi((-1 - m_d) / s_d);
  const long double pi = M_PIl;
  auto log_p_edge = [&](long double y) {
    const long double z = (2 * y - 1 - m_d) / s_d;
    return std::log(2.0L / s_d) - 0.5L * z * z - 0.5L * std::log(2 * pi);
  };
  const int m = 20000;
  long double integral = 0;
  for (int k = 1; k < m; ++k) {  // the end points contribute 0 (dy/dt = 0 there)
    const long double t = static_cast<long double>(k) / m;
    const long double y = 0.5L * (1 - std::cos(pi * t)), dy = 0.5L * pi * std::sin(pi * t);
    const long double lp = log_p_edge(y);
    integral += (k % 2 ? 4 : 2) * std::exp(lp) * (lp - log_q_edge(y)) * dy;
  }
  integral /= 3.0L * m;
  return p1 * (std::log(p1) - log_q1) + p2 * (std::log(p2) - log_q2) + static_cast<double>(integral);
}

TEST(MonteCarloKL, GaussianSparsemaxToMixedDirichletAndPriorMatchTheExactK2Divergence) {
  const double l1 = 0.4, l2 = -0.3, s1 = 0.7, s2 = 1.1;
  const double m_d = l1 - l2, s_d = std::sqrt(s1 * s1 + s2 * s2);
  mixdist::GaussianSparsemax p(dvec({l1, l2}), dvec({s1, s2}));
  const int64_t n = 200000;

  // q = MixedDirichlet(w, alpha): P(e1) ∝ e^{w1 - w2}, P(e2) ∝ e^{w2 - w1}, P(edge) ∝ e^{w1 + w2}, and
  // Beta(alpha1, alpha2) in y1 on the edge (alpha1 < 1: a singular log-density at y1 = 0).
  const double w1 = 0.3, w2 = -0.2, a1 = 0.8, a2 = 2.5;
  const double log_z = std::log(std::exp(w1 - w2) + std::exp(w2 - w1) + std::exp(w1 + w2));
  const long double log_beta = std::lgamma(a1) + std::lgamma(a2) - std::lgamma(a1 + a2);
  const double ref_md = kl_k2_reference(m_d, s_d, w1 - w2 - log_z, w2 - w1 - log_z, [&](long double y) {
    return (w1 + w2 - log_z) + (a1 - 1) * std::log(y) + (a2 - 1) * std::log1p(-y) - log_beta;
  });
  auto q = mixed_dirichlet(dvec({w1, w2}), dvec({a1, a2}));
  const auto kl_md = mixdist::kl_divergence_mc(p, q, n, seeded(10));
  std::cout << "[ estimator ] KL(GSP || MixedDirichlet), K = 2: exact " << ref_md << ", Monte Carlo "
            << kl_md.value.item<double>() << " +- " << kl_md.standard_error.item<double>() << "\n";
  EXPECT_NEAR(kl_md.value.item<double>(), ref_md, 4 * kl_md.standard_error.item<double>()) << ref_md;
  EXPECT_LT(kl_md.standard_error.item<double>(), 0.02 * ref_md);

  // The VAE prior: face masses 1/3, 1/3, 1/3 (derived max-ent law at N = 0) or 1/4, 1/4, 1/2 (the authors'
  // pmf_n, docs/math.md#maximum-entropy-face-laws), uniform on the edge (density (2 - 1)! = 1).
  struct PriorCase {
    mixdist::MaxEntropyFacesVariant variant;
    double vertex, edge;
  };
  for (const auto& c : {PriorCase{mixdist::MaxEntropyFacesVariant::kDerived, 1.0 / 3, 1.0 / 3},
                        PriorCase{mixdist::MaxEntropyFacesVariant::kAuthors, 0.25, 0.5}}) {
    const double ref = kl_k2_reference(m_d, s_d, std::log(c.vertex), std::log(c.vertex), [&](long double) {
      return std::log(static_cast<long double>(c.edge));
    });
    mixdist::MixedMaxEntDirichletPrior prior(2, 0.0, c.variant);
    const auto kl = mixdist::kl_divergence_mc(p, prior, n, seeded(11));
    std::cout << "[ estimator ] KL(GSP || max-ent prior), K = 2: exact " << ref << ", Monte Carlo "
              << kl.value.item<double>() << " +- " << kl.standard_error.item<double>() << "\n";
    EXPECT_NEAR(kl.value.item<double>(), ref, 4 * kl.standard_error.item<double>()) << ref;
    EXPECT_LT(kl.standard_error.item<double>(), 0.02 * ref);
  }
  // The Simpson reference itself: a prior whose masses and edge density are p's own gives 0.
  const double p1 = Phi((m_d - 1) / s_d), p2 = Phi((-1 - m_d) / s_d);
  EXPECT_NEAR(kl_k2_reference(m_d, s_d, std::log(p1), std::log(p2),
                              [&](long double y) {
                                const long double z = (2 * y - 1 - m_d) / s_d;
                                return std::log(2.0L / s_d) - 0.5L * z * z - 0.5L * std::log(2 * M_PIl);
                              }),
              0.0, 1e-12);
}

TEST(MonteCarloKL, GaussianSparsemaxToMixedLawsIsNonNegativeForK3AndZeroToItself) {
  mixdist::GaussianSparsemax p(dvec({0.6, 0.2, 0.2}), dvec({0.6, 0.3, 0.9}));
  const int64_t n = 20000;
  auto q = mixed_dirichlet(dvec({0.2, -0.1, 0.3}), dvec({1.2, 0.6, 2.0}));
  const mixdist::MixedMaxEntDirichletPrior derived(3),
      authors(3, 0.0, mixdist::MaxEntropyFacesVariant::kAuthors);
  for (const mixdist::Distribution* target :
       std::vector<const mixdist::Distribution*>{&q, &derived, &authors}) {
    const auto kl = mixdist::kl_divergence_mc(p, *target, n, seeded(12));
    EXPECT_TRUE(std::isfinite(kl.value.item<double>())) << target->name();
    EXPECT_GT(kl.value.item<double>(), -4 * kl.standard_error.item<double>()) << target->name();
    EXPECT_GT(kl.standard_error.item<double>(), 0.0);
  }
  EXPECT_EQ(mixdist::kl_divergence_mc(p, p, 1000, seeded(13)).value.item<double>(), 0.0);
}

}  // namespace
