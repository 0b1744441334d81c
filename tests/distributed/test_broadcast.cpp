#include "mixdist/distributed/broadcast.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ranks.h"

namespace {

using mixdist::distributed::ProcessGroup;

// Parameters (float) and buffers (here a long one) both arrive: one flat buffer per dtype.
TEST(DistributedBroadcast, ModuleGetsRootsParametersAndBuffers) {
  struct M : torch::nn::Module {
    M(float v) {
      w = register_parameter("w", torch::full({2, 3}, v));
      b = register_parameter("b", torch::full({3}, -v));
      count = register_buffer("count", torch::full({1}, int64_t(v)));
    }
    torch::Tensor w, b, count;
  };
  std::vector<std::vector<float>> got(2);
  std::vector<int64_t> counts(2);
  const auto errors = mixdist::testing::run_ranks(2, [&](ProcessGroup& g) {
    M m(g.rank() == 0 ? 7.0f : 1.0f);
    mixdist::distributed::broadcast_module(g, m);
    got[g.rank()] = {m.w[1][2].item<float>(), m.b[0].item<float>()};
    counts[g.rank()] = m.count.item<int64_t>();
    EXPECT_TRUE(m.w.requires_grad());
  });
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(errors[r], "");
    EXPECT_EQ(got[r], (std::vector<float>{7.0f, -7.0f}));
    EXPECT_EQ(counts[r], 7);
  }
}

}  // namespace

namespace {

TEST(DistributedBroadcast, StringsOfAnyLengthArrive) {
  std::vector<std::string> got(3);
  const auto errors = mixdist::testing::run_ranks(3, [&](mixdist::distributed::ProcessGroup& g) {
    const std::string mine = g.rank() == 1 ? std::string(100000, 'x') + "end" : "other";
    got[g.rank()] = mixdist::distributed::broadcast_string(g, mine, 1, "a test text");
    EXPECT_EQ(mixdist::distributed::broadcast_string(g, g.rank() == 0 ? "" : "no", 0, "nothing"), "");
  });
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(errors[r], "");
    EXPECT_EQ(got[r], std::string(100000, 'x') + "end");
  }
}

}  // namespace
