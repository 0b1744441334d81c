// MixedDirichlet and the max-ent VAE prior: log-densities against the factorisation with a plain Dirichlet on
// the face's sub-vector, entropy and KL against brute-force sums over faces and against Monte Carlo (fixed
// seeds, stated tolerances), the Monte Carlo mode of the within-face expectation, gradients against finite
// differences, the score-function surrogate against the exact gradient, and extreme parameters.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>
#include <vector>

#include "distribution_testing.h"
#include "test_util.h"

namespace {

using mixdist::testing::max_abs_diff;
using mixdist::testing::mixed_dirichlet;
using mixdist::testing::seeded;

// Non-empty faces of K vertices as vectors of vertex indices, in id order.
std::vector<std::vector<int64_t>> face_lists(int64_t K) {
  std::vector<std::vector<int64_t>> out;
  for (int64_t id = 1; id < (int64_t{1} << K); ++id) {
    std::vector<int64_t> f;
    for (int64_t k = 0; k < K; ++k)
      if ((id >> k) & 1) f.push_back(k);
    out.push_back(f);
  }
  return out;
}

torch::Tensor mask_of(const std::vector<int64_t>& f, int64_t K) {
  auto m = torch::zeros({K}, torch::kDouble);
  for (int64_t k : f) m[k] = 1.0;
  return m;
}

// Brute-force Gibbs log-probabilities of the faces of face_lists(K), scores w [K] double.
torch::Tensor brute_gibbs_log_probs(const torch::Tensor& w) {
  const int64_t K = w.size(0);
  std::vector<torch::Tensor> logits;
  for (const auto& f : face_lists(K)) logits.push_back(((2 * mask_of(f, K) - 1) * w).sum());
  return torch::log_softmax(torch::stack(logits), 0);
}

// Plain Dirichlet of the face's sub-vector (mixdist::Dirichlet); nullptr-like for vertices.
torch::Tensor sub(const torch::Tensor& t, const std::vector<int64_t>& f) {
  return t.index_select(-1, torch::tensor(f, torch::kLong));
}

// H+ by brute force: sum_f P(f) [-log P(f) + H(Dir(alpha_f))] with H = 0 on vertices.
double brute_entropy(const torch::Tensor& w, const torch::Tensor& alpha) {
  auto lp = brute_gibbs_log_probs(w);
  auto faces = face_lists(w.size(0));
  double h = 0;
  for (size_t i = 0; i < faces.size(); ++i) {
    const double p = lp[i].exp().item<double>();
    double within = 0;
    if (faces[i].size() > 1) within = mixdist::Dirichlet(sub(alpha, faces[i])).entropy().item<double>();
    h += p * (-lp[i].item<double>() + within);
  }
  return h;
}

// KL+ by brute force between (w, a) and (v, b).
double brute_kl(const torch::Tensor& w, const torch::Tensor& a, const torch::Tensor& v,
                const torch::Tensor& b) {
  auto lp = brute_gibbs_log_probs(w), lq = brute_gibbs_log_probs(v);
  auto faces = face_lists(w.size(0));
  double kl = 0;
  for (size_t i = 0; i < faces.size(); ++i) {
    const double p = lp[i].exp().item<double>();
    double within = 0;
    if (faces[i].size() > 1)
      within =
          mixdist::kl_divergence(mixdist::Dirichlet(sub(a, faces[i])), mixdist::Dirichlet(sub(b, faces[i])))
              .item<double>();
    kl += p * (lp[i].item<double>() - lq[i].item<double>() + within);
  }
  return kl;
}

const std::vector<double> kW = {0.3, -1.2, 2.0, -0.5};
const std::vector<double> kA = {0.5, 2.0, 3.0, 1.2};

torch::Tensor rows(const std::vector<double>& a, const std::vector<double>& b) {
  return torch::stack({torch::tensor(a, torch::kDouble), torch::tensor(b, torch::kDouble)});
}

TEST(MixedDirichlet, LogProbIsGibbsTimesDirichletOnTheFace) {
  auto w = torch::tensor(kW, torch::kDouble), a = torch::tensor(kA, torch::kDouble);
  auto d = mixed_dirichlet(w, a);
  auto lg = brute_gibbs_log_probs(w);
  // An interior-of-edge point, a triangle point, the full face and a vertex.
  struct Case {
    std::vector<double> y;
    std::vector<int64_t> f;
  };
  for (const auto& c : std::vector<Case>{{{0.0, 0.3, 0.0, 0.7}, {1, 3}},
                                         {{0.2, 0.0, 0.5, 0.3}, {0, 2, 3}},
                                         {{0.1, 0.2, 0.3, 0.4}, {0, 1, 2, 3}},
                                         {{0.0, 0.0, 1.0, 0.0}, {2}}}) {
    auto y = torch::tensor(c.y, torch::kDouble);
    int64_t id = 0;
    for (int64_t k : c.f) id |= int64_t{1} << k;
    double expected = lg[id - 1].item<double>();
    if (c.f.size() > 1) expected += mixdist::Dirichlet(sub(a, c.f)).log_prob(sub(y, c.f)).item<double>();
    EXPECT_NEAR(d.log_prob(y).item<double>(), expected, 1e-13);
    EXPECT_NEAR(d.log_prob(y, y > 0).item<double>(), expected, 1e-13);
  }
  // The face carried explicitly wins over (y > 0): a face coordinate that underflowed to 0.
  auto y = torch::tensor({0.0, 0.4, 0.0, 0.6}, torch::kDouble);
  auto face = torch::tensor({true, true, false, true});
  EXPECT_TRUE(std::isfinite(d.log_prob(y, face).item<double>()));
  EXPECT_NE(d.log_prob(y, face).item<double>(), d.log_prob(y).item<double>());
}

TEST(MixedDirichlet, EntropyAndKLMatchBruteForceSums) {
  auto w = rows(kW, {1.0, 0.5, -2.0, 0.1});
  auto a = rows(kA, {0.3, 1.0, 4.0, 2.5});
  auto v = torch::tensor({{0.0, 0.0, 0.0, 0.0}, {-1.0, 2.0, 0.5, -0.3}}, torch::kDouble);
  auto b = torch::tensor({{1.0, 1.0, 1.0, 1.0}, {2.0, 0.7, 1.1, 0.9}}, torch::kDouble);
  auto p = mixed_dirichlet(w, a);
  auto q = mixed_dirichlet(v, b);
  auto h = p.entropy();
  auto kl = mixdist::kl_divergence(p, q);
  for (int64_t r = 0; r < 2; ++r) {
    EXPECT_NEAR(h[r].item<double>(), brute_entropy(w[r], a[r]), 1e-12);
    EXPECT_NEAR(kl[r].item<double>(), brute_kl(w[r], a[r], v[r], b[r]), 1e-12);
  }
  EXPECT_TRUE((kl > 0).all().item<bool>());
  EXPECT_LT(mixdist::kl_divergence(p, p).abs().max().item<double>(), 1e-13);
  const mixdist::Distribution &dp = p, &dq = q;
  EXPECT_LT(max_abs_diff(mixdist::kl_divergence(dp, dq), kl), 1e-15);
  // entropy_bits = H/ln2 + N E[dim F], E[dim F] = sum_f P(f)(|f| - 1) by enumeration.
  auto lg = brute_gibbs_log_probs(w[0]);
  double edim = 0;
  auto faces = face_lists(4);
  for (size_t i = 0; i < faces.size(); ++i) edim += lg[i].exp().item<double>() * (faces[i].size() - 1.0);
  EXPECT_NEAR(p.entropy_bits(8.0)[0].item<double>(), h[0].item<double>() / std::log(2.0) + 8 * edim, 1e-12);
}

TEST(MixedDirichlet, EntropyAndKLByMonteCarlo) {
  auto w = rows(kW, {0.2, 0.2, 0.2, 0.2});
  auto a = torch::tensor({{1.5, 2.0, 3.0, 1.2}, {0.8, 1.0, 2.0, 1.5}}, torch::kDouble);
  auto p = mixed_dirichlet(w, a);
  auto q = mixed_dirichlet(torch::zeros({2, 4}, torch::kDouble), torch::ones({2, 4}, torch::kDouble));
  const int64_t n = 100000;
  auto s = p.sample_with_face({n}, seeded(1));
  EXPECT_TRUE(torch::equal(s.face, s.value > 0));
  auto lp = p.log_prob(s.value, s.face);
  // The spread of -log p is about 2 here: sd of the mean 6e-3; tolerance ~4 sd.
  EXPECT_LT(max_abs_diff(-lp.mean(0), p.entropy()), 2.5e-2);
  EXPECT_LT(max_abs_diff((lp - q.log_prob(s.value, s.face)).mean(0), mixdist::kl_divergence(p, q)), 2.5e-2);
}

TEST(MixedDirichlet, MonteCarloWithinFaceExpectationIsUnbiased) {
  auto w = rows(kW, {1.0, -0.5, 0.0, 0.3});
  auto a = rows(kA, {0.2, 3.0, 1.0, 0.6});
  auto p = mixed_dirichlet(w, a);
  auto q = mixed_dirichlet(w.flip(-1), a.flip(-1));
  // Within-face entropies range over ~3 nats: sd of a 20000-face mean < 2e-2 / 1; tolerance 2.5e-2. The
  // reported standard error must be of that size and cover the exact value within 5 of them.
  const auto h = p.entropy_mc(20000, seeded(2));
  EXPECT_LT(max_abs_diff(h.value, p.entropy()), 2.5e-2);
  EXPECT_TRUE((h.standard_error > 1e-4).all().item<bool>() && (h.standard_error < 2e-2).all().item<bool>())
      << h.standard_error;
  EXPECT_TRUE(((h.value - p.entropy()).abs() < 5 * h.standard_error).all().item<bool>());
  const auto kl = mixdist::kl_divergence_mc(p, q, 20000, seeded(2));
  EXPECT_LT(max_abs_diff(kl.value, mixdist::kl_divergence(p, q)), 2.5e-2);
  EXPECT_TRUE(((kl.value - mixdist::kl_divergence(p, q)).abs() < 5 * kl.standard_error).all().item<bool>());
  mixdist::MixedMaxEntDirichletPrior prior(4, 0.0, mixdist::MaxEntropyFacesVariant::kAuthors);
  const auto kl_prior = mixdist::kl_divergence_mc(p, prior, 20000, seeded(4));
  EXPECT_LT(max_abs_diff(kl_prior.value, mixdist::kl_divergence(p, prior)), 2.5e-2);
  // The code length: entropy_bits_mc is the Monte Carlo entropy in bits plus the exact N E[dim F].
  const auto bits = p.entropy_bits_mc(16, 20000, seeded(2));
  EXPECT_LT(max_abs_diff(bits.value, h.value / std::log(2.0) + 16 * p.expected_face_dim()), 1e-12);
  EXPECT_LT(max_abs_diff(bits.standard_error, h.standard_error / std::log(2.0)), 1e-15);
  // A larger K (4095 faces, enumerated in chunks) against the Monte Carlo path.
  auto w12 = torch::randn({2, 12}, seeded(30)).to(torch::kDouble);
  auto a12 = (torch::rand({2, 12}, seeded(31)) * 2 + 0.5).to(torch::kDouble);
  auto p12 = mixed_dirichlet(w12, a12);
  auto q12 = mixed_dirichlet(w12.flip(-1), a12.flip(-1));
  EXPECT_LT(max_abs_diff(p12.entropy_mc(20000, seeded(2)).value, p12.entropy()), 4e-2);
  EXPECT_LT(max_abs_diff(mixdist::kl_divergence_mc(p12, q12, 20000, seeded(2)).value,
                         mixdist::kl_divergence(p12, q12)),
            4e-2);
  // A batch of 1100 needs two chunks of faces (about 4M batch x face entries per chunk): same rows.
  auto big = mixed_dirichlet(w12.repeat({550, 1}), a12.repeat({550, 1}));
  EXPECT_LT(max_abs_diff(big.entropy(), p12.entropy().repeat({550})), 1e-12);
  // Reproducible with the same generator seed.
  EXPECT_TRUE(torch::equal(p.entropy_mc(50, seeded(3)).value, p.entropy_mc(50, seeded(3)).value));
}

TEST(MixedDirichlet, FaceSumEnumerationMatchesNaivePerFaceSums) {
  // K = 5, three rows: entropy, KL to another Mixed Dirichlet and to the max-ent prior, and their gradients,
  // against a naive loop over the 31 faces that builds each face's Dirichlet explicitly (mixdist::Dirichlet
  // of the sub-vector) and weights it by the brute-force Gibbs probability. Both sides are autograd graphs,
  // so the gradients are compared too.
  const int64_t K = 5;
  auto w = torch::randn({3, K}, seeded(40)).to(torch::kDouble).mul(1.5).requires_grad_();
  auto a = (torch::rand({3, K}, seeded(41)) * 3 + 0.05).to(torch::kDouble).requires_grad_();
  auto v = torch::randn({3, K}, seeded(42)).to(torch::kDouble);
  auto b = (torch::rand({3, K}, seeded(43)) * 2 + 0.3).to(torch::kDouble);
  auto p = mixed_dirichlet(w, a);
  auto q = mixed_dirichlet(v, b);
  mixdist::MixedMaxEntDirichletPrior prior(K, 0.0, mixdist::MaxEntropyFacesVariant::kAuthors);
  mixdist::MaxEntropyFaces m(K, 0.0, mixdist::MaxEntropyFacesVariant::kAuthors);
  const auto fast =
      torch::stack({p.entropy(), mixdist::kl_divergence(p, q), mixdist::kl_divergence(p, prior)});
  std::vector<torch::Tensor> naive_rows;
  for (int64_t r = 0; r < 3; ++r) {
    auto lp = brute_gibbs_log_probs(w[r]), lq = brute_gibbs_log_probs(v[r]);
    torch::Tensor h = torch::zeros({}, torch::kDouble), kl_q = h, kl_m = h;
    const auto faces = face_lists(K);
    for (size_t i = 0; i < faces.size(); ++i) {
      const auto pf = lp[i].exp();
      const auto mask = mask_of(faces[i], K);
      const auto lm = m.log_prob(mask);
      torch::Tensor within_h = torch::zeros({}, torch::kDouble), within_q = within_h, within_m = within_h;
      if (faces[i].size() > 1) {
        mixdist::Dirichlet da(sub(a[r], faces[i]));
        within_h = da.entropy();
        within_q = mixdist::kl_divergence(da, mixdist::Dirichlet(sub(b[r], faces[i])));
        within_m = mixdist::kl_divergence(
            da, mixdist::Dirichlet(torch::ones({static_cast<int64_t>(faces[i].size())}, torch::kDouble)));
      }
      h = h + pf * (-lp[i] + within_h);
      kl_q = kl_q + pf * (lp[i] - lq[i] + within_q);
      kl_m = kl_m + pf * (lp[i] - lm + within_m);
    }
    naive_rows.push_back(torch::stack({h, kl_q, kl_m}));
  }
  const auto naive = torch::stack(naive_rows, 1);  // [3 quantities, 3 rows]
  EXPECT_LT(max_abs_diff(fast, naive), 1e-12) << fast << naive;
  const auto weights = torch::randn({3, 3}, seeded(44)).to(torch::kDouble);
  const auto g_fast = torch::autograd::grad({(fast * weights).sum()}, {w, a});
  const auto g_naive = torch::autograd::grad({(naive * weights).sum()}, {w, a});
  EXPECT_LT(max_abs_diff(g_fast[0], g_naive[0]), 1e-11);
  EXPECT_LT(max_abs_diff(g_fast[1], g_naive[1]), 1e-11);

  // The two public enumerators on a term of their own, E[exp(-sum_f a_i) |F|], against the same loop.
  auto g_sums = mixdist::expect_over_face_sums(
      p.face_law(), {{a}, [](const std::vector<torch::Tensor>& sums, const torch::Tensor& n) {
                       return torch::exp(-sums[0]) * n;
                     }});
  auto g_masks = mixdist::expect_over_faces(p.face_law(), [&](const torch::Tensor& face) {
    const auto f = face.to(torch::kDouble);  // [M, K]
    return torch::exp(-torch::matmul(a, f.t())) * f.sum(-1);
  });
  for (int64_t r = 0; r < 3; ++r) {
    auto lp = brute_gibbs_log_probs(w[r]);
    double want = 0;
    const auto faces = face_lists(K);
    for (size_t i = 0; i < faces.size(); ++i)
      want +=
          lp[i].exp().item<double>() * std::exp(-sub(a[r], faces[i]).sum().item<double>()) * faces[i].size();
    EXPECT_NEAR(g_sums[r].item<double>(), want, 1e-14);
    EXPECT_NEAR(g_masks[r].item<double>(), want, 1e-14);
  }
}

TEST(MixedDirichlet, ChunkedEnumerationAgreesAcrossBatchSizes) {
  // K = 10 with 1000 rows is enumerated in 16 chunks of 64 faces, a single row in one chunk of 1023: the same
  // rows give the same entropy and KL either way, and the first row matches the naive per-face sum.
  auto w = torch::randn({2, 10}, seeded(45)).to(torch::kDouble);
  auto a = (torch::rand({2, 10}, seeded(46)) * 2 + 0.2).to(torch::kDouble);
  auto big = mixed_dirichlet(w.repeat({500, 1}), a.repeat({500, 1}));
  const mixdist::MixedMaxEntDirichletPrior prior(10);
  const auto h_big = big.entropy(), kl_big = mixdist::kl_divergence(big, prior);
  for (int64_t r = 0; r < 2; ++r) {
    auto one = mixed_dirichlet(w[r], a[r]);
    EXPECT_LT(max_abs_diff(h_big.slice(0, r, 1000, 2), one.entropy().expand({500})), 1e-12);
    EXPECT_LT(max_abs_diff(kl_big.slice(0, r, 1000, 2), mixdist::kl_divergence(one, prior).expand({500})),
              1e-12);
  }
  EXPECT_NEAR(h_big[0].item<double>(), brute_entropy(w[0], a[0]), 1e-11);
}

TEST(MixedDirichlet, KLToTheMaxEntPrior) {
  auto w = rows(kW, {-1.0, 0.5, 0.5, 2.0});
  auto a = rows(kA, {0.9, 1.1, 0.4, 2.0});
  auto p = mixed_dirichlet(w, a);
  const auto s = p.sample_with_face({100000}, seeded(4));
  for (auto variant :
       {mixdist::MaxEntropyFacesVariant::kDerived, mixdist::MaxEntropyFacesVariant::kAuthors}) {
    mixdist::MixedMaxEntDirichletPrior prior(4, 0.0, variant);
    // Brute force: the prior is a MixedDirichlet-like law with face pmf m(f) and Dir(1) on the face, so
    // KL = sum_f P(f) [log P(f) - log m(f) + KL(Dir(a_f) || Dir(1_f))].
    mixdist::MaxEntropyFaces m(4, 0.0, variant);
    auto faces = face_lists(4);
    auto kl = mixdist::kl_divergence(p, prior);
    for (int64_t r = 0; r < 2; ++r) {
      auto lg = brute_gibbs_log_probs(w[r]);
      double ref = 0;
      for (size_t i = 0; i < faces.size(); ++i) {
        double within = 0;
        if (faces[i].size() > 1)
          within = mixdist::kl_divergence(
                       mixdist::Dirichlet(sub(a[r], faces[i])),
                       mixdist::Dirichlet(torch::ones({(int64_t)faces[i].size()}, torch::kDouble)))
                       .item<double>();
        const double lm = m.log_prob(mask_of(faces[i], 4)).item<double>();
        ref += lg[i].exp().item<double>() * (lg[i].item<double>() - lm + within);
      }
      EXPECT_NEAR(kl[r].item<double>(), ref, 1e-12);
    }
    // Monte Carlo of log p - log prior (1e5 samples shared by both variants; spread of the difference about
    // 2, sd of the mean 6e-3; tolerance ~4 sd).
    auto diff = p.log_prob(s.value, s.face) - prior.log_prob(s.value, s.face);
    EXPECT_LT(max_abs_diff(diff.mean(0), kl), 2.5e-2);
    const mixdist::Distribution &dp = p, &dq = prior;
    EXPECT_LT(max_abs_diff(mixdist::kl_divergence(dp, dq), kl), 1e-15);
  }
}

TEST(MixedDirichlet, MaxEntPriorIsTheMaxEntLaw) {
  // K = 2, N = 0, derived: 1/3 per vertex and 1/3 uniform on the edge.
  mixdist::MixedMaxEntDirichletPrior prior(2);
  EXPECT_NEAR(prior.log_prob(torch::tensor({1.0, 0.0}, torch::kDouble)).item<double>(), std::log(1.0 / 3),
              1e-15);
  EXPECT_NEAR(prior.log_prob(torch::tensor({0.3, 0.7}, torch::kDouble)).item<double>(), std::log(1.0 / 3),
              1e-15);
  EXPECT_NEAR(prior.entropy().item<double>(), std::log(3.0), 1e-15);
  // Its code length at precision N beats any other law's; at N = 0 vs a MixedDirichlet it is >= by Gibbs'
  // inequality. Checked against the entropy of a few MixedDirichlets (all must be below log 3 + N E[dim]).
  for (double N : {0.0, 2.0}) {
    mixdist::MixedMaxEntDirichletPrior pn(3, N);
    auto md = mixed_dirichlet(torch::randn({20, 3}, seeded(5)).to(torch::kDouble),
                              (torch::rand({20, 3}, seeded(6)) * 3 + 0.2).to(torch::kDouble));
    EXPECT_TRUE((md.entropy_bits(N) <= pn.entropy_bits(N) + 1e-12).all().item<bool>()) << N;
  }
  // Entropy and E[dim F] of the prior by Monte Carlo (2e5 samples).
  mixdist::MixedMaxEntDirichletPrior p3(3, 1.0, mixdist::MaxEntropyFacesVariant::kAuthors);
  auto y = p3.sample({200000}, seeded(7));
  EXPECT_NEAR(-p3.log_prob(y).mean().item<double>(), p3.entropy().item<double>(), 1.5e-2);
  EXPECT_NEAR(((y > 0).sum(-1) - 1).to(torch::kDouble).mean().item<double>(),
              p3.expected_face_dim().item<double>(), 1e-2);
  EXPECT_EQ(p3.expand({5}).log_prob(y.slice(0, 0, 5)).sizes(), torch::IntArrayRef({5}));
}

TEST(MixedDirichlet, GradientsMatchFiniteDifferences) {
  auto w = torch::tensor(kW, torch::kDouble).requires_grad_();
  auto a = torch::tensor(kA, torch::kDouble).requires_grad_();
  auto v = torch::tensor({0.1, 0.0, 0.5, 0.4}, torch::kDouble);
  auto b = torch::tensor({1.0, 2.0, 0.5, 1.5}, torch::kDouble);
  auto y = torch::tensor({0.25, 0.0, 0.5, 0.25}, torch::kDouble);
  using Fn = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>;
  std::vector<Fn> fns = {
      [&](const torch::Tensor& s, const torch::Tensor& c) { return mixed_dirichlet(s, c).log_prob(y); },
      [&](const torch::Tensor& s, const torch::Tensor& c) { return mixed_dirichlet(s, c).entropy(); },
      [&](const torch::Tensor& s, const torch::Tensor& c) {
        return mixdist::kl_divergence(mixed_dirichlet(s, c), mixed_dirichlet(v, b));
      },
      [&](const torch::Tensor& s, const torch::Tensor& c) {
        return mixdist::kl_divergence(mixed_dirichlet(s, c), mixdist::MixedMaxEntDirichletPrior(4));
      }};
  for (size_t i = 0; i < fns.size(); ++i) {
    auto grads = torch::autograd::grad({fns[i](w, a)}, {w, a});
    auto fd_w =
        mixdist::testing::finite_difference_grad([&](const torch::Tensor& s) { return fns[i](s, a); }, w);
    auto fd_a =
        mixdist::testing::finite_difference_grad([&](const torch::Tensor& c) { return fns[i](w, c); }, a);
    EXPECT_LT(max_abs_diff(grads[0], fd_w), 1e-7) << i;
    EXPECT_LT(max_abs_diff(grads[1], fd_a), 1e-7) << i;
  }
}

TEST(MixedDirichlet, RsampleIsPathwiseWithinTheFace) {
  auto w = torch::tensor(kW, torch::kDouble).requires_grad_();
  auto a = torch::tensor(kA, torch::kDouble).requires_grad_();
  auto d = mixed_dirichlet(w, a);
  auto s = d.rsample_with_face({1000}, seeded(8));
  EXPECT_TRUE(s.value.requires_grad());
  EXPECT_EQ(s.face.scalar_type(), torch::kBool);
  EXPECT_TRUE(torch::equal(s.face, s.value > 0));
  auto grads = torch::autograd::grad({s.value.select(-1, 0).mean()}, {w, a}, {}, c10::nullopt, false, true);
  EXPECT_FALSE(grads[0].defined() && grads[0].abs().sum().item<double>() > 0);  // the face is not pathwise
  EXPECT_TRUE(grads[1].defined() && grads[1].isfinite().all().item<bool>());
  EXPECT_TRUE(torch::equal(d.sample({6}, seeded(9)), d.sample({6}, seeded(9))));
  EXPECT_EQ(d.rsample({2, 3}).sizes(), torch::IntArrayRef({2, 3, 4}));
}

TEST(MixedDirichlet, ScoreFunctionSurrogateIsUnbiased) {
  // d/dw E_F[r(F)] for r(f) = c . f + [|f| = 1], exactly (enumeration) vs the average gradient of the
  // surrogate with an independent-resample baseline over 40000 draws.
  auto w = torch::tensor({0.4, -0.3, 0.1}, torch::kDouble).requires_grad_();
  auto c = torch::tensor({1.0, -2.0, 0.5}, torch::kDouble);
  auto reward = [&](const torch::Tensor& f) { return (f * c).sum(-1) + (f.sum(-1) == 1).to(torch::kDouble); };
  mixdist::GibbsFaces g(w);
  auto faces = mixdist::enumerate_faces(3).to(torch::kDouble);
  auto exact = torch::autograd::grad({(g.log_prob(faces).exp() * reward(faces)).sum()}, {w})[0];
  const int64_t n = 40000;
  auto f = g.sample({n}, seeded(10)), f2 = g.sample({n}, seeded(11));
  auto sur = mixdist::score_function_surrogate(g.log_prob(f), reward(f), reward(f2)).mean();
  auto est = torch::autograd::grad({sur}, {w})[0];
  // Per-draw gradient spread is below ~4 here: sd of the mean < 0.02; tolerance 0.08.
  EXPECT_LT(max_abs_diff(est, exact), 0.08) << est << exact;
}

TEST(MixedDirichlet, ExtremeParametersStayFinite) {
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    auto alternating = torch::tensor({10.0, -10.0, 10.0, -10.0, 10.0, -10.0, 10.0, -10.0, 10.0, -10.0});
    auto w = torch::stack({torch::full({10}, -10.0), alternating.to(torch::kFloat), torch::full({10}, 10.0)})
                 .to(dtype);
    for (double c : {1e-3, 1e3}) {
      auto d = mixed_dirichlet(w, torch::full({3, 10}, c, dtype));
      auto s = d.rsample_with_face({50}, seeded(12));
      EXPECT_TRUE(s.value.isfinite().all().item<bool>());
      EXPECT_TRUE(torch::equal(s.value > 0, s.face)) << c;
      EXPECT_TRUE(d.log_prob(s.value, s.face).isfinite().all().item<bool>()) << c;
      EXPECT_TRUE(d.entropy().isfinite().all().item<bool>());
      EXPECT_TRUE(mixdist::kl_divergence(d, mixdist::MixedMaxEntDirichletPrior(10, 0, {}, dtype))
                      .isfinite()
                      .all()
                      .item<bool>());
      EXPECT_TRUE(mixdist::kl_divergence(d, d).isfinite().all().item<bool>());
    }
  }
  // K = 1: the vertex, log p = 0, H = 0.
  auto one = mixed_dirichlet(torch::tensor({{3.0}}, torch::kDouble), torch::tensor({{0.5}}, torch::kDouble));
  EXPECT_EQ(one.log_prob(torch::ones({1, 1}, torch::kDouble)).item<double>(), 0.0);
  EXPECT_NEAR(one.entropy().item<double>(), 0.0, 1e-15);
  EXPECT_TRUE(torch::equal(one.sample({4}, seeded(13)), torch::ones({4, 1, 1}, torch::kDouble)));
  // K = 2 against the hand-written two-vertex law: P(vertex k), P(edge) Beta(a0, a1).
  auto w2 = torch::tensor({0.5, -0.2}, torch::kDouble), a2 = torch::tensor({2.0, 0.5}, torch::kDouble);
  auto two = mixed_dirichlet(w2, a2);
  const double z = std::exp(0.5 + 0.2) + std::exp(-0.5 - 0.2) + std::exp(0.5 - 0.2);
  EXPECT_NEAR(two.log_prob(torch::tensor({1.0, 0.0}, torch::kDouble)).item<double>(), 0.7 - std::log(z),
              1e-14);
  const double x = 0.3, log_beta = std::lgamma(2.0) + std::lgamma(0.5) - std::lgamma(2.5);
  EXPECT_NEAR(two.log_prob(torch::tensor({x, 1 - x}, torch::kDouble)).item<double>(),
              0.3 - std::log(z) + std::log(x) - 0.5 * std::log(1 - x) - log_beta, 1e-13);
  // Monte Carlo within-face terms for any K (K = 20 is still enumerable, K = 1000 is not).
  for (int64_t K : {20, 1000}) {
    auto wk = (torch::randn({2, K}, seeded(14)) * 2).to(torch::kFloat);
    auto dk = mixed_dirichlet(wk, torch::full({2, K}, 0.5f));
    const int64_t n = K == 20 ? 200 : 20;
    EXPECT_TRUE(dk.entropy_mc(n, seeded(15)).value.isfinite().all().item<bool>()) << K;
    const mixdist::MixedMaxEntDirichletPrior prior(K, 0, {}, torch::kFloat);
    EXPECT_TRUE(mixdist::kl_divergence_mc(dk, prior, n, seeded(15)).value.isfinite().all().item<bool>()) << K;
    auto s = dk.sample_with_face({3}, seeded(16));
    EXPECT_TRUE(dk.log_prob(s.value, s.face).isfinite().all().item<bool>()) << K;
  }
}

