#pragma once

// Argument checks shared by the distributions (internal). Each names the distribution, the argument and the
// offending value.

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <string>

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

}  // namespace mixdist::detail
