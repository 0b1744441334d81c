// torch.ops.mixdist.sparsemax_loss, entmax15_loss, entmax_bisect_loss and normmax_bisect_loss: the
// Fenchel-Young losses of include/mixdist/simplex/losses.h (and normmax.h) in the dispatcher, registered for
// CompositeImplicitAutograd as the maps (see sparsemax.cpp), so that backward() runs the losses' own
// backward.
//
// The options struct becomes keyword arguments: weight (None: every class weighs 1), ignore_index and
// reduction, a string "none", "mean" or "sum" as in torch.nn.functional.cross_entropy.

#include <c10/util/Exception.h>
#include <c10/util/Optional.h>
#include <c10/util/string_view.h>
#include <torch/library.h>

#include "mixdist/simplex/losses.h"
#include "mixdist/simplex/normmax.h"

namespace {

mixdist::loss_reduction_t parse_reduction(const char* name, c10::string_view reduction) {
  if (reduction == "none") return torch::kNone;
  if (reduction == "mean") return torch::kMean;
  if (reduction == "sum") return torch::kSum;
  TORCH_CHECK(false, name, ": reduction must be \"none\", \"mean\" or \"sum\", got \"", reduction, "\"");
}

template <typename Options>
Options loss_options(Options options, const char* name, const c10::optional<at::Tensor>& weight,
                     int64_t ignore_index, c10::string_view reduction) {
  return options.weight(weight.value_or(at::Tensor()))
      .ignore_index(ignore_index)
      .reduction(parse_reduction(name, reduction));
}

at::Tensor sparsemax_loss(const at::Tensor& input, const at::Tensor& target,
                          const c10::optional<at::Tensor>& weight, int64_t ignore_index,
                          c10::string_view reduction) {
  return mixdist::sparsemax_loss(
      input, target,
      loss_options(mixdist::SparsemaxLossOptions(), "sparsemax_loss", weight, ignore_index, reduction));
}

at::Tensor entmax15_loss(const at::Tensor& input, const at::Tensor& target,
                         const c10::optional<at::Tensor>& weight, int64_t ignore_index,
                         c10::string_view reduction) {
  return mixdist::entmax15_loss(
      input, target,
      loss_options(mixdist::Entmax15LossOptions(), "entmax15_loss", weight, ignore_index, reduction));
}

at::Tensor entmax_bisect_loss(const at::Tensor& input, const at::Tensor& target, const at::Tensor& alpha,
                              int64_t n_iter, const c10::optional<at::Tensor>& weight, int64_t ignore_index,
                              c10::string_view reduction) {
  return mixdist::entmax_bisect_loss(input, target, alpha,
                                     loss_options(mixdist::EntmaxBisectLossOptions().n_iter(n_iter),
                                                  "entmax_bisect_loss", weight, ignore_index, reduction));
}

at::Tensor normmax_bisect_loss(const at::Tensor& input, const at::Tensor& target, const at::Tensor& alpha,
                               int64_t n_iter, const c10::optional<at::Tensor>& weight, int64_t ignore_index,
                               c10::string_view reduction) {
  return mixdist::normmax_bisect_loss(input, target, alpha,
                                      loss_options(mixdist::EntmaxBisectLossOptions().n_iter(n_iter),
                                                   "normmax_bisect_loss", weight, ignore_index, reduction));
}

}  // namespace

TORCH_LIBRARY_FRAGMENT(mixdist, m) {
  m.def(
      "sparsemax_loss(Tensor input, Tensor target, Tensor? weight=None, int ignore_index=-100, "
      "str reduction=\"mean\") -> Tensor");
  m.def(
      "entmax15_loss(Tensor input, Tensor target, Tensor? weight=None, int ignore_index=-100, "
      "str reduction=\"mean\") -> Tensor");
  m.def(
      "entmax_bisect_loss(Tensor input, Tensor target, Tensor alpha, int n_iter=50, Tensor? weight=None, "
      "int ignore_index=-100, str reduction=\"mean\") -> Tensor");
  m.def(
      "normmax_bisect_loss(Tensor input, Tensor target, Tensor alpha, int n_iter=50, Tensor? weight=None, "
      "int ignore_index=-100, str reduction=\"mean\") -> Tensor");
}

TORCH_LIBRARY_IMPL(mixdist, CompositeImplicitAutograd, m) {
  m.impl("sparsemax_loss", &sparsemax_loss);
  m.impl("entmax15_loss", &entmax15_loss);
  m.impl("entmax_bisect_loss", &entmax_bisect_loss);
  m.impl("normmax_bisect_loss", &normmax_bisect_loss);
}
