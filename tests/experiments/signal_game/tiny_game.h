// Small signal games for the tests: a synthetic concept pool and a tiny model for each channel.
#pragma once
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

using mixdist::testing::expect_error_containing;
using mixdist::testing::TempDir;
using mixdist::testing::ThreadCountGuard;

inline data::ConceptPoolSpec small_spec() {
  data::ConceptPoolSpec spec;
  spec.slots = 2;
  spec.train_images_per_concept = 8;
  spec.test_images_per_concept = 4;
  spec.seed = 5;
  return spec;
}

// A small model on the synthetic pool of two-digit concepts (100 concepts, F = 1568).
inline GameConfig tiny_config(Channel channel) {
  GameConfig c = make_preset(channel, "quick");
  c.dataset = "synthetic";
  c.digits_per_concept = 2;
  c.train_images_per_concept = 8;
  c.test_images_per_concept = 4;
  c.synthetic_digits = 200;
  c.valid_games = 128;
  c.test_games = 128;
  c.embedding = 32;
  c.hidden = 16;
  c.vocab = 32;
  // A faster learner than the paper's (lr 1e-3, logits / 10), so that 150 steps show learning.
  c.lr = 1e-2;
  c.sender_temperature = 1;
  c.eval_batch_size = 64;
  return c;
}

inline bool same_tensor(const at::Tensor& a, const at::Tensor& b) {
  return a.sizes() == b.sizes() && a.equal(b);
}

inline void expect_distinct_concepts_and_targets(const data::Games& g, int64_t concepts, int64_t images) {
  ASSERT_EQ(g.concepts.sizes(), g.images.sizes());
  for (int64_t b = 0; b < g.size(); ++b) {
    std::set<int64_t> seen;
    for (int64_t k = 0; k < g.game_size(); ++k) {
      const int64_t c = g.concepts[b][k].item<int64_t>();
      EXPECT_TRUE(c >= 0 && c < concepts);
      EXPECT_TRUE(seen.insert(c).second) << "game " << b << " repeats concept " << c;
      const int64_t i = g.images[b][k].item<int64_t>();
      EXPECT_TRUE(i >= 0 && i < images);
    }
    const int64_t y = g.labels[b].item<int64_t>();
    ASSERT_TRUE(y >= 0 && y < g.game_size());
    EXPECT_EQ(g.target_concepts()[b].item<int64_t>(), g.concepts[b][y].item<int64_t>());
    EXPECT_EQ(g.target_images()[b].item<int64_t>(), g.images[b][y].item<int64_t>());
  }
}

inline run::RunOptions quiet(const std::string& dir, std::ostream& log) {
  run::RunOptions o;
  o.run_dir = dir;
  o.interactive = false;
  o.log = &log;
  o.figures = false;
  return o;
}

inline std::string metrics_without_seconds(const std::string& dir) {
  std::stringstream in(io::read_file(dir + "/metrics.csv")), out;
  std::string line;
  std::getline(in, line);
  size_t seconds = 0;
  {
    std::stringstream header(line);
    for (std::string c; std::getline(header, c, ',') && c != "seconds";) ++seconds;
  }
  for (; std::getline(in, line);) {
    std::stringstream row(line);
    size_t i = 0;
    for (std::string v; std::getline(row, v, ','); ++i)
      if (i != seconds) out << v << ',';
    out << '\n';
  }
  return out.str();
}

}  // namespace
}  // namespace mixdist::experiments::signal_game
