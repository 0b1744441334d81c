#include "mixdist/data/synthetic.h"

#include <algorithm>

namespace mixdist::data {
namespace {

constexpr int64_t kSide = 28;

}  // namespace

at::Tensor make_synthetic_images(int64_t n, int64_t seed) {
  TORCH_CHECK(n >= 1, "make_synthetic_images: n must be >= 1, got ", n);
  at::Generator gen = at::detail::createCPUGenerator(static_cast<uint64_t>(seed));
  // Each prototype: a union of 3 random axis-aligned bars, thick enough that a small decoder can learn them.
  at::Tensor prototypes = at::zeros({10, kSide, kSide}, at::kFloat);
  const at::Tensor corners = at::randint(4, kSide - 8, {10, 3, 2}, gen, at::kLong);
  const at::Tensor lengths = at::randint(6, 16, {10, 3}, gen, at::kLong);
  const at::Tensor vertical = at::randint(0, 2, {10, 3}, gen, at::kLong);
  for (int64_t p = 0; p < 10; ++p) {
    for (int64_t b = 0; b < 3; ++b) {
      const int64_t r = corners[p][b][0].item<int64_t>(), c = corners[p][b][1].item<int64_t>();
      const int64_t len = lengths[p][b].item<int64_t>();
      const bool vert = vertical[p][b].item<int64_t>() == 1;
      const int64_t r1 = std::min(kSide, r + (vert ? len : 3)), c1 = std::min(kSide, c + (vert ? 3 : len));
      prototypes[p].slice(0, r, r1).slice(1, c, c1).fill_(0.9);
    }
  }
  const at::Tensor which = at::randint(0, 10, {n}, gen, at::kLong);
  const at::Tensor noise = at::rand({n, kSide * kSide}, gen, at::kFloat) * 0.1;
  return (prototypes.reshape({10, -1}).index_select(0, which) + noise).clamp_(0.0, 1.0);
}

}  // namespace mixdist::data