TEST(MixedDirichlet, ErrorsNameTheProblem) {
  auto expect_error = [](const std::function<void()>& f, const std::string& needle) {
    try {
      f();
      ADD_FAILURE() << "expected an error containing '" << needle << "'";
    } catch (const c10::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  auto w = torch::zeros({3}, torch::kDouble), a = torch::ones({3}, torch::kDouble);
  expect_error([&] { mixed_dirichlet(w, -a); }, "MixedDirichlet: concentration must be positive");
  expect_error([&] { mixed_dirichlet(torch::zeros({4}, torch::kDouble), a); }, "vertices");
  auto d = mixed_dirichlet(w, a);
  // Each message names the user's own value and where it is.
  expect_error(
      [&] {
        d.log_prob(torch::tensor({0.5, 0.6, 0.0}, torch::kDouble));
      },
      "MixedDirichlet: value must be a point of the simplex (entries >= 0 summing to 1), got [0.5, 0.6, 0]");
  expect_error(
      [&] {
        mixed_dirichlet(w, torch::tensor({1.0, -2.5, 1.0}, torch::kDouble));
      },
      "concentration must be positive and finite, got -2.5 at index [1]");
  expect_error(
      [&] {
        d.log_prob(torch::tensor({0.5, 0.5, 0.0}, torch::kDouble), torch::tensor({true, false, false}));
      },
      "value must be 0 outside the given face, got 0.5 at index [1] where face is 0");
  // An empty face is reported as the user's row of zeros (not as an internal marker).
  expect_error(
      [&] {
        d.log_prob(torch::tensor({{1.0, 0.0, 0.0}, {0.5, 0.5, 0.0}}, torch::kDouble),
                   torch::tensor({{true, false, false}, {false, false, false}}));
      },
      "face must be a face mask (entries 0 or 1, at least one 1 per row), got [0, 0, 0] at index [1]");
  // Parameters left unset by the options.
  expect_error([&] { mixdist::MixedDirichlet(mixdist::MixedDirichletOptions().scores(w)); },
               "concentration is not set");
  // Exact methods are exact or throw, naming the Monte Carlo alternative.
  auto big = mixed_dirichlet(torch::zeros({30}, torch::kDouble), torch::ones({30}, torch::kDouble));
  expect_error([&] { big.entropy(); }, "limited to K <= 24, got K = 30; use the Monte Carlo estimate");
  expect_error([&] { mixdist::kl_divergence(big, big); }, "kl_divergence_mc");
  expect_error([&] { big.entropy_mc(1); }, "num_samples must be >= 2");
}

// The positional constructor MixedDirichlet(scores, concentration) does not exist: both arguments are
// same-shaped tensors, so a swap would compile and give wrong numbers. Checked at compile time.
static_assert(!std::is_constructible_v<mixdist::MixedDirichlet, torch::Tensor, torch::Tensor>,
              "MixedDirichlet must not be constructible from two positional tensors");
static_assert(!std::is_constructible_v<mixdist::MixedDirichlet, torch::Tensor, torch::Tensor, bool>,
              "MixedDirichlet must not be constructible from two positional tensors");
static_assert(std::is_constructible_v<mixdist::MixedDirichlet, mixdist::MixedDirichletOptions, bool>,
              "the named form with validate_args must stay available");
}  // namespace
