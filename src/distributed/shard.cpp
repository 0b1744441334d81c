#include "mixdist/distributed/shard.h"

#include <c10/util/Exception.h>

namespace mixdist::distributed {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

Slice shard(int64_t n, int64_t rank, int64_t ranks) {
  TORCH_CHECK(n >= 0, "shard: the number of items must be >= 0, got ", n);
  TORCH_CHECK(ranks >= 1 && rank >= 0 && rank < ranks, "shard: rank ", rank, " of ", ranks,
              " is out of range (0 .. ranks - 1)");
  return {n * rank / ranks, n * (rank + 1) / ranks};
}

uint64_t rank_seed(uint64_t seed, int64_t rank, int64_t epoch) {
  return splitmix64(splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(rank)) ^
                    static_cast<uint64_t>(epoch));
}

}  // namespace mixdist::distributed
