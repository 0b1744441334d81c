// experiments/signal_game/language: Spearman ranks with ties and the language measures.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "mixdist/data/concept_pool.h"
#include "mixdist/data/mnist.h"
#include "mixdist/experiments/registry.h"
#include "mixdist/experiments/signal_game/data.h"
#include "mixdist/experiments/signal_game/evaluation.h"
#include "mixdist/experiments/signal_game/experiment.h"
#include "mixdist/experiments/signal_game/mlp_features.h"
#include "mixdist/experiments/signal_game/model.h"
#include "mixdist/experiments/signal_game/report.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/fused_adam.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/rng_state.h"
#include "temp_dir.h"
#include "test_util.h"

namespace mixdist::experiments::signal_game {
namespace {

TEST(SignalGameLanguage, SpearmanRanksWithTiesAndTheLanguageMeasures) {
  EXPECT_DOUBLE_EQ(spearman_correlation({1, 2, 3, 4}, {10, 20, 30, 45}), 1.0);
  EXPECT_DOUBLE_EQ(spearman_correlation({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  EXPECT_EQ(spearman_correlation({1, 1, 1}, {1, 2, 3}), 0.0);
  // Ties take average ranks: a = (1, 2.5, 2.5, 4) against b = (1, 2, 3, 4) gives 0.9486832980505138.
  EXPECT_NEAR(spearman_correlation({0, 5, 5, 9}, {1, 2, 3, 4}), 0.9486832980505138, 1e-15);
  // Four targets of two-digit concepts, two of (0, 0) and two of (3, 3), and one-hot messages naming the
  // first digit.
  const at::Tensor digits = at::tensor({0, 0, 0, 0, 3, 3, 3, 3}, at::kLong).view({4, 2});
  const at::Tensor messages = at::one_hot(digits.select(1, 0), 4).to(at::kFloat);
  const LanguageStats s = analyse_language(messages, digits, 400);
  EXPECT_DOUBLE_EQ(s.symbol_entropy, 1.0);  // symbols 0 and 3, twice each
  EXPECT_EQ(s.distinct_symbols, 2);
  EXPECT_EQ(s.distinct_supports, 2);
  // Pairs: concept distances (0, 2, 2, 2, 2, 0), message distances (0, 1, 1, 1, 1, 0): perfectly ordered.
  EXPECT_NEAR(s.topographic_similarity, 1.0, 1e-12);
  // Dense messages share one support; a constant message distance has no correlation.
  const LanguageStats dense = analyse_language(at::full({4, 4}, 0.25), digits, 400);
  EXPECT_EQ(dense.distinct_supports, 1);
  EXPECT_EQ(dense.topographic_similarity, 0.0);
}

}  // namespace
}  // namespace mixdist::experiments::signal_game
