// torch.ops.mixdist.entmax_bisect and entmax_bisect_with_support: the tensor-alpha mixdist::entmax_bisect
// (include/mixdist/simplex/entmax_bisect.h) in the dispatcher, registered for CompositeImplicitAutograd as
// the other maps (see sparsemax.cpp). alpha is always a tensor here (a 0-dimensional one for a single alpha),
// so that it receives a gradient when it requires one; the Python wrapper turns a float into a double tensor.

#include <torch/library.h>

#include <tuple>

#include "mixdist/simplex/entmax_bisect.h"

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("entmax_bisect(Tensor x, Tensor alpha, int dim=-1, int n_iter=50) -> Tensor");
  m.def("entmax_bisect_with_support(Tensor x, Tensor alpha, int dim=-1, int n_iter=50) -> (Tensor, Tensor)");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("entmax_bisect", [](const at::Tensor& x, const at::Tensor& alpha, int64_t dim, int64_t n_iter) {
    return mixdist::entmax_bisect(x, alpha, dim, n_iter);
  });
  m.impl("entmax_bisect_with_support",
         [](const at::Tensor& x, const at::Tensor& alpha, int64_t dim, int64_t n_iter) {
           return mixdist::entmax_bisect_with_support(x, alpha, dim, n_iter);
         });
}
