// Code-length reading of the direct-sum entropy (docs/math.md#code-length): H+/ln 2 + N E[dim F] is the
// entropy in bits of the variable quantised at N bits, checked by quantising explicitly.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>

#include "test_util.h"

namespace {

using mixdist::testing::mixed_dirichlet;

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// Entropy in bits of Y_N = (face, bin of the free coordinate) for Y = clip(loc + scale eps, 0, 1): the atoms
// at 0 and 1 plus 2^N bins of (0, 1), each bin's mass from the normal CDF.
double quantised_entropy_bits(double loc, double scale, int N) {
  const int64_t bins = int64_t{1} << N;
  auto plogp = [](double p) { return p > 0 ? -p * std::log2(p) : 0.0; };
  double h = plogp(normal_cdf(-loc / scale)) + plogp(1 - normal_cdf((1 - loc) / scale));
  for (int64_t k = 0; k < bins; ++k) {
    const double a = static_cast<double>(k) / bins, b = static_cast<double>(k + 1) / bins;
    h += plogp(normal_cdf((b - loc) / scale) - normal_cdf((a - loc) / scale));
  }
  return h;
}

TEST(CodeLength, ClippedGaussianMatchesExplicitQuantisation) {
  for (auto [loc, scale] : std::vector<std::pair<double, double>>{{0.3, 0.4}, {0.8, 1.5}, {-0.2, 0.6}}) {
    mixdist::ClippedGaussian y(torch::full({}, loc, torch::kDouble), torch::full({}, scale, torch::kDouble));
    for (int N : {8, 12}) {
      // First-order expansion: the error shrinks like 4^-N.
      EXPECT_NEAR(y.entropy_bits(N).item<double>(), quantised_entropy_bits(loc, scale, N),
                  N == 8 ? 1e-4 : 1e-6)
          << loc << " " << scale << " N=" << N;
    }
    const double p_interior = normal_cdf((1 - loc) / scale) - normal_cdf(-loc / scale);
    EXPECT_NEAR(y.expected_face_dim().item<double>(), p_interior, 1e-14);
  }
}

TEST(CodeLength, GaussianSparsemaxOnAnEdgeIsItsClippedGaussianChart) {
  // K = 2: in the chart y_1 the law is ClippedGaussian((m_0 - m_1 + 1)/2, sqrt(s_0^2 + s_1^2)/2).
  auto loc = torch::tensor({0.4, -0.3}, torch::kDouble), scale = torch::tensor({1.0, 0.5}, torch::kDouble);
  mixdist::GaussianSparsemax g(loc, scale);
  const double l = (0.7 + 1) / 2, s = std::sqrt(1.25) / 2;
  EXPECT_NEAR(g.entropy_bits(10).item<double>(), quantised_entropy_bits(l, s, 10), 1e-5);
  mixdist::GaussianSparsemax g3(torch::zeros({3}, torch::kDouble), torch::ones({3}, torch::kDouble));
  EXPECT_THROW(g3.entropy_bits(4), c10::Error);
}

TEST(CodeLength, HardConcreteExpectedDimensionAndBits) {
  mixdist::HardConcrete h(torch::full({}, 0.5, torch::kDouble), 0.7);
  auto gen = at::detail::createCPUGenerator(11);
  auto s = h.sample({200000}, gen);
  const double interior = ((s > 0) & (s < 1)).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(h.expected_face_dim().item<double>(), interior, 4e-3);
  auto g1 = at::detail::createCPUGenerator(12), g2 = at::detail::createCPUGenerator(12);
  const auto bits = h.entropy_bits_mc(16, 1000, g1);
  const auto nats = h.entropy_mc(1000, g2);
  EXPECT_NEAR(bits.value.item<double>(),
              (nats.value / std::log(2.0) + 16 * h.expected_face_dim()).item<double>(), 1e-12);
  EXPECT_NEAR(bits.standard_error.item<double>(), nats.standard_error.item<double>() / std::log(2.0), 1e-15);
}

TEST(CodeLength, MixedDirichletBitsGrowWithPrecisionByTheExpectedDimension) {
  torch::manual_seed(13);
  auto q = mixed_dirichlet(torch::randn({3, 5}, torch::kDouble), torch::rand({3, 5}, torch::kDouble) + 0.5);
  auto slope = q.entropy_bits(9) - q.entropy_bits(8);
  EXPECT_LT((slope - q.expected_face_dim()).abs().max().item<double>(), 1e-10);
  // E[dim F] = E|F| - 1 from the exact face marginals.
  EXPECT_LT((q.expected_face_dim() - (q.face_law().marginals().sum(-1) - 1)).abs().max().item<double>(),
            1e-12);
}

}  // namespace
