#include "mixdist/special/log1mexp.h"

#include <cmath>

namespace mixdist::special {

at::Tensor log1mexp(const at::Tensor& x) {
  TORCH_CHECK(x.defined(), "mixdist::special::log1mexp: argument x is an undefined tensor");
  TORCH_CHECK(at::isFloatingType(x.scalar_type()),
              "mixdist::special::log1mexp: argument x must be a floating tensor, got dtype ",
              x.scalar_type());
  {
    const at::Tensor negative = (x < 0).reshape({-1});
    if (negative.any().item<bool>()) {
      const int64_t index = negative.nonzero()[0][0].item<int64_t>();
      TORCH_CHECK(false, "mixdist::special::log1mexp: argument x must be >= 0, got x = ",
                  x.reshape({-1})[index].item<double>(), " at flat index ", index);
    }
  }
  // Each branch gets its input clamped to the side where it is selected: log1p(-exp(-x)) at x = 0 is -inf
  // with an infinite derivative, and where() would turn that into a NaN gradient even when unselected.
  const double ln2 = std::log(2.0);
  const at::Tensor small = at::log(-at::expm1(-x.clamp_max(ln2)));
  const at::Tensor large = at::log1p(-at::exp(-x.clamp_min(ln2)));
  return at::where(x <= ln2, small, large);
}

at::Tensor log_nonempty_bitvector_normalizer(const at::Tensor& scores, int64_t dim) {
  TORCH_CHECK(scores.defined(),
              "mixdist::special::log_nonempty_bitvector_normalizer: argument scores is an "
              "undefined tensor");
  TORCH_CHECK(
      at::isFloatingType(scores.scalar_type()),
      "mixdist::special::log_nonempty_bitvector_normalizer: argument scores must be a floating tensor, "
      "got dtype ",
      scores.scalar_type());
  TORCH_CHECK(scores.dim() >= 1 && scores.size(dim) >= 1,
              "mixdist::special::log_nonempty_bitvector_normalizer: argument scores needs at least one entry "
              "along dim ",
              dim, ", got shape ", scores.sizes());
  // logaddexp(w, -w) = |w| + log1p(exp(-2|w|)) is computed by logaddexp itself without overflow.
  const at::Tensor log_all = at::logaddexp(scores, -scores).sum(dim);
  // sum_k log sigmoid(-2 w_k) = log P(empty) <= 0 under the unconditioned product law (log_sigmoid is
  // -softplus, never positive); the non-empty mass 1 - P(empty) is what we need, in log space.
  const at::Tensor log_empty = at::log_sigmoid(scores * -2.0).sum(dim);
  return log_all + log1mexp(-log_empty);
}

}  // namespace mixdist::special
