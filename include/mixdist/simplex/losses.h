#pragma once

/// @file
/// @brief Fenchel-Young losses of the sparse maps (sparsemax, 1.5-entmax, alpha-entmax), with their options.
///
/// Fenchel-Young losses of the sparse maps (Blondel, Martins & Niculae, 2020):
///   L(x; y) = H_alpha(p*) + <p* - e_y, x>,  p* = entmax_alpha(x),
/// with H_alpha the Tsallis entropy (1 - sum p^alpha) / (alpha (alpha - 1)) (Shannon at alpha = 1, where the
/// loss is the cross-entropy). L >= 0, with equality iff p* = e_y; dL/dx = p* - e_y.
///
/// Shapes follow the class-last convention of the maps: input [N, *, C] (any leading shape), target [N, *] of
/// integer class indices. Options mirror torch::nn::CrossEntropyLossOptions: per-class weight, ignore_index
/// (honoured for any value, negative ones included; ignored entries get loss 0 and no weight) and reduction
/// kNone / kMean / kSum. A mean over a batch in which every entry is ignored is 0 (not 0/0).

#include <ATen/ATen.h>
#include <torch/arg.h>
#include <torch/enum.h>

namespace mixdist {
inline namespace simplex {

/// How a loss reduces its per-entry values: torch::kNone (shape of the target), torch::kMean (the weighted
/// mean sum(w l) / sum(w), 0 when no entry carries weight) or torch::kSum (sum(w l)).
using loss_reduction_t = c10::variant<torch::enumtype::kNone, torch::enumtype::kMean, torch::enumtype::kSum>;

/// Options of sparsemax_loss() and entmax15_loss() (and their modules), as
/// torch::nn::CrossEntropyLossOptions.
///
/// @code
/// auto options = mixdist::SparsemaxLossOptions().ignore_index(0).reduction(torch::kSum);
/// @endcode
struct SparsemaxLossOptions {
  /// Per-class weight, 1-D of size C (any floating dtype); undefined: every class weighs 1. With kNone each
  /// entry's loss is multiplied by its target's weight; kMean divides by the sum of the weights.
  TORCH_ARG(at::Tensor, weight) = {};
  /// Target value whose entries are ignored (loss 0, weight 0); any value, negative ones included.
  TORCH_ARG(int64_t, ignore_index) = -100;
  /// torch::kNone, torch::kMean or torch::kSum (see loss_reduction_t).
  TORCH_ARG(loss_reduction_t, reduction) = torch::kMean;
};

/// Options of entmax15_loss(): the same fields as SparsemaxLossOptions.
using Entmax15LossOptions = SparsemaxLossOptions;

/// Options of entmax_bisect_loss() (and EntmaxBisectLoss): alpha and the iteration budget of the map, and the
/// fields of SparsemaxLossOptions.
///
/// @code
/// auto options = mixdist::EntmaxBisectLossOptions(1.3).reduction(torch::kNone);
/// @endcode
struct EntmaxBisectLossOptions {
  /// Options with the given alpha (implicit, so that `1.3` converts to options).
  /// @param alpha the map's alpha, finite and >= 1 (checked when the loss is computed).
  /* implicit */ EntmaxBisectLossOptions(double alpha = 1.5) : alpha_(alpha) {}
  /// The map's alpha, finite and >= 1 (1: cross-entropy, 1.5: entmax15_loss, 2: sparsemax_loss). Ignored by
  /// the overload of entmax_bisect_loss() that takes a tensor alpha.
  TORCH_ARG(double, alpha);
  /// Iteration budget of the threshold solve, >= 1: at most n_iter iterations (mixdist's exact methods
  /// usually need far fewer).
  TORCH_ARG(int64_t, n_iter) = 50;
  /// Per-class weight, as SparsemaxLossOptions::weight.
  TORCH_ARG(at::Tensor, weight) = {};
  /// Target value whose entries are ignored, as SparsemaxLossOptions::ignore_index.
  TORCH_ARG(int64_t, ignore_index) = -100;
  /// torch::kNone, torch::kMean or torch::kSum (see loss_reduction_t).
  TORCH_ARG(loss_reduction_t, reduction) = torch::kMean;
};

/// The sparsemax loss: the Fenchel-Young loss of sparsemax (alpha = 2), a sparse analogue of cross-entropy.
///
/// Differentiable in `input` (dL/dx = sparsemax(x) - e_y, zero for ignored entries).
/// @param input   scores [N, *, C], floating (float, double, half, bfloat16), C >= 1, classes along the last
///                dimension.
/// @param target  integer class indices [N, *] (not floating, not bool), each in [0, C) or equal to
///                options.ignore_index().
/// @param options weight, ignore_index and reduction.
/// @return the loss: a scalar for kMean and kSum, target's shape for kNone.
/// @throws c10::Error if input or target is undefined, input is not floating or 0-dimensional or has C = 0,
///         target is floating or bool or its shape is not input's without the last dimension, a target value
///         is neither a class index nor ignore_index (the message names it and its position), weight is not
///         of shape [C], or a row of input is entirely -inf.
///
/// @code
/// at::Tensor loss = mixdist::sparsemax_loss(at::randn({8, 5}, at::requires_grad()), at::randint(5, {8}));
/// @endcode
at::Tensor sparsemax_loss(const at::Tensor& input, const at::Tensor& target,
                          const SparsemaxLossOptions& options = {});

/// The 1.5-entmax loss: the Fenchel-Young loss of entmax15 (alpha = 1.5).
///
/// Arguments, shapes, gradient and errors as sparsemax_loss().
/// @param input   scores [N, *, C], floating, C >= 1.
/// @param target  integer class indices [N, *], each in [0, C) or equal to options.ignore_index().
/// @param options weight, ignore_index and reduction.
/// @return the loss: a scalar for kMean and kSum, target's shape for kNone.
/// @throws c10::Error as sparsemax_loss().
///
/// @code
/// at::Tensor loss = mixdist::entmax15_loss(at::randn({8, 5}), at::randint(5, {8}));
/// @endcode
at::Tensor entmax15_loss(const at::Tensor& input, const at::Tensor& target,
                         const Entmax15LossOptions& options = {});

/// The alpha-entmax loss for one alpha (options.alpha()): the Fenchel-Young loss of entmax_bisect.
///
/// Arguments, shapes, gradient and errors as sparsemax_loss(), plus alpha and n_iter.
/// @param input   scores [N, *, C], floating, C >= 1.
/// @param target  integer class indices [N, *], each in [0, C) or equal to options.ignore_index().
/// @param options alpha (finite, >= 1), n_iter (>= 1), weight, ignore_index and reduction.
/// @return the loss: a scalar for kMean and kSum, target's shape for kNone.
/// @throws c10::Error if options.alpha() is not finite or < 1, options.n_iter() < 1, or as sparsemax_loss().
///
/// @code
/// at::Tensor loss = mixdist::entmax_bisect_loss(at::randn({8, 5}), at::randint(5, {8}), 1.3);
/// @endcode
at::Tensor entmax_bisect_loss(const at::Tensor& input, const at::Tensor& target,
                              const EntmaxBisectLossOptions& options = {});

/// The alpha-entmax loss with a tensor of alphas (one per entry, per head, ...) that receives a gradient.
///
/// dL/dalpha = dH_alpha/dalpha at p* (envelope theorem); options.alpha() is ignored.
/// @param input   scores [N, *, C], floating, C >= 1.
/// @param target  integer class indices [N, *], each in [0, C) or equal to options.ignore_index().
/// @param alpha   floating tensor broadcastable to [N, *] (target's shape), every value finite and >= 1.
/// @param options n_iter (>= 1), weight, ignore_index and reduction.
/// @return the loss: a scalar for kMean and kSum, target's shape for kNone.
/// @throws c10::Error if alpha is undefined, not floating, does not broadcast to target's shape, or holds a
///         value that is not finite or < 1; if options.n_iter() < 1; or as sparsemax_loss().
///
/// @code
/// at::Tensor alpha = at::full({}, 1.5, at::requires_grad());
/// at::Tensor loss = mixdist::entmax_bisect_loss(at::randn({8, 5}), at::randint(5, {8}), alpha);
/// @endcode
at::Tensor entmax_bisect_loss(const at::Tensor& input, const at::Tensor& target, const at::Tensor& alpha,
                              const EntmaxBisectLossOptions& options = {});

}  // namespace simplex
}  // namespace mixdist
