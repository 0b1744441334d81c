#include "mixdist/distributed/process_group.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "mixdist/io/atomic_file.h"
#include "ranks.h"
#include "temp_dir.h"

namespace {

using mixdist::distributed::ProcessGroup;
using mixdist::testing::run_ranks;
using namespace std::chrono_literals;

// A rank of KilledRankIsNamedByTheSurvivor, run as a child of this executable: with MIXDIST_TEST_DIST_ROLE
// set it joins the job the torchrun variables describe. "killed": one sum, then SIGKILL (no chance to say
// goodbye); "survivor": sums until one fails, then prints the error and exits with 3.
const bool kChildRank = mixdist::testing::register_child_role("MIXDIST_TEST_DIST_ROLE", [] {
  const std::string role = std::getenv("MIXDIST_TEST_DIST_ROLE");
  try {
    ProcessGroup group(*mixdist::distributed::process_environment(),
                       mixdist::distributed::ProcessGroupOptions().timeout(30s));
    for (int i = 0; i < 1000; ++i) {
      at::Tensor t = at::ones({8});
      group.all_reduce_sum(t, "a test sum");
      if (role == "killed") std::raise(SIGKILL);
      std::this_thread::sleep_for(10ms);
    }
    std::cerr << "no failure\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 3;
  }
});

TEST(ProcessGroup, AllReduceSumsOverTheRanks) {
  std::vector<double> got(3);
  const auto errors = run_ranks(3, [&](ProcessGroup& g) {
    at::Tensor t = at::full({5}, double(g.rank() + 1), at::kDouble);
    g.all_reduce_sum(t, "a test sum");
    got[g.rank()] = t[4].item<double>();
  });
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(errors[r], "");
    EXPECT_EQ(got[r], 6.0);
  }
}

TEST(ProcessGroup, BroadcastAndAllGather) {
  std::vector<std::vector<int64_t>> gathered(2);
  std::vector<double> received(2);
  const auto errors = run_ranks(2, [&](ProcessGroup& g) {
    std::vector<at::Tensor> t = {at::full({3}, 10.0 * (g.rank() + 1), at::kDouble)};
    g.broadcast(t, 1, "a test tensor");
    received[g.rank()] = t[0][2].item<double>();
    for (const auto& part : g.all_gather(at::tensor({g.rank() * 7}, at::kLong), "ranks"))
      gathered[g.rank()].push_back(part.item<int64_t>());
    g.barrier("the end of the test");
  });
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(errors[r], "");
    EXPECT_EQ(received[r], 20.0);
    EXPECT_EQ(gathered[r], (std::vector<int64_t>{0, 7}));
  }
}

TEST(ProcessGroup, OneRankNeedsNoPeers) {
  const auto errors = run_ranks(1, [](ProcessGroup& g) {
    at::Tensor t = at::ones({2});
    g.all_reduce_sum(t, "a test sum");
    EXPECT_EQ(t[0].item<float>(), 1.0f);
  });
  EXPECT_EQ(errors[0], "");
}

TEST(ProcessGroup, RankOutOfRangeIsRefused) {
  const auto errors = run_ranks(1, [](ProcessGroup&) {});
  EXPECT_EQ(errors[0], "");
  mixdist::distributed::Environment env;
  env.master_addr = "127.0.0.1";
  const auto r = mixdist::distributed::rendezvous(env, 5s);
  try {
    ProcessGroup(r.store, 2, 2);
    ADD_FAILURE() << "rank 2 of 2 accepted";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 2 of 2 is out of range"), std::string::npos) << e.what();
  }
}

// A rank that is stuck (here: busy far longer than the timeout) fails its peer's collective after the
// timeout, with a message that says so, instead of a hang.
TEST(ProcessGroup, StuckRankEndsThePeersWaitAfterTheTimeout) {
  const auto errors = run_ranks(
      2,
      [](ProcessGroup& g) {
        at::Tensor t = at::ones({4});
        if (g.rank() == 1) {
          std::this_thread::sleep_for(3s);
          return;  // never joins the sum
        }
        g.all_reduce_sum(t, "the gradients");
      },
      1s);
  EXPECT_NE(errors[0].find("rank 0 of 2: all-reduce of the gradients failed"), std::string::npos)
      << errors[0];
  EXPECT_NE(errors[0].find("stuck or slower than the 1 s timeout"), std::string::npos) << errors[0];
}

TEST(ProcessGroup, RanksThatNeverJoinAreNamed) {
  mixdist::distributed::Environment env;
  env.world_size = 3;
  env.master_addr = "127.0.0.1";
  const auto r = mixdist::distributed::rendezvous(env, 1s);
  try {
    ProcessGroup(r.store, 0, 3,
                 mixdist::distributed::ProcessGroupOptions().timeout(1s).bind_address("127.0.0.1"));
    ADD_FAILURE() << "a group of 3 formed with one rank";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("ranks that never joined: 1, 2"), std::string::npos) << e.what();
  }
}

TEST(ProcessGroup, KilledRankIsNamedByTheSurvivor) {
  mixdist::testing::TempDir dir;
  const std::string port = std::to_string(mixdist::testing::free_port());
  const auto start = [&](int rank, const std::string& role) {
    return std::make_unique<mixdist::testing::ChildProcess>(
        mixdist::testing::self_executable(), mixdist::testing::child_role_args(),
        std::vector<std::string>{"MIXDIST_TEST_DIST_ROLE=" + role, "RANK=" + std::to_string(rank),
                                 "WORLD_SIZE=2", "MASTER_ADDR=127.0.0.1", "MASTER_PORT=" + port},
        dir.file("rank" + std::to_string(rank) + ".log"));
  };
  auto survivor = start(0, "survivor");
  auto killed = start(1, "killed");
  EXPECT_EQ(killed->wait_for(60s), -SIGKILL);
  // Bounded: the survivor's sum fails as soon as the killed rank's sockets close, well inside the timeout.
  EXPECT_EQ(survivor->wait_for(60s), 3);
  const std::string log = mixdist::io::read_file(dir.file("rank0.log"));
  EXPECT_NE(log.find("rank 0 of 2: all-reduce of a test sum failed: rank 1 (pid " +
                     std::to_string(killed->pid()) + ") ended"),
            std::string::npos)
      << log;
}

}  // namespace
