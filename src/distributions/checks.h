#pragma once

// Argument checks shared by the distributions (internal). Each names the distribution, the argument and the
// offending value.

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

// Fails naming the first entry where `bad` holds.
inline void check_none(const std::string& dist, const char* arg, const at::Tensor& t, const at::Tensor& bad,
                       const char* requirement) {
  if (!bad.any().item<bool>()) return;
  const int64_t idx = bad.reshape({-1}).nonzero()[0][0].item<int64_t>();
  TORCH_CHECK(false, dist, ": ", arg, " must be ", requirement, ", got ", t.reshape({-1})[idx].item<double>(),
              " at flat index ", idx);
}

inline void check_positive(const std::string& dist, const char* arg, const at::Tensor& t) {
  check_none(dist, arg, t, ~(t > 0) | ~t.isfinite(), "positive and finite");
}

inline void check_not_nan(const std::string& dist, const char* arg, const at::Tensor& t) {
  check_none(dist, arg, t, t.isnan(), "free of NaN");
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

// Broadcasts loc and scale against each other and, when validate, requires a finite loc and a positive,
// finite scale.
inline std::pair<at::Tensor, at::Tensor> broadcast_loc_scale(const std::string& dist, const at::Tensor& loc,
                                                             const at::Tensor& scale, bool validate) {
  auto tensors = at::broadcast_tensors({loc, scale});
  if (validate) {
    check_none(dist, "loc", tensors[0], ~tensors[0].isfinite(), "finite");
    check_positive(dist, "scale", tensors[1]);
  }
  return {tensors[0], tensors[1]};
}

}  // namespace mixdist::detail
