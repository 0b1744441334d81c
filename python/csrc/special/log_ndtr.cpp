// torch.ops.mixdist.log_ndtr: mixdist::special::log_ndtr (include/mixdist/special/log_ndtr.h), log Phi(x)
// with a gradient that stays accurate and finite far in the left tail (about -x), where
// log(torch.special.ndtr(x)) is -inf and its gradient NaN. Registered for CompositeImplicitAutograd as the
// maps (python/csrc/simplex/sparsemax.cpp), so backward() runs the C++ backward.

#include <torch/library.h>

#include "mixdist/special/log_ndtr.h"

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def("log_ndtr(Tensor x) -> Tensor");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("log_ndtr", [](const at::Tensor& x) { return mixdist::special::log_ndtr(x); });
}
