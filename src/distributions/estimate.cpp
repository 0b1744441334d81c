#include "mixdist/distributions/estimate.h"

#include <c10/util/Exception.h>

#include <cmath>

namespace mixdist {
inline namespace distributions {

Estimate sample_mean(const at::Tensor& draws) {
  TORCH_CHECK(draws.defined() && draws.dim() >= 1 && draws.size(0) >= 2,
              "sample_mean: needs at least two draws along dim 0, got shape ",
              draws.defined() ? draws.sizes() : at::IntArrayRef{});
  const double n = static_cast<double>(draws.size(0));
  return {draws.mean(0), draws.detach().std(0) / std::sqrt(n)};
}

}  // namespace distributions
}  // namespace mixdist
