// torch.ops.mixdist.normmax_bisect: mixdist::normmax_bisect (include/mixdist/simplex/normmax.h) in the
// dispatcher, registered for CompositeImplicitAutograd as the other maps (see sparsemax.cpp). alpha is always
// a tensor here; the Python wrapper turns a float into one. Its loss is registered with the others
// (losses.cpp).

#include <torch/library.h>

#include "mixdist/simplex/normmax.h"

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("normmax_bisect(Tensor x, Tensor alpha, int dim=-1, int n_iter=50) -> Tensor");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("normmax_bisect", [](const at::Tensor& x, const at::Tensor& alpha, int64_t dim, int64_t n_iter) {
    return mixdist::normmax_bisect(x, alpha, dim, n_iter);
  });
}
