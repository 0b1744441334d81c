#pragma once

// Moves the map dimension last and flattens the rest, so that every kernel sees a contiguous [rows, K]
// matrix, and puts results back in the caller's layout (internal).

#include <ATen/ATen.h>

#include <vector>

namespace mixdist::detail {

class RowLayout {
 public:
  // Validates x for a sparse map called `name` (floating type, at least one dimension, dim in range,
  // non-empty along dim) and records the layout.
  RowLayout(const char* name, const at::Tensor& x, int64_t dim);

  int64_t dim() const { return dim_; }
  int64_t K() const { return K_; }
  int64_t rows() const { return rows_; }
  at::IntArrayRef batch_sizes() const {
    return at::IntArrayRef(moved_sizes_).slice(0, moved_sizes_.size() - 1);
  }

  // [rows, K] contiguous view or copy of a tensor shaped like x.
  at::Tensor to_rows(const at::Tensor& t) const;
  // Inverse of to_rows.
  at::Tensor from_rows(const at::Tensor& rows) const;
  // [rows] per-row values -> x's shape with size 1 along dim.
  at::Tensor from_row_values(const at::Tensor& values) const;
  // A tensor broadcastable to x with size 1 along dim (e.g. alpha) -> [rows].
  at::Tensor row_values(const at::Tensor& t) const;
  // x's shape with size 1 along dim.
  std::vector<int64_t> keepdim_sizes() const;

 private:
  int64_t dim_;
  int64_t K_;
  int64_t rows_;
  std::vector<int64_t> sizes_;
  std::vector<int64_t> moved_sizes_;
};

// The dtype the kernels compute in: float and double as they are, half and bfloat16 upcast to float.
at::ScalarType compute_type(at::ScalarType t);

}  // namespace mixdist::detail
