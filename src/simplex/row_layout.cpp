#include "simplex/row_layout.h"

#include <c10/util/Exception.h>

namespace mixdist::detail {

RowLayout::RowLayout(const char* name, const at::Tensor& x, int64_t dim) {
  TORCH_CHECK(x.defined(), name, ": the input tensor is undefined");
  TORCH_CHECK(at::isFloatingType(x.scalar_type()), name,
              ": expected a floating-point input (float, double, half or bfloat16), got ", x.scalar_type());
  TORCH_CHECK(x.dim() >= 1, name,
              ": expected an input with at least one dimension, got a 0-dimensional tensor");
  const int64_t n = x.dim();
  TORCH_CHECK(dim >= -n && dim < n, name, ": dim ", dim, " is out of range for an input with ", n,
              " dimensions (sizes ", x.sizes(), "); valid values are ", -n, " to ", n - 1);
  dim_ = dim < 0 ? dim + n : dim;
  K_ = x.size(dim_);
  TORCH_CHECK(K_ >= 1, name, ": the input has size 0 along dim ", dim, " (sizes ", x.sizes(),
              "); the simplex needs at least one coordinate");
  sizes_ = x.sizes().vec();
  moved_sizes_.reserve(n);
  for (int64_t d = 0; d < n; ++d) {
    if (d != dim_) moved_sizes_.push_back(sizes_[d]);
  }
  moved_sizes_.push_back(K_);
  rows_ = x.numel() / K_;
}

at::Tensor RowLayout::to_rows(const at::Tensor& t) const {
  return t.movedim(dim_, -1).contiguous().view({rows_, K_});
}

at::Tensor RowLayout::from_rows(const at::Tensor& rows) const {
  return rows.view(moved_sizes_).movedim(-1, dim_);
}

at::Tensor RowLayout::from_row_values(const at::Tensor& values) const {
  std::vector<int64_t> moved = moved_sizes_;
  moved.back() = 1;
  return values.view(moved).movedim(-1, dim_);
}

at::Tensor RowLayout::row_values(const at::Tensor& t) const {
  return t.expand(keepdim_sizes()).movedim(dim_, -1).reshape({rows_});
}

std::vector<int64_t> RowLayout::keepdim_sizes() const {
  std::vector<int64_t> s = sizes_;
  s[dim_] = 1;
  return s;
}

at::ScalarType compute_type(at::ScalarType t) {
  return (t == at::kHalf || t == at::kBFloat16) ? at::kFloat : t;
}

}  // namespace mixdist::detail
