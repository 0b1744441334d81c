// Face distributions (GibbsFaces, MaxEntropyFaces) and the MaskedDirichlet: closed forms against brute-force
// enumeration of the 2^K - 1 faces (built bit by bit here, independent of mixdist::enumerate_faces), the test
// vectors of docs/math.md#reference-values-used-by-the-tests, sampling frequencies with a chi-square bound
// (fixed seeds), Monte Carlo entropies and pathwise gradients, extreme parameters and named errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>
#include <vector>

#include "test_util.h"

namespace {

using mixdist::testing::max_abs_diff;

at::Generator seeded(uint64_t seed) {
  return at::detail::createCPUGenerator(seed);
}

// All non-empty faces of K vertices, double [2^K - 1, K], row r = face with bits of r + 1.
torch::Tensor all_faces(int64_t K) {
  std::vector<double> data;
  for (int64_t id = 1; id < (int64_t{1} << K); ++id)
    for (int64_t k = 0; k < K; ++k) data.push_back(static_cast<double>((id >> k) & 1));
  return torch::tensor(data, torch::kDouble).view({-1, K});
}

// Brute-force Gibbs face probabilities for scores w [K] (double): [2^K - 1].
torch::Tensor brute_gibbs_probs(const torch::Tensor& w) {
  auto f = all_faces(w.size(0));
  auto logits = ((2 * f - 1) * w).sum(-1);
  return torch::softmax(logits, 0);
}

// Index of each face row (0/1 mask [N, K]) in all_faces order: id - 1.
torch::Tensor row_ids(const torch::Tensor& faces) {
  const int64_t K = faces.size(-1);
  auto pw = torch::pow(2, torch::arange(K, torch::kLong));
  return (faces.to(torch::kLong) * pw).sum(-1) - 1;
}

// Pearson chi-square statistic of observed face rows against probabilities [M].
double chi_square(const torch::Tensor& faces, const torch::Tensor& probs) {
  const int64_t n = faces.size(0);
  auto counts = torch::bincount(row_ids(faces), {}, probs.size(0)).to(torch::kDouble);
  auto expected = probs * n;
  return ((counts - expected).pow(2) / expected).sum().item<double>();
}

template <class F>
void expect_error(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected an error containing '" << needle << "'";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

const std::vector<double> kW = {0.3, -1.2, 2.0, -0.5};

// ------------------------------------------------------------------------------------------------ GibbsFaces

TEST(GibbsFaces, TestVector) {
  mixdist::GibbsFaces g(torch::tensor(kW, torch::kDouble));
  EXPECT_NEAR(g.log_normalizer().item<double>(), 4.851454835324269, 1e-13);
  auto mu = torch::tensor({.648426, .083530, .986227, .270095}, torch::kDouble);
  EXPECT_LT(max_abs_diff(g.marginals(), mu), 1e-6);
  EXPECT_NEAR(g.entropy().item<double>(), 1.5880583869321931, 1e-13);
}

TEST(GibbsFaces, ClosedFormsMatchEnumeration) {
  const int64_t K = 5;
  auto w = torch::randn({3, K}, seeded(1)).to(torch::kDouble) * 1.5;
  auto v = torch::randn({3, K}, seeded(2)).to(torch::kDouble);
  mixdist::GibbsFaces p(w), q(v);
  auto f = all_faces(K);                                                       // [M, K]
  auto lp = p.log_prob(f.unsqueeze(1));                                        // [M, 3]
  EXPECT_LT(lp.logsumexp(0).abs().max().item<double>(), 1e-13);                // normalised
  EXPECT_TRUE(torch::equal(p.log_prob(f.unsqueeze(1).to(torch::kBool)), lp));  // bool masks accepted
  auto lq = q.log_prob(f.unsqueeze(1));
  auto m_size = f.sum(-1).to(torch::kLong) - 1;
  for (int64_t b = 0; b < 3; ++b) {
    auto probs = brute_gibbs_probs(w[b]);
    EXPECT_LT(max_abs_diff(lp.select(1, b).exp(), probs), 1e-14);
    EXPECT_LT(max_abs_diff(p.marginals()[b], (probs.unsqueeze(1) * f).sum(0)), 1e-14);
    const double h = -(probs * probs.log()).sum().item<double>();
    EXPECT_NEAR(p.entropy()[b].item<double>(), h, 1e-13);
    const double ce = -(probs * lq.select(1, b)).sum().item<double>();
    EXPECT_NEAR(mixdist::cross_entropy(p, q)[b].item<double>(), ce, 1e-13);
    EXPECT_NEAR(mixdist::kl_divergence(p, q)[b].item<double>(), ce - h, 1e-13);
    auto size_pmf = torch::zeros({K}, torch::kDouble).index_add_(0, m_size, probs);
    EXPECT_LT(max_abs_diff(p.log_size_pmf()[b].exp(), size_pmf), 1e-14);
    // Exact mode = the most probable face.
    auto best = f[probs.argmax()];
    EXPECT_TRUE(torch::equal(p.mode()[b], best)) << p.mode()[b] << best;
  }
  EXPECT_LT(mixdist::kl_divergence(p, p).abs().max().item<double>(), 1e-13);
  // Dispatch through the registry.
  const mixdist::Distribution &dp = p, &dq = q;
  EXPECT_TRUE(torch::allclose(mixdist::kl_divergence(dp, dq), mixdist::kl_divergence(p, q)));
}

TEST(GibbsFaces, ModeWhenNoScoreIsPositive) {
  mixdist::GibbsFaces g(torch::tensor({-3.0, -0.2, -1.0}, torch::kDouble));
  EXPECT_TRUE(torch::equal(g.mode(), torch::tensor({0.0, 1.0, 0.0}, torch::kDouble)));
  auto probs = brute_gibbs_probs(g.scores());
  EXPECT_TRUE(torch::equal(all_faces(3)[probs.argmax()], g.mode()));
}

TEST(GibbsFaces, SamplingFrequenciesChiSquare) {
  // Row 0: the test vector; row 1: all scores -3, where rejection sampling would accept only 1 - sigmoid(6)^4
  // (about 1%) of its proposals.
  auto w = torch::stack({torch::tensor(kW, torch::kDouble), torch::full({4}, -3.0, torch::kDouble)});
  mixdist::GibbsFaces g(w);
  const int64_t n = 40000;
  auto s = g.sample({n}, seeded(3));
  ASSERT_EQ(s.sizes(), torch::IntArrayRef({n, 2, 4}));
  EXPECT_TRUE(((s == 0) | (s == 1)).all().item<bool>());
  for (int64_t b = 0; b < 2; ++b) {
    // 15 faces, 14 degrees of freedom: P(chi2 > 36.12) = 0.001. A sampler off by 2% in one face's
    // probability (~0.1 here) already exceeds it at n = 40000.
    EXPECT_LT(chi_square(s.select(1, b), brute_gibbs_probs(w[b])), 36.12) << b;
  }
  EXPECT_TRUE(torch::equal(g.sample({7}, seeded(4)), g.sample({7}, seeded(4))));
  EXPECT_FALSE(torch::equal(g.sample({50}, seeded(4)), g.sample({50}, seeded(5))));
}

TEST(GibbsFaces, ExtremeScoresInFloat) {
  // Scores at the clamp +-10, K = 10, float: the naive normaliser cancels to 0 here.
  auto wd =
      torch::cat(
          {torch::full({1, 10}, -10.0), torch::full({1, 10}, 10.0),
           torch::tensor({10.0, -10.0, 10.0, -10.0, 10.0, -10.0, 10.0, -10.0, 10.0, -10.0}).view({1, 10})})
          .to(torch::kDouble);
  mixdist::GibbsFaces gd(wd), gf(wd.to(torch::kFloat));
  EXPECT_TRUE(gf.log_normalizer().isfinite().all().item<bool>());
  EXPECT_LT(max_abs_diff(gf.log_normalizer(), gd.log_normalizer()), 1e-4);
  EXPECT_LT(max_abs_diff(gf.marginals(), gd.marginals()), 1e-5);
  EXPECT_LT(max_abs_diff(gf.entropy(), gd.entropy()), 1e-3);
  EXPECT_TRUE(gf.entropy().isfinite().all().item<bool>());
  EXPECT_TRUE(mixdist::kl_divergence(gf, gf.expand({3})).isfinite().all().item<bool>());
  // All -10: essentially one of the 10 vertices, uniformly (each within 1e-7 of 1/10).
  EXPECT_NEAR(gd.entropy()[0].item<double>(), std::log(10.0), 1e-6);
  auto s = gf.sample({2000}, seeded(6));
  EXPECT_TRUE((s.sum(-1) >= 1).all().item<bool>());
  auto s0 = s.select(1, 0);
  EXPECT_TRUE((s0.sum(-1) == 1).all().item<bool>());
  // Each vertex has count ~ Binomial(2000, 0.1): sd 13.4; 5 sd.
  EXPECT_LT((s0.sum(0) - 200).abs().max().item<double>(), 67);
  EXPECT_TRUE((s.select(1, 1) == 1).all().item<bool>());
  EXPECT_TRUE(torch::equal(
      s.select(1, 2), torch::tensor({1.f, 0.f, 1.f, 0.f, 1.f, 0.f, 1.f, 0.f, 1.f, 0.f}).expand({2000, 10})));
  EXPECT_TRUE(gf.log_prob(s).isfinite().all().item<bool>());
}

TEST(GibbsFaces, SingleVertex) {
  mixdist::GibbsFaces g(torch::tensor({{-4.0}, {0.0}, {7.5}}, torch::kDouble));
  EXPECT_LT(g.log_prob(torch::ones({3, 1}, torch::kDouble)).abs().max().item<double>(), 1e-14);
  EXPECT_LT(g.entropy().abs().max().item<double>(), 1e-14);
  EXPECT_TRUE(torch::equal(g.sample({5}, seeded(7)), torch::ones({5, 3, 1}, torch::kDouble)));
  EXPECT_LT(max_abs_diff(g.marginals(), torch::ones({3, 1})), 1e-14);
}

TEST(GibbsFaces, LargeKIsFinite) {
  const int64_t K = 1000;
  auto w = (torch::randn({2, K}, seeded(8)) * 3).to(torch::kFloat);
  mixdist::GibbsFaces p(w), q(w.flip(-1));
  for (const auto& t : {p.log_normalizer(), p.marginals(), p.entropy(), p.log_size_pmf(),
                        mixdist::kl_divergence(p, q), mixdist::cross_entropy(p, q)})
    EXPECT_TRUE(t.isfinite().all().item<bool>());
  EXPECT_TRUE((mixdist::kl_divergence(p, q) > 0).all().item<bool>());
  EXPECT_NEAR(p.log_size_pmf().exp().sum(-1)[0].item<double>(), 1.0, 1e-3);
  auto s = p.sample({400}, seeded(9));
  EXPECT_TRUE(p.log_prob(s).isfinite().all().item<bool>());
  // Sample means of the bits against the marginals: sd <= 0.5/sqrt(400) = 0.025 per vertex; 5 sd.
  EXPECT_LT(max_abs_diff(s.mean(0), p.marginals()), 0.125);
}

TEST(GibbsFaces, GradientOfLogNormalizerIsTheMeanStatistic) {
  // d log Z / d w_k = E[2 f_k - 1]: an identity the closed forms must satisfy.
  auto w = torch::tensor(kW, torch::kDouble).requires_grad_();
  mixdist::GibbsFaces g(w);
  auto grad = torch::autograd::grad({g.log_normalizer()}, {w})[0];
  EXPECT_LT(max_abs_diff(grad, 2 * g.marginals().detach() - 1), 1e-13);
}

TEST(GibbsFaces, ErrorsNameTheProblem) {
  mixdist::GibbsFaces g(torch::zeros({3}));
  expect_error(
      [&] { g.log_prob(torch::zeros({3})); },
      "GibbsFaces: value must be a face mask (entries 0 or 1, at least one 1 per row), got [0, 0, 0]");
  expect_error([&] { g.log_prob(torch::tensor({0.5f, 1.f, 0.f})); }, "got [0.5, 1, 0]");
  expect_error([&] { g.log_prob(torch::ones({4})); }, "event shape");
  expect_error([] { mixdist::GibbsFaces(torch::tensor({std::nan(""), 1.0})); }, "scores must be finite");
}

// ------------------------------------------------------------------------------------------- MaxEntropyFaces

TEST(MaxEntropyFaces, SizeLawsOfBothVariants) {
  using V = mixdist::MaxEntropyFacesVariant;
  auto authors = mixdist::MaxEntropyFaces(10, 0, V::kAuthors).log_size_pmf().exp();
  auto derived = mixdist::MaxEntropyFaces(10, 0, V::kDerived).log_size_pmf().exp();
  EXPECT_LT(max_abs_diff(authors.slice(0, 0, 8),
                         torch::tensor({.3679, .3679, .1839, .0613, .0153, .0031, .0005, .0001})),
            1e-4);
  EXPECT_LT(max_abs_diff(derived.slice(0, 0, 8),
                         torch::tensor({.0616, .2770, .3694, .2155, .0646, .0108, .0010, .0001})),
            1e-4);
  // K = 2, N = 0: derived gives 1/3 to each face (the bit-vector VAE prior), the authors' 1/4, 1/4, 1/2.
  auto f = all_faces(2);
  EXPECT_LT(
      max_abs_diff(mixdist::MaxEntropyFaces(2).log_prob(f).exp(), torch::full({3}, 1.0 / 3, torch::kDouble)),
      1e-15);
  EXPECT_LT(max_abs_diff(mixdist::MaxEntropyFaces(2, 0, V::kAuthors).log_prob(f).exp(),
                         torch::tensor({.25, .25, .5}, torch::kDouble)),
            1e-15);
}

TEST(MaxEntropyFaces, TestVectorKL) {
  mixdist::GibbsFaces g(torch::tensor(kW, torch::kDouble));
  mixdist::MaxEntropyFaces m(4, 0, mixdist::MaxEntropyFacesVariant::kAuthors);
  EXPECT_LT(max_abs_diff(m.log_size_pmf().exp(), torch::tensor({.375, .375, .1875, .0625})), 1e-15);
  EXPECT_NEAR(mixdist::kl_divergence(g, m).item<double>(), 1.144222142800249, 1e-13);
}

TEST(MaxEntropyFaces, AgainstEnumerationBothVariants) {
  const int64_t K = 5;
  auto f = all_faces(K);
  auto w = torch::randn({2, K}, seeded(10)).to(torch::kDouble);
  mixdist::GibbsFaces g(w);
  for (auto variant :
       {mixdist::MaxEntropyFacesVariant::kDerived, mixdist::MaxEntropyFacesVariant::kAuthors}) {
    for (double N : {0.0, 1.5}) {
      mixdist::MaxEntropyFaces m(K, N, variant);
      // Independent reference: P(f) ∝ C(K,n)^{derived} 2^{N(n-1)} / (n-1)! / C(K,n), normalised by summing.
      auto n = f.sum(-1);
      auto log_binom = std::lgamma(K + 1.0) - (n + 1).lgamma() - (K - n + 1).lgamma();
      auto logw = N * std::log(2.0) * (n - 1) - n.lgamma() - log_binom;
      if (variant == mixdist::MaxEntropyFacesVariant::kDerived) logw = logw + log_binom;
      auto ref = torch::softmax(logw, 0);
      EXPECT_LT(max_abs_diff(m.log_prob(f).exp(), ref), 1e-15);
      const double h = -(ref * ref.log()).sum().item<double>();
      EXPECT_NEAR(m.entropy().item<double>(), h, 1e-13);
      EXPECT_LT(max_abs_diff(m.mean(), (ref.unsqueeze(1) * f).sum(0)), 1e-14);
      auto lg = g.log_prob(f.unsqueeze(1));  // [M, 2]
      for (int64_t b = 0; b < 2; ++b) {
        auto pg = lg.select(1, b).exp();
        const double kl_gm = (pg * (lg.select(1, b) - ref.log())).sum().item<double>();
        const double kl_mg = (ref * (ref.log() - lg.select(1, b))).sum().item<double>();
        EXPECT_NEAR(mixdist::kl_divergence(g, m)[b].item<double>(), kl_gm, 1e-12);
        EXPECT_NEAR(mixdist::kl_divergence(m, g)[b].item<double>(), kl_mg, 1e-12);
      }
      mixdist::MaxEntropyFaces other(K, N + 1, variant);
      auto ro = other.log_prob(f).exp();
      EXPECT_NEAR(mixdist::kl_divergence(m, other).item<double>(),
                  (ref * (ref.log() - ro.log())).sum().item<double>(), 1e-13);
    }
  }
}

TEST(MaxEntropyFaces, SamplingFrequenciesChiSquare) {
  mixdist::MaxEntropyFaces m(4, 1.0);
  const int64_t n = 40000;
  auto s = m.sample({n}, seeded(11));
  ASSERT_EQ(s.sizes(), torch::IntArrayRef({n, 4}));
  // 14 degrees of freedom, P(chi2 > 36.12) = 0.001.
  EXPECT_LT(chi_square(s, m.log_prob(all_faces(4)).exp()), 36.12);
  EXPECT_TRUE(torch::equal(m.sample({9}, seeded(12)), m.sample({9}, seeded(12))));
}

TEST(MaxEntropyFaces, LargeKAndBatchesOfIdenticalPriors) {
  const int64_t K = 1000;
  mixdist::MaxEntropyFaces m(K, 0.0, mixdist::MaxEntropyFacesVariant::kDerived, torch::kFloat);
  auto g = mixdist::GibbsFaces((torch::randn({3, K}, seeded(13)) * 2).to(torch::kFloat));
  auto mb = m.expand({3});
  EXPECT_EQ(mb.batch_shape(), torch::IntArrayRef({3}));
  for (const auto& t : {m.entropy(), mixdist::kl_divergence(g, m), mixdist::kl_divergence(mb, g),
                        mixdist::kl_divergence(g, mb)})
    EXPECT_TRUE(t.isfinite().all().item<bool>());
  EXPECT_EQ(mixdist::kl_divergence(mb, g).sizes(), torch::IntArrayRef({3}));
  EXPECT_TRUE((mixdist::kl_divergence(g, m) > 0).all().item<bool>());
  auto s = mb.sample({4}, seeded(14));
  EXPECT_EQ(s.sizes(), torch::IntArrayRef({4, 3, K}));
  EXPECT_TRUE(mb.log_prob(s).isfinite().all().item<bool>());
  EXPECT_TRUE((s.sum(-1) >= 1).all().item<bool>());
  const mixdist::Distribution &dg = g, &dm = m;
  EXPECT_TRUE(mixdist::has_kl(dg, dm) && mixdist::has_kl(dm, dg) && mixdist::has_kl(dm, dm));
}

// --------------------------------------------------------------------------------------------
// MaskedDirichlet

TEST(MaskedDirichlet, FullFaceIsTheDirichlet) {
  auto a = torch::tensor({{0.5, 2.0, 3.0, 1.2}, {1.0, 1.0, 4.0, 0.3}}, torch::kDouble);
  auto b = torch::tensor({{1.0, 1.0, 1.0, 1.0}, {2.0, 0.5, 1.5, 3.0}}, torch::kDouble);
  auto full = torch::ones({4}, torch::kBool);
  mixdist::MaskedDirichlet p(full, a), q(full, b);
  mixdist::Dirichlet dp(a), dq(b);
  auto y = dp.sample({20}, seeded(15));
  EXPECT_LT(max_abs_diff(p.log_prob(y), dp.log_prob(y)), 1e-12);
  EXPECT_LT(max_abs_diff(p.entropy(), dp.entropy()), 1e-13);
  EXPECT_LT(max_abs_diff(mixdist::kl_divergence(p, q), mixdist::kl_divergence(dp, dq)), 1e-13);
  EXPECT_LT(max_abs_diff(p.mean(), dp.mean()), 1e-15);
}

TEST(MaskedDirichlet, TwoVertexFaceIsABeta) {
  auto a = torch::tensor({7.0, 2.0, 0.1, 3.5}, torch::kDouble);
  auto face = torch::tensor({false, true, false, true});
  mixdist::MaskedDirichlet d(face, a);
  const double log_beta = std::lgamma(2.0) + std::lgamma(3.5) - std::lgamma(5.5);
  for (double x : {0.05, 0.5, 0.93}) {
    auto v = torch::tensor({0.0, x, 0.0, 1 - x}, torch::kDouble);
    EXPECT_NEAR(d.log_prob(v).item<double>(), std::log(x) + 2.5 * std::log(1 - x) - log_beta, 1e-13);
  }
  // Beta(2, 3.5) entropy: log B(a,b) - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b).
  auto psi = [](double x) { return torch::digamma(torch::tensor(x, torch::kDouble)).item<double>(); };
  const double h = log_beta - 1.0 * psi(2.0) - 2.5 * psi(3.5) + 3.5 * psi(5.5);
  EXPECT_NEAR(d.entropy().item<double>(), h, 1e-13);
  // KL against another two-vertex law on the same face: Beta(2, 3.5) || Beta(1, 1) = -H.
  mixdist::MaskedDirichlet u(face, torch::ones({4}, torch::kDouble));
  EXPECT_NEAR(mixdist::kl_divergence(d, u).item<double>(), -h, 1e-13);
  auto s = d.sample({5000}, seeded(16));
  EXPECT_TRUE((s.index({torch::indexing::Slice(), torch::tensor({0, 2})}) == 0).all().item<bool>());
  // Mean of Beta(2, 3.5) = 2/5.5; sd of the sample mean 0.19/sqrt(5000) = 2.7e-3; 5 sd.
  EXPECT_NEAR(s.select(1, 1).mean().item<double>(), 2.0 / 5.5, 1.4e-2);
}

TEST(MaskedDirichlet, TestVectorsAndVertices) {
  // Faces embedded in K = 5 with arbitrary concentrations outside (ignored).
  auto face = torch::tensor({true, false, true, true, false});
  auto a = torch::tensor({0.5, 9.0, 2.0, 3.0, 0.01}, torch::kDouble);
  auto ones = torch::tensor({1.0, 5.0, 1.0, 1.0, 7.0}, torch::kDouble);
  mixdist::MaskedDirichlet p(face, a), u(face, ones);
  EXPECT_NEAR(p.entropy().item<double>(), -1.914677, 1e-6);
  EXPECT_NEAR(u.entropy().item<double>(), -std::log(2.0), 1e-14);
  EXPECT_NEAR(mixdist::kl_divergence(p, u).item<double>(), 1.221530, 1e-6);
  EXPECT_LT(mixdist::kl_divergence(p, p).abs().item<double>(), 1e-14);
  // A one-vertex face: density 1, entropy 0, KL 0 whatever the concentrations.
  auto vertex = torch::tensor({false, false, false, true, false});
  mixdist::MaskedDirichlet v(vertex, a), v2(vertex, ones);
  auto e3 = torch::tensor({0.0, 0.0, 0.0, 1.0, 0.0}, torch::kDouble);
  EXPECT_EQ(v.log_prob(e3).item<double>(), 0.0);
  EXPECT_EQ(v.entropy().item<double>(), 0.0);
  EXPECT_EQ(mixdist::kl_divergence(v, v2).item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(v.sample({3}, seeded(17)), e3.expand({3, 5})));
  // Different faces: mutually singular.
  EXPECT_TRUE(std::isinf(mixdist::kl_divergence(p, v).item<double>()));
  const mixdist::Distribution &dp = p, &du = u;
  EXPECT_NEAR(mixdist::kl_divergence(dp, du).item<double>(), 1.221530, 1e-6);
}

TEST(MaskedDirichlet, EntropyAndKLByMonteCarlo) {
  auto face = torch::tensor({{true, true, false, true}, {false, true, true, true}});
  mixdist::MaskedDirichlet p(face,
                             torch::tensor({{0.7, 2.0, 1.0, 3.0}, {1.0, 0.8, 1.6, 2.2}}, torch::kDouble));
  mixdist::MaskedDirichlet q(face,
                             torch::tensor({{1.5, 1.0, 4.0, 0.9}, {1.0, 2.0, 1.0, 1.0}}, torch::kDouble));
  const int64_t n = 100000;
  auto y = p.sample({n}, seeded(18));
  // Per-sample spread of log p is about 1.5 here: sd of the mean 5e-3; tolerance ~4 sd.
  EXPECT_LT(max_abs_diff(-p.log_prob(y).mean(0), p.entropy()), 2e-2);
  EXPECT_LT(max_abs_diff((p.log_prob(y) - q.log_prob(y)).mean(0), mixdist::kl_divergence(p, q)), 2e-2);
  EXPECT_LT(max_abs_diff(y.mean(0), p.mean()), 5e-3);
}

TEST(MaskedDirichlet, TinyAndHugeConcentrationsKeepTheFace) {
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    for (double c : {1e-3, 1.0, 1e3}) {
      auto face = torch::rand({64, 10}, seeded(19)) < 0.5;
      face.select(1, 0).fill_(true);  // non-empty
      mixdist::MaskedDirichlet d(face, torch::full({64, 10}, c, dtype));
      auto s = d.sample({20}, seeded(20));
      EXPECT_TRUE(s.isfinite().all().item<bool>());
      EXPECT_TRUE(torch::equal(s > 0, face.expand({20, 64, 10}))) << c << " " << dtype;
      EXPECT_TRUE((s.masked_select(~face.expand({20, 64, 10})) == 0).all().item<bool>());
      EXPECT_LT((s.sum(-1) - 1).abs().max().item<double>(), 1e-5);
      EXPECT_TRUE(d.log_prob(s).isfinite().all().item<bool>()) << c;
      EXPECT_TRUE(d.entropy().isfinite().all().item<bool>());
    }
  }
}

TEST(MaskedDirichlet, PathwiseGradientMatchesTheMeanGradient) {
  // d E[y_1] / d alpha on the face {1, 2, 3} of K = 4: (a0 - a1)/a0^2 for alpha_1, -a1/a0^2 for the other
  // face coordinates, 0 for the masked one. MC with 2e5 samples.
  auto alpha = torch::tensor({0.4, 1.5, 0.8, 2.5}, torch::kDouble).requires_grad_();
  auto face = torch::tensor({false, true, true, true});
  mixdist::MaskedDirichlet d(face, alpha);
  auto y = d.rsample({200000}, seeded(21));
  auto g = torch::autograd::grad({y.select(-1, 1).mean()}, {alpha})[0];
  const double a0 = 4.8;
  auto exact =
      torch::tensor({0.0, (a0 - 1.5) / (a0 * a0), -1.5 / (a0 * a0), -1.5 / (a0 * a0)}, torch::kDouble);
  EXPECT_LT(max_abs_diff(g, exact), 3e-3);
  EXPECT_EQ(g[0].item<double>(), 0.0);
}

TEST(MaskedDirichlet, LogProbGradientsAreFiniteAndMatchFiniteDifferences) {
  auto face = torch::tensor({true, false, true, true});
  auto value = torch::tensor({0.2, 0.0, 0.5, 0.3}, torch::kDouble);
  auto alpha = torch::tensor({0.6, 1e-3, 2.0, 1.3}, torch::kDouble).requires_grad_();
  auto f = [&](const torch::Tensor& a) { return mixdist::MaskedDirichlet(face, a).log_prob(value); };
  auto g = torch::autograd::grad({f(alpha)}, {alpha})[0];
  EXPECT_TRUE(g.isfinite().all().item<bool>());
  EXPECT_LT(max_abs_diff(g, mixdist::testing::finite_difference_grad(f, alpha)), 1e-7);
  auto h = [&](const torch::Tensor& a) { return mixdist::MaskedDirichlet(face, a).entropy(); };
  auto gh = torch::autograd::grad({h(alpha)}, {alpha})[0];
  EXPECT_LT(max_abs_diff(gh, mixdist::testing::finite_difference_grad(h, alpha)), 1e-7);
}

TEST(MaskedDirichlet, ErrorsNameTheProblem) {
  auto a = torch::ones({3}, torch::kDouble);
  expect_error([&] { mixdist::MaskedDirichlet(torch::zeros({3}, torch::kBool), a); },
               "face must be a face mask (entries 0 or 1, at least one 1 per row), got [0, 0, 0]");
  expect_error([&] { mixdist::MaskedDirichlet(torch::ones({3}, torch::kBool), -a); }, "positive");
  expect_error([&] { mixdist::MaskedDirichlet(torch::ones({4}, torch::kBool), a); }, "vertices");
  // Its two tensors cannot be swapped silently: the face is a mask, the concentration must be floating.
  expect_error([&] { mixdist::MaskedDirichlet(a, torch::ones({3}, torch::kBool)); },
               "concentration must be floating point");
  mixdist::MaskedDirichlet d(torch::tensor({true, true, false}), a);
  expect_error([&] { d.log_prob(torch::tensor({0.2, 0.4, 0.4}, torch::kDouble)); }, "0 outside");
  expect_error([&] { d.log_prob(torch::tensor({0.2, 0.4, 0.0}, torch::kDouble)); }, "got [0.2, 0.4, 0]");
}

}  // namespace
