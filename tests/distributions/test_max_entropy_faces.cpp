// MaxEntropyFaces: the size laws of both variants, the test-vector KL, enumeration, sampling frequencies,
// large K and batches of identical priors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>
#include <vector>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::all_faces;
using mixdist::testing::chi_square;
using mixdist::testing::max_abs_diff;
using mixdist::testing::seeded;

const std::vector<double> kW = {0.3, -1.2, 2.0, -0.5};

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
}  // namespace
