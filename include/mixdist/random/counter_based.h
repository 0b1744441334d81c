#pragma once

// Parallel, reproducible random fills from ATen's Philox4x32-10 engine. LibTorch 1.13's CPU samplers draw one
// element at a time from the generator's mt19937 stream, serially, unless ATen was built with MKL (Debian's
// is not); its bernoulli_ (hence at::dropout) is the slow one. Here a generator contributes
// one 64-bit seed per call; element i then gets draw number i % 4096 of Philox subsequence i / 4096, so
// blocks are filled in parallel and the result depends only on the seed and the size, never on the thread
// count. Runs stay reproducible and resumable from the generator's state.

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/PhiloxRNGEngine.h>
#include <c10/util/Optional.h>

#include <algorithm>
#include <cstdint>

namespace mixdist::random {

constexpr int64_t kPhiloxBlock = 4096;  // elements per Philox subsequence (and per parallel work item)

// One 64-bit seed from the generator (the global CPU generator by default), advancing its state.
uint64_t draw_seed(c10::optional<at::Generator> generator);

// out[i] = value(i, 32 random bits) for i < n, in parallel blocks.
template <typename T, typename ValueFn>
void philox_fill(T* out, int64_t n, uint64_t seed, const ValueFn& value) {
  at::parallel_for(0, (n + kPhiloxBlock - 1) / kPhiloxBlock, 1, [&](int64_t first, int64_t last) {
    for (int64_t block = first; block < last; ++block) {
      at::Philox4_32 engine(seed, static_cast<uint64_t>(block), 0);
      const int64_t end = std::min(n, (block + 1) * kPhiloxBlock);
      for (int64_t i = block * kPhiloxBlock; i < end; ++i) out[i] = value(i, engine());
    }
  });
}

}  // namespace mixdist::random
