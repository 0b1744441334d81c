// torch.ops.mixdist.budget_bisect: mixdist::budget_bisect (include/mixdist/simplex/budget.h) in the
// dispatcher, registered for CompositeImplicitAutograd as the other maps (see sparsemax.cpp). budget is
// always a tensor here (it receives a gradient when it requires one); the Python wrapper turns a float into
// one.

#include <torch/library.h>

#include "mixdist/simplex/budget.h"

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("budget_bisect(Tensor x, Tensor budget, int dim=-1, int n_iter=50) -> Tensor");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("budget_bisect", [](const at::Tensor& x, const at::Tensor& budget, int64_t dim, int64_t n_iter) {
    return mixdist::budget_bisect(x, budget, dim, n_iter);
  });
}
