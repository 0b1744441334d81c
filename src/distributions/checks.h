#pragma once

// Structural checks shared by the distributions (internal): dtypes and dims, each naming the distribution
// and the argument. Value constraints are declared per distribution (constraints.h) and checked by
// Distribution.

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace mixdist::detail {

inline void check_floating(const std::string& dist, const char* arg, const at::Tensor& t) {
  TORCH_CHECK(t.defined(), dist, ": ", arg, " is undefined");
  TORCH_CHECK(at::isFloatingType(t.scalar_type()), dist, ": ", arg, " must be floating point, got ",
              t.scalar_type());
}

inline void check_min_dim(const std::string& dist, const char* arg, const at::Tensor& t, int64_t n) {
  TORCH_CHECK(t.dim() >= n, dist, ": ", arg, " needs at least ", n, " dimension(s), got shape ", t.sizes());
}

// The broadcast shape of loc and scale, or an error naming both shapes.
inline std::vector<int64_t> loc_scale_shape(const std::string& dist, const at::Tensor& loc,
                                            const at::Tensor& scale) {
  check_floating(dist, "loc", loc);
  check_floating(dist, "scale", scale);
  for (int64_t i = 1; i <= std::min(loc.dim(), scale.dim()); ++i) {
    const int64_t x = loc.size(-i), y = scale.size(-i);
    TORCH_CHECK(x == y || x == 1 || y == 1, dist, ": loc of shape ", loc.sizes(), " and scale of shape ",
                scale.sizes(), " do not broadcast");
  }
  return at::infer_size(loc.sizes(), scale.sizes());
}

// loc and scale broadcast against each other (their shapes checked by loc_scale_shape).
inline std::pair<at::Tensor, at::Tensor> broadcast_loc_scale(const at::Tensor& loc, const at::Tensor& scale) {
  auto tensors = at::broadcast_tensors({loc, scale});
  return {tensors[0], tensors[1]};
}

}  // namespace mixdist::detail
