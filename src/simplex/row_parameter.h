#pragma once

// Checks a per-row parameter of a map (alpha of normmax, budget of budget sparsemax) before the map runs
// (internal).

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include "simplex/row_layout.h"

namespace mixdist::detail {

// `param` (named `what` in the message of the map `name`) must be defined, floating and broadcast to x's
// shape with size 1 along the map dimension (layout, built from x and the caller's dim).
inline void check_row_parameter(const char* name, const char* what, const at::Tensor& param,
                                const at::Tensor& x, const RowLayout& layout, int64_t dim) {
  TORCH_CHECK(param.defined(), name, ": ", what, " is undefined");
  TORCH_CHECK(at::isFloatingType(param.scalar_type()), name, ": ", what,
              " must be a floating-point tensor, got ", param.scalar_type());
  const auto keepdim = layout.keepdim_sizes();
  TORCH_CHECK(param.dim() <= x.dim() && at::infer_size(param.sizes(), keepdim) == at::IntArrayRef(keepdim),
              name, ": ", what, " of shape ", param.sizes(), " must broadcast to the input's shape ",
              x.sizes(), " with size 1 along dim ", dim, ", i.e. to ", at::IntArrayRef(keepdim));
}

}  // namespace mixdist::detail
