// GibbsFaces: closed forms (normaliser, marginals, entropy, KL, mode) against enumeration of the faces,
// sampling frequencies (chi-square), extreme scores, large K, the gradient of the normaliser, and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>
#include <vector>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::all_faces;
using mixdist::testing::brute_gibbs_probs;
using mixdist::testing::chi_square;
using mixdist::testing::expect_error_containing;
using mixdist::testing::seeded;

using mixdist::testing::max_abs_diff;

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
  expect_error_containing(
      [&] { g.log_prob(torch::zeros({3})); },
      "GibbsFaces: value must be a face mask (entries 0 or 1, at least one 1 per row), got [0, 0, 0]");
  expect_error_containing([&] { g.log_prob(torch::tensor({0.5f, 1.f, 0.f})); }, "got [0.5, 1, 0]");
  expect_error_containing([&] { g.log_prob(torch::ones({4})); }, "event shape");
  expect_error_containing(
      [] {
        mixdist::GibbsFaces(torch::tensor({std::nan(""), 1.0}));
      },
      "scores must be finite");
}
}  // namespace
