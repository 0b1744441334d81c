#pragma once

/// @file
/// @brief A rank's part of the work: its slice of a batch or a data split, and its own random stream.
///
/// Data parallelism keeps a single-process run's global batch and data order and gives each rank one
/// contiguous slice of every batch; the slices of the ranks, in rank order, are the batch. Each rank also
/// draws its own noise (dropout, binarisation, reparameterised samples) from a stream of its own, so that the
/// ranks do not all draw the same numbers for different examples.

#include <cstdint>

namespace mixdist::distributed {

/// A half-open range of items [begin, end).
struct Slice {
  /// The first item.
  int64_t begin = 0;
  /// One past the last item.
  int64_t end = 0;
  /// The number of items, end - begin.
  int64_t size() const { return end - begin; }
};

/// Rank `rank`'s slice of `n` items shared by `ranks` ranks: [n × rank / ranks, n × (rank + 1) / ranks), so
/// the sizes differ by at most one and the slices in rank order cover 0 .. n - 1.
/// @param n the number of items, >= 0.
/// @param rank the rank, 0 .. ranks - 1.
/// @param ranks the number of ranks, >= 1.
/// @throws c10::Error for n < 0, ranks < 1 or a rank outside 0 .. ranks - 1.
Slice shard(int64_t n, int64_t rank, int64_t ranks);

/// The seed of rank `rank`'s random stream in epoch `epoch` of a run seeded with `seed` (SplitMix64 of the
/// three): distinct per rank and epoch, and the same whenever the run is resumed, so that a run resumed at
/// an epoch boundary with the same number of ranks repeats the uninterrupted one.
uint64_t rank_seed(uint64_t seed, int64_t rank, int64_t epoch);

}  // namespace mixdist::distributed
