#include "mixdist/simplex/modules.h"

#include <c10/util/Exception.h>

#include <cmath>
#include <ostream>

#include "mixdist/simplex/entmax15.h"
#include "mixdist/simplex/entmax_bisect.h"
#include "mixdist/simplex/sparsemax.h"

namespace mixdist {
inline namespace simplex {

at::Tensor SparsemaxImpl::forward(const at::Tensor& x) {
  return sparsemax(x, options.dim());
}
void SparsemaxImpl::pretty_print(std::ostream& s) const {
  s << "mixdist::Sparsemax(dim=" << options.dim() << ")";
}

at::Tensor Entmax15Impl::forward(const at::Tensor& x) {
  return entmax15(x, options.dim());
}
void Entmax15Impl::pretty_print(std::ostream& s) const {
  s << "mixdist::Entmax15(dim=" << options.dim() << ")";
}

EntmaxBisectImpl::EntmaxBisectImpl(const EntmaxBisectOptions& options_) : options(options_) {
  reset();
}

void EntmaxBisectImpl::reset() {
  const double a = options.alpha();
  TORCH_CHECK(std::isfinite(a) && a >= 1.0, "EntmaxBisect: alpha must be finite and >= 1, got ", a);
  TORCH_CHECK(options.n_iter() >= 1, "EntmaxBisect: n_iter must be >= 1, got ", options.n_iter());
  if (!options.learn_alpha()) return;
  const double top = options.max_alpha();
  TORCH_CHECK(top > 1.0 && a > 1.0 && a < top,
              "EntmaxBisect: a learned alpha lives in (1, max_alpha); got alpha = ", a,
              " and max_alpha = ", top);
  // Inverse of alpha = 1 + (top - 1) sigmoid(raw).
  const double u = (a - 1.0) / (top - 1.0);
  alpha_raw = register_parameter("alpha_raw", at::full(options.alpha_shape(), std::log(u / (1.0 - u))));
}

at::Tensor EntmaxBisectImpl::alpha() const {
  if (!options.learn_alpha()) return at::full({}, options.alpha(), at::kDouble);
  return 1.0 + (options.max_alpha() - 1.0) * alpha_raw.sigmoid();
}

at::Tensor EntmaxBisectImpl::forward(const at::Tensor& x) {
  if (!options.learn_alpha()) return entmax_bisect(x, options.alpha(), options.dim(), options.n_iter());
  return entmax_bisect(x, alpha(), options.dim(), options.n_iter());
}

void EntmaxBisectImpl::pretty_print(std::ostream& s) const {
  s << "mixdist::EntmaxBisect(alpha=" << options.alpha() << ", dim=" << options.dim()
    << ", n_iter=" << options.n_iter() << (options.learn_alpha() ? ", learned" : "") << ")";
}

namespace {
void check_weight(const char* name, const at::Tensor& weight) {
  TORCH_CHECK(!weight.defined() || weight.dim() == 1, name,
              ": weight must be 1-D (one per class), got shape ", weight.sizes());
}
}  // namespace

void SparsemaxLossImpl::reset() {
  check_weight("SparsemaxLoss", options.weight());
}
at::Tensor SparsemaxLossImpl::forward(const at::Tensor& input, const at::Tensor& target) {
  return sparsemax_loss(input, target, options);
}
void SparsemaxLossImpl::pretty_print(std::ostream& s) const {
  s << "mixdist::SparsemaxLoss(ignore_index=" << options.ignore_index() << ")";
}

void Entmax15LossImpl::reset() {
  check_weight("Entmax15Loss", options.weight());
}
at::Tensor Entmax15LossImpl::forward(const at::Tensor& input, const at::Tensor& target) {
  return entmax15_loss(input, target, options);
}
void Entmax15LossImpl::pretty_print(std::ostream& s) const {
  s << "mixdist::Entmax15Loss(ignore_index=" << options.ignore_index() << ")";
}

void EntmaxBisectLossImpl::reset() {
  check_weight("EntmaxBisectLoss", options.weight());
}
at::Tensor EntmaxBisectLossImpl::forward(const at::Tensor& input, const at::Tensor& target) {
  return entmax_bisect_loss(input, target, options);
}
void EntmaxBisectLossImpl::pretty_print(std::ostream& s) const {
  s << "mixdist::EntmaxBisectLoss(alpha=" << options.alpha() << ", ignore_index=" << options.ignore_index()
    << ")";
}

}  // namespace simplex
}  // namespace mixdist
