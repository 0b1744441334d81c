// random::bernoulli against its definition (Monte Carlo per probability level, fixed seed, 5 standard
// errors), reproducibility across thread counts, and named errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "mixdist/random/counter_based.h"
#include "test_util.h"

namespace mixdist::random {
namespace {

using mixdist::testing::expect_error_containing;

at::Generator seeded(uint64_t seed) {
  at::Generator g = at::detail::createCPUGenerator();
  g.set_current_seed(seed);
  return g;
}

TEST(CounterBasedBernoulli, EachProbabilityLevelIsHonoured) {
  // 200k draws at each of 6 levels, interleaved so every level spans many Philox blocks.
  const at::Tensor levels = at::tensor({0.0, 1e-3, 0.2, 0.5, 0.97, 1.0}, at::kDouble);
  const int64_t reps = 200'000;
  for (auto dtype : {at::kFloat, at::kDouble}) {
    const at::Tensor probs = levels.to(dtype).repeat({reps});
    const at::Tensor draws = sample_bernoulli(probs, seeded(11)).view({reps, 6}).to(at::kDouble);
    const at::Tensor rates = draws.mean(0);
    for (int64_t k = 0; k < 6; ++k) {
      const double p = levels[k].item<double>(), se = std::sqrt(p * (1 - p) / double(reps));
      EXPECT_NEAR(rates[k].item<double>(), p, 5 * se + 1e-12) << "level " << p;
    }
    EXPECT_TRUE(at::equal(draws, draws.round())) << "values are 0 or 1";
  }
}

TEST(CounterBasedBernoulli, ReproducibleWhateverTheThreadCount) {
  const at::Tensor probs = at::rand({100, 784});
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const at::Tensor one = sample_bernoulli(probs, seeded(12));
  at::set_num_threads(2);
  const at::Tensor two = sample_bernoulli(probs, seeded(12));
  at::set_num_threads(threads);
  EXPECT_TRUE(at::equal(one, two));
  EXPECT_FALSE(at::equal(one, sample_bernoulli(probs, seeded(13))));
}

TEST(CounterBasedBernoulli, NamedErrors) {
  expect_error_containing([] { sample_bernoulli(at::tensor({0.5, 1.5})); }, "probs must lie in [0, 1]");
  expect_error_containing(
      [] {
        sample_bernoulli(at::tensor({1, 0}));
      },
      "probs must be a float or double CPU tensor");
}

}  // namespace
}  // namespace mixdist::random
