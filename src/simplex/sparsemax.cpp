#include "mixdist/simplex/sparsemax.h"

#include "simplex/map_functions.h"

namespace mixdist {
inline namespace simplex {

std::tuple<at::Tensor, at::Tensor> sparsemax_with_support(const at::Tensor& x, int64_t dim) {
  auto out = detail::FixedMapFunction<detail::MapKind::kSparsemax>::apply(x, "sparsemax", dim);
  return {out[0], out[1]};
}

at::Tensor sparsemax(const at::Tensor& x, int64_t dim) {
  return std::get<0>(sparsemax_with_support(x, dim));
}

}  // namespace simplex
}  // namespace mixdist
