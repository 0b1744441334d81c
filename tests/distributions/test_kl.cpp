// The KL registry (dispatch on dynamic types, named errors, user pairs) and kl_divergence_mc from a
// Gaussian-Sparsemax to a Mixed Dirichlet and to the max-ent VAE prior against the exact K = 2 divergence
// (vertex masses plus a 1-D integral along the edge), within stated numbers of standard errors.
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
using mixdist::testing::Phi;
using mixdist::testing::seeded;
TEST(KLRegistry, DispatchesOnDynamicTypesAndNamesUnknownPairs) {
  mixdist::Normal n1(torch::zeros({2}), torch::ones({2})), n2(torch::ones({2}), torch::ones({2}));
  const mixdist::Distribution& p = n1;
  const mixdist::Distribution& q = n2;
  EXPECT_TRUE(torch::allclose(mixdist::kl_divergence(p, q), torch::full({2}, 0.5f)));
  mixdist::Dirichlet d(torch::ones({2, 3}));
  EXPECT_FALSE(mixdist::has_kl(p, d));
  try {
    mixdist::kl_divergence(p, d);
    FAIL();
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("(Normal, Dirichlet)"), std::string::npos) << e.what();
  }
  mixdist::register_kl<mixdist::Normal, mixdist::Dirichlet>(
      [](const mixdist::Normal&, const mixdist::Dirichlet&) { return torch::full({}, 42.0); });
  EXPECT_EQ(mixdist::kl_divergence(p, d).item<double>(), 42.0);
}

using mixdist::testing::mixed_dirichlet;

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
