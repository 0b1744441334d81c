// The Distribution base: argument validation errors name the argument, and the global and per-instance
// validation switches.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <cmath>

#include "test_util.h"

namespace {

TEST(Distributions, ValidationErrorsNameTheArgument) {
  const auto expect_error = mixdist::testing::expect_error_containing;
  expect_error(
      [] {
        mixdist::Normal(torch::zeros({2}), torch::tensor({1.0, -1.0}));
      },
      "scale must be positive");
  expect_error([] { mixdist::Dirichlet(torch::tensor({1.0, 0.0})); }, "concentration must be positive");
  expect_error([] { mixdist::Dirichlet(torch::ones({3})).log_prob(torch::ones({2})); }, "event shape");
  expect_error([] { mixdist::Categorical(torch::zeros({3})).log_prob(torch::tensor({3})); },
               "value must be a whole number in [0, 2], got 3 at index [0]");
  expect_error([] { mixdist::Bernoulli(torch::zeros({2})).log_prob(torch::tensor({0.5, 1.0})); }, "0 or 1");
  expect_error([] { mixdist::Categorical(torch::zeros({3})).rsample(); }, "no reparameterised sampler");
  // Validation can be switched off globally and per instance.
  mixdist::set_default_validate_args(false);
  EXPECT_NO_THROW(mixdist::Normal(torch::zeros({2}), torch::tensor({1.0, -1.0})));
  mixdist::set_default_validate_args(true);
  EXPECT_NO_THROW(mixdist::Normal(torch::zeros({2}), torch::tensor({1.0, -1.0}), false));
}
}  // namespace
