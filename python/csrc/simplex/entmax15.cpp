// torch.ops.mixdist.entmax15 and entmax15_with_support: mixdist::entmax15
// (include/mixdist/simplex/entmax15.h) in the dispatcher, registered for CompositeImplicitAutograd as the
// other maps (see sparsemax.cpp).

#include <torch/library.h>

#include <tuple>

#include "mixdist/simplex/entmax15.h"

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("entmax15(Tensor x, int dim=-1) -> Tensor");
  m.def("entmax15_with_support(Tensor x, int dim=-1) -> (Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("entmax15", [](const at::Tensor& x, int64_t dim) { return mixdist::entmax15(x, dim); });
  m.impl("entmax15_with_support",
         [](const at::Tensor& x, int64_t dim) { return mixdist::entmax15_with_support(x, dim); });
}
