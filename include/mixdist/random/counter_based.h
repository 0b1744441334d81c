#pragma once

/// @file
/// @brief Parallel, reproducible random fills from ATen's Philox4x32-10 engine.
///
/// Parallel, reproducible random fills from ATen's Philox4x32-10 engine. LibTorch 1.13's CPU samplers draw
/// one element at a time from the generator's mt19937 stream, serially, unless ATen was built with MKL
/// (Debian's is not); its bernoulli_ (hence at::dropout) is the slow one. Here a generator contributes one
/// 64-bit seed per call; element i then gets draw number i % 4096 of Philox subsequence i / 4096, so blocks
/// are filled in parallel and the result depends only on the seed and the size, never on the thread count.
/// Runs stay reproducible and resumable from the generator's state.

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/PhiloxRNGEngine.h>
#include <c10/util/Optional.h>

#include <algorithm>
#include <cstdint>

/// @brief Counter-based (Philox) random fills that do not depend on the thread count.
namespace mixdist::random {

/// Elements per Philox subsequence (and per parallel work item).
constexpr int64_t kPhiloxBlock = 4096;

/// One 64-bit seed from a CPU generator, advancing its state (under the generator's lock).
///
/// @param generator a CPU generator; nullopt: the global CPU generator.
/// @return 64 random bits (the generator's random64()).
///
/// @code
/// uint64_t seed = mixdist::random::draw_seed(c10::nullopt);  // from the global CPU generator
/// @endcode
uint64_t draw_seed(c10::optional<at::Generator> generator);

/// Fills out[i] = value(i, 32 random bits) for every i < n, in parallel blocks of kPhiloxBlock elements.
///
/// Element i gets draw i % kPhiloxBlock of Philox subsequence i / kPhiloxBlock of `seed`, so the result
/// depends only on the seed and n, never on the thread count (at::parallel_for over blocks).
/// @tparam T       element type of `out`.
/// @tparam ValueFn callable (int64_t i, uint32_t bits) -> T; called concurrently from several threads.
/// @param out   destination, n elements.
/// @param n     number of elements, >= 0.
/// @param seed  the Philox key, e.g. from draw_seed().
/// @param value maps an index and 32 random bits to the element.
///
/// @code
/// std::vector<float> u(1000);
/// mixdist::random::philox_fill(u.data(), 1000, mixdist::random::draw_seed(c10::nullopt),
///                              [](int64_t, uint32_t bits) { return bits * 0x1p-32f; });  // uniform [0, 1)
/// @endcode
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
