#pragma once

/// @file
/// @brief Module forms of the sparse maps and their losses (Sparsemax, Entmax15, EntmaxBisect, *Loss).
///
/// Module forms of the sparse maps and their losses, in the style of torch::nn::Softmax and
/// torch::nn::CrossEntropyLoss (options structs, Cloneable implementations, TORCH_MODULE holders).

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "mixdist/simplex/losses.h"

namespace mixdist {
inline namespace simplex {

/// Options of the Sparsemax and Entmax15 modules: the simplex dimension.
///
/// @code
/// mixdist::Sparsemax map(mixdist::SparseMapOptions(1));  // or mixdist::Sparsemax map(1);
/// @endcode
struct SparseMapOptions {
  /// Options for the given simplex dimension (implicit, so that `1` converts to options).
  /// @param dim the simplex dimension (validated against each input in forward()).
  /* implicit */ SparseMapOptions(int64_t dim = -1) : dim_(dim) {}
  /// The simplex dimension, in [-x.dim(), x.dim()) for every input x.
  TORCH_ARG(int64_t, dim);
};

/// The sparsemax map as a module (implementation; use the holder Sparsemax): forward(x) = sparsemax(x, dim).
///
/// @code
/// mixdist::Sparsemax map(-1);
/// at::Tensor p = map(at::randn({2, 5}));
/// @endcode
class SparsemaxImpl : public torch::nn::Cloneable<SparsemaxImpl> {
 public:
  /// A module with the given options.
  /// @param options the simplex dimension.
  explicit SparsemaxImpl(const SparseMapOptions& options = {}) : options(options) {}
  /// sparsemax(x, options.dim); see mixdist::sparsemax for shapes, dtypes and errors.
  /// @param x input scores.
  /// @return x's shape, rows along options.dim on the simplex.
  at::Tensor forward(const at::Tensor& x);
  /// Nothing to reset: the module has no parameters or buffers.
  void reset() override {}
  /// Prints "mixdist::Sparsemax(dim=...)".
  /// @param stream where to print.
  void pretty_print(std::ostream& stream) const override;
  /// The options the module was made with.
  SparseMapOptions options;
};
/// Module holder of SparsemaxImpl (a shared pointer, as torch::nn::Softmax holds SoftmaxImpl).
TORCH_MODULE(Sparsemax);

/// The 1.5-entmax map as a module (implementation; use the holder Entmax15): forward(x) = entmax15(x, dim).
///
/// @code
/// mixdist::Entmax15 map(-1);
/// at::Tensor p = map(at::randn({2, 5}));
/// @endcode
class Entmax15Impl : public torch::nn::Cloneable<Entmax15Impl> {
 public:
  /// A module with the given options.
  /// @param options the simplex dimension.
  explicit Entmax15Impl(const SparseMapOptions& options = {}) : options(options) {}
  /// entmax15(x, options.dim); see mixdist::entmax15 for shapes, dtypes and errors.
  /// @param x input scores.
  /// @return x's shape, rows along options.dim on the simplex.
  at::Tensor forward(const at::Tensor& x);
  /// Nothing to reset: the module has no parameters or buffers.
  void reset() override {}
  /// Prints "mixdist::Entmax15(dim=...)".
  /// @param stream where to print.
  void pretty_print(std::ostream& stream) const override;
  /// The options the module was made with.
  SparseMapOptions options;
};
/// Module holder of Entmax15Impl.
TORCH_MODULE(Entmax15);

/// Options of the EntmaxBisect module: alpha (fixed or learned), the simplex dimension and the iteration
/// budget.
///
/// @code
/// auto options = mixdist::EntmaxBisectOptions(1.5).learn_alpha(true).alpha_shape({8, 1, 1});
/// @endcode
struct EntmaxBisectOptions {
  /// Options with the given alpha (implicit, so that `1.3` converts to options).
  /// @param alpha initial (or fixed) alpha; see alpha().
  /* implicit */ EntmaxBisectOptions(double alpha = 1.5) : alpha_(alpha) {}
  /// Initial (or fixed) alpha: finite and >= 1; with learn_alpha, inside (1, max_alpha).
  TORCH_ARG(double, alpha);
  /// The simplex dimension, in [-x.dim(), x.dim()) for every input x.
  TORCH_ARG(int64_t, dim) = -1;
  /// Iteration budget of the threshold solve, >= 1: at most n_iter iterations (mixdist's exact methods
  /// usually need far fewer).
  TORCH_ARG(int64_t, n_iter) = 50;
  /// Learn alpha as a parameter. It is kept inside (1, max_alpha) by the parameterisation
  /// alpha = 1 + (max_alpha - 1) * sigmoid(alpha_raw), so an optimiser can never push it to an invalid value
  /// (the entmax package's learned alpha can drift below 1: deep-spin/entmax#39).
  TORCH_ARG(bool, learn_alpha) = false;
  /// Upper end of a learned alpha, > 1 (only read with learn_alpha).
  TORCH_ARG(double, max_alpha) = 2.0;
  /// Shape of the learned alpha, broadcastable to the input with size 1 along dim (e.g. {heads, 1, 1} for one
  /// alpha per attention head). Empty: a single alpha.
  TORCH_ARG(std::vector<int64_t>, alpha_shape) = {};
};

/// The alpha-entmax map as a module, with a fixed or learned alpha (implementation; use the holder
/// EntmaxBisect): forward(x) = entmax_bisect(x, alpha(), dim, n_iter).
///
/// @code
/// mixdist::EntmaxBisect map(mixdist::EntmaxBisectOptions(1.5).learn_alpha(true));
/// at::Tensor p = map(at::randn({2, 5}));  // map->alpha_raw receives a gradient
/// @endcode
class EntmaxBisectImpl : public torch::nn::Cloneable<EntmaxBisectImpl> {
 public:
  /// A module with the given options; calls reset().
  /// @param options alpha, dim, n_iter and the learned-alpha settings.
  /// @throws c10::Error as reset().
  explicit EntmaxBisectImpl(const EntmaxBisectOptions& options = {});
  /// entmax_bisect(x, alpha(), options.dim, options.n_iter); see mixdist::entmax_bisect.
  /// @param x input scores.
  /// @return x's shape, rows along options.dim on the simplex; differentiable in alpha_raw when learned.
  at::Tensor forward(const at::Tensor& x);
  /// The alpha in use: a double scalar of options.alpha, or, when learned, 1 + (max_alpha - 1) *
  /// sigmoid(alpha_raw) (differentiable, of shape alpha_shape).
  /// @return the alpha tensor.
  at::Tensor alpha() const;
  /// Validates the options and, with learn_alpha, registers alpha_raw so that alpha() starts at
  /// options.alpha.
  /// @throws c10::Error if alpha is not finite or < 1, n_iter < 1, or (with learn_alpha) alpha is not inside
  ///         (1, max_alpha).
  void reset() override;
  /// Prints "mixdist::EntmaxBisect(alpha=..., dim=..., n_iter=...[, learned])" (the initial alpha).
  /// @param stream where to print.
  void pretty_print(std::ostream& stream) const override;
  /// The options the module was made with.
  EntmaxBisectOptions options;
  /// The registered parameter "alpha_raw" (of shape alpha_shape) when learn_alpha; undefined otherwise.
  at::Tensor alpha_raw;
};
/// Module holder of EntmaxBisectImpl.
TORCH_MODULE(EntmaxBisect);

/// The sparsemax loss as a module (implementation; use the holder SparsemaxLoss): forward(input, target) =
/// sparsemax_loss(input, target, options).
///
/// @code
/// mixdist::SparsemaxLoss loss_fn;
/// at::Tensor loss = loss_fn(at::randn({8, 5}), at::randint(5, {8}));
/// @endcode
class SparsemaxLossImpl : public torch::nn::Cloneable<SparsemaxLossImpl> {
 public:
  /// A module with the given options; calls reset().
  /// @param options weight, ignore_index and reduction.
  /// @throws c10::Error as reset().
  explicit SparsemaxLossImpl(const SparsemaxLossOptions& options = {}) : options(options) { reset(); }
  /// sparsemax_loss(input, target, options); see mixdist::sparsemax_loss for shapes and errors.
  /// @param input  scores [N, *, C].
  /// @param target integer class indices [N, *].
  /// @return the reduced loss.
  at::Tensor forward(const at::Tensor& input, const at::Tensor& target);
  /// Validates the options.
  /// @throws c10::Error if options.weight is defined and not 1-D.
  void reset() override;
  /// Prints "mixdist::SparsemaxLoss(ignore_index=...)".
  /// @param stream where to print.
  void pretty_print(std::ostream& stream) const override;
  /// The options the module was made with.
  SparsemaxLossOptions options;
};
/// Module holder of SparsemaxLossImpl.
TORCH_MODULE(SparsemaxLoss);

/// The 1.5-entmax loss as a module (implementation; use the holder Entmax15Loss): forward(input, target) =
/// entmax15_loss(input, target, options).
///
/// @code
/// mixdist::Entmax15Loss loss_fn;
/// at::Tensor loss = loss_fn(at::randn({8, 5}), at::randint(5, {8}));
/// @endcode
class Entmax15LossImpl : public torch::nn::Cloneable<Entmax15LossImpl> {
 public:
  /// A module with the given options; calls reset().
  /// @param options weight, ignore_index and reduction.
  /// @throws c10::Error as reset().
  explicit Entmax15LossImpl(const Entmax15LossOptions& options = {}) : options(options) { reset(); }
  /// entmax15_loss(input, target, options); see mixdist::entmax15_loss for shapes and errors.
  /// @param input  scores [N, *, C].
  /// @param target integer class indices [N, *].
  /// @return the reduced loss.
  at::Tensor forward(const at::Tensor& input, const at::Tensor& target);
  /// Validates the options.
  /// @throws c10::Error if options.weight is defined and not 1-D.
  void reset() override;
  /// Prints "mixdist::Entmax15Loss(ignore_index=...)".
  /// @param stream where to print.
  void pretty_print(std::ostream& stream) const override;
  /// The options the module was made with.
  Entmax15LossOptions options;
};
/// Module holder of Entmax15LossImpl.
TORCH_MODULE(Entmax15Loss);

/// The alpha-entmax loss as a module, for one fixed alpha (implementation; use the holder EntmaxBisectLoss):
/// forward(input, target) = entmax_bisect_loss(input, target, options).
///
/// @code
/// mixdist::EntmaxBisectLoss loss_fn(mixdist::EntmaxBisectLossOptions(1.3));
/// at::Tensor loss = loss_fn(at::randn({8, 5}), at::randint(5, {8}));
/// @endcode
class EntmaxBisectLossImpl : public torch::nn::Cloneable<EntmaxBisectLossImpl> {
 public:
  /// A module with the given options; calls reset().
  /// @param options alpha, n_iter, weight, ignore_index and reduction.
  /// @throws c10::Error as reset().
  explicit EntmaxBisectLossImpl(const EntmaxBisectLossOptions& options = {}) : options(options) { reset(); }
  /// entmax_bisect_loss(input, target, options); see mixdist::entmax_bisect_loss for shapes and errors.
  /// @param input  scores [N, *, C].
  /// @param target integer class indices [N, *].
  /// @return the reduced loss.
  at::Tensor forward(const at::Tensor& input, const at::Tensor& target);
  /// Validates the options.
  /// @throws c10::Error if options.weight is defined and not 1-D (alpha and n_iter are checked in forward()).
  void reset() override;
  /// Prints "mixdist::EntmaxBisectLoss(alpha=..., ignore_index=...)".
  /// @param stream where to print.
  void pretty_print(std::ostream& stream) const override;
  /// The options the module was made with.
  EntmaxBisectLossOptions options;
};
/// Module holder of EntmaxBisectLossImpl.
TORCH_MODULE(EntmaxBisectLoss);

}  // namespace simplex
}  // namespace mixdist
