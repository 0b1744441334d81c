#include "mixdist/simplex/entmax15.h"

#include "simplex/map_functions.h"

namespace mixdist {
inline namespace simplex {

std::tuple<at::Tensor, at::Tensor> entmax15_with_support(const at::Tensor& x, int64_t dim) {
  auto out = detail::FixedMapFunction<detail::MapKind::kEntmax15>::apply(x, "entmax15", dim);
  return {out[0], out[1]};
}

at::Tensor entmax15(const at::Tensor& x, int64_t dim) {
  return std::get<0>(entmax15_with_support(x, dim));
}

}  // namespace simplex
}  // namespace mixdist
