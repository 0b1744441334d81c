#pragma once

// Module forms of the sparse maps and their losses, in the style of torch::nn::Softmax and
// torch::nn::CrossEntropyLoss (options structs, Cloneable implementations, TORCH_MODULE holders).

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "mixdist/simplex/losses.h"

namespace mixdist {

struct SparseMapOptions {
  /* implicit */ SparseMapOptions(int64_t dim = -1) : dim_(dim) {}
  TORCH_ARG(int64_t, dim);
};

class SparsemaxImpl : public torch::nn::Cloneable<SparsemaxImpl> {
 public:
  explicit SparsemaxImpl(const SparseMapOptions& options = {}) : options(options) {}
  at::Tensor forward(const at::Tensor& x);
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  SparseMapOptions options;
};
TORCH_MODULE(Sparsemax);

class Entmax15Impl : public torch::nn::Cloneable<Entmax15Impl> {
 public:
  explicit Entmax15Impl(const SparseMapOptions& options = {}) : options(options) {}
  at::Tensor forward(const at::Tensor& x);
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  SparseMapOptions options;
};
TORCH_MODULE(Entmax15);

struct EntmaxBisectOptions {
  /* implicit */ EntmaxBisectOptions(double alpha = 1.5) : alpha_(alpha) {}
  // Initial (or fixed) alpha, >= 1.
  TORCH_ARG(double, alpha);
  TORCH_ARG(int64_t, dim) = -1;
  TORCH_ARG(int64_t, n_iter) = 50;
  // Learn alpha as a parameter. It is kept inside (1, max_alpha) by the parameterisation
  // alpha = 1 + (max_alpha - 1) * sigmoid(alpha_raw), so an optimiser can never push it to an invalid value
  // (the entmax package's learned alpha can drift below 1: deep-spin/entmax#39).
  TORCH_ARG(bool, learn_alpha) = false;
  TORCH_ARG(double, max_alpha) = 2.0;
  // Shape of the learned alpha, broadcastable to the input with size 1 along dim (e.g. {heads, 1, 1} for one
  // alpha per attention head). Empty: a single alpha.
  TORCH_ARG(std::vector<int64_t>, alpha_shape) = {};
};

class EntmaxBisectImpl : public torch::nn::Cloneable<EntmaxBisectImpl> {
 public:
  explicit EntmaxBisectImpl(const EntmaxBisectOptions& options = {});
  at::Tensor forward(const at::Tensor& x);
  // The alpha in use (differentiable when learned).
  at::Tensor alpha() const;
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  EntmaxBisectOptions options;
  at::Tensor alpha_raw;  // registered parameter when learn_alpha
};
TORCH_MODULE(EntmaxBisect);

class SparsemaxLossImpl : public torch::nn::Cloneable<SparsemaxLossImpl> {
 public:
  explicit SparsemaxLossImpl(const SparsemaxLossOptions& options = {}) : options(options) { reset(); }
  at::Tensor forward(const at::Tensor& input, const at::Tensor& target);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  SparsemaxLossOptions options;
};
TORCH_MODULE(SparsemaxLoss);

class Entmax15LossImpl : public torch::nn::Cloneable<Entmax15LossImpl> {
 public:
  explicit Entmax15LossImpl(const Entmax15LossOptions& options = {}) : options(options) { reset(); }
  at::Tensor forward(const at::Tensor& input, const at::Tensor& target);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Entmax15LossOptions options;
};
TORCH_MODULE(Entmax15Loss);

class EntmaxBisectLossImpl : public torch::nn::Cloneable<EntmaxBisectLossImpl> {
 public:
  explicit EntmaxBisectLossImpl(const EntmaxBisectLossOptions& options = {}) : options(options) { reset(); }
  at::Tensor forward(const at::Tensor& input, const at::Tensor& target);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  EntmaxBisectLossOptions options;
};
TORCH_MODULE(EntmaxBisectLoss);

}  // namespace mixdist
