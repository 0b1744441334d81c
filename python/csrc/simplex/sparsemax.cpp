// torch.ops.mixdist.sparsemax and sparsemax_with_support: mixdist::sparsemax
// (include/mixdist/simplex/sparsemax.h) in the dispatcher.
//
// The kernels are registered for CompositeImplicitAutograd: the dispatcher calls them above the autograd
// layer, so the autograd::Function inside mixdist::sparsemax records its own node and backward() runs its
// fused backward, from Python as from C++.

#include <torch/library.h>

#include <tuple>

#include "mixdist/simplex/sparsemax.h"

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("sparsemax(Tensor x, int dim=-1) -> Tensor");
  m.def("sparsemax_with_support(Tensor x, int dim=-1) -> (Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("sparsemax", [](const at::Tensor& x, int64_t dim) { return mixdist::sparsemax(x, dim); });
  m.impl("sparsemax_with_support",
         [](const at::Tensor& x, int64_t dim) { return mixdist::sparsemax_with_support(x, dim); });
}
