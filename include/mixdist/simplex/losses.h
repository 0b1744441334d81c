#pragma once

// Fenchel-Young losses of the sparse maps (Blondel, Martins & Niculae, 2020):
//   L(x; y) = H_alpha(p*) + <p* - e_y, x>,  p* = entmax_alpha(x),
// with H_alpha the Tsallis entropy (1 - sum p^alpha) / (alpha (alpha - 1)) (Shannon at alpha = 1, where the
// loss is the cross-entropy). L >= 0, with equality iff p* = e_y; dL/dx = p* - e_y.
//
// Shapes follow the class-last convention of the maps: input [N, *, C] (any leading shape), target [N, *] of
// integer class indices. Options mirror torch::nn::CrossEntropyLossOptions: per-class weight, ignore_index
// (honoured for any value, negative ones included; ignored entries get loss 0 and no weight) and reduction
// kNone / kMean / kSum. A mean over a batch in which every entry is ignored is 0 (not 0/0).

#include <ATen/ATen.h>
#include <torch/arg.h>
#include <torch/enum.h>

namespace mixdist {

using loss_reduction_t = c10::variant<torch::enumtype::kNone, torch::enumtype::kMean, torch::enumtype::kSum>;

struct SparsemaxLossOptions {
  TORCH_ARG(at::Tensor, weight) = {};
  TORCH_ARG(int64_t, ignore_index) = -100;
  TORCH_ARG(loss_reduction_t, reduction) = torch::kMean;
};

using Entmax15LossOptions = SparsemaxLossOptions;

struct EntmaxBisectLossOptions {
  /* implicit */ EntmaxBisectLossOptions(double alpha = 1.5) : alpha_(alpha) {}
  TORCH_ARG(double, alpha);
  TORCH_ARG(int64_t, n_iter) = 50;
  TORCH_ARG(at::Tensor, weight) = {};
  TORCH_ARG(int64_t, ignore_index) = -100;
  TORCH_ARG(loss_reduction_t, reduction) = torch::kMean;
};

at::Tensor sparsemax_loss(const at::Tensor& input, const at::Tensor& target,
                          const SparsemaxLossOptions& options = {});
at::Tensor entmax15_loss(const at::Tensor& input, const at::Tensor& target,
                         const Entmax15LossOptions& options = {});
at::Tensor entmax_bisect_loss(const at::Tensor& input, const at::Tensor& target,
                              const EntmaxBisectLossOptions& options = {});
// alpha as a tensor broadcastable to [N, *] (one per entry, per head, ...) that receives a gradient
// (dL/dalpha = dH_alpha/dalpha at p*, by the envelope theorem); options.alpha() is ignored.
at::Tensor entmax_bisect_loss(const at::Tensor& input, const at::Tensor& target, const at::Tensor& alpha,
                              const EntmaxBisectLossOptions& options = {});

}  // namespace mixdist
