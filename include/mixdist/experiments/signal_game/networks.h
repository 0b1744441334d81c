#pragma once

/// @file
/// @brief The signal game's two agents: Sender and Receiver.
///
/// The signal game's two agents, as in the reference code (Bouchacourt & Baroni's architecture).
///
/// Sender, which sees only the target's features x (F):
///   e = W1 x (E, no bias);
///   h1[k, j] = sigmoid(w2[k] e[j]) for k < H: a 1x1 convolution with H output channels over the E positions;
///   h2[j] = sigmoid(sum_k w3[k] h1[k, j]): a (H x 1) convolution back to one channel;
///   logits = W4 h2 / sender_temperature (V, no bias).
/// The convolutions are written as a broadcast product and a matrix product, which is what they compute
/// (the reference code's Conv2d ran about three times slower). Their weights keep the convolutions'
/// default initialisation: U(-1, 1) for w2 (fan-in 1) and U(+-1/sqrt(H)) for w3 (fan-in H). The middle block
/// (1x1 convolution, sigmoid, H x 1 convolution, sigmoid) runs as one fused kernel, nn::sigmoid_pool, which
/// never stores the [B, H, E] hidden tensor; set_fused(false) writes it in ATen ops instead (the baseline of
/// the benchmark and the tests, the same function up to float rounding).
///
/// Receiver, given the candidates x_1..x_G and the message m (a point of the simplex over V symbols):
///   score_i = (W_r1 x_i) . (W_r2 m), log-softmax over the candidates.
/// It computes the same scores as x_i . (W_r1^T W_r2 m): one F-vector per game instead of embedding all G
/// candidates, which is G times less work forward and backward and the same function of the parameters.

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace mixdist::experiments::signal_game {

/// The sender: target features -> logits over the V symbols (see the file's description).
///
/// Parameters: "fc1" (W1, [E, F]), "conv2" (w2, [H]), "conv3" (w3, [H]), "fc4" (W4, [V, E]).
class SenderImpl : public torch::nn::Module {
 public:
  /// @param features F.
  /// @param embedding E.
  /// @param hidden H.
  /// @param vocab V.
  /// @param temperature the sender temperature the logits are divided by, > 0.
  SenderImpl(int64_t features, int64_t embedding, int64_t hidden, int64_t vocab, double temperature);
  /// Target features [B, F] -> logits [B, V].
  at::Tensor forward(const at::Tensor& x);
  /// true (default): the middle block runs as the fused kernel nn::sigmoid_pool; false: in ATen ops
  /// (nn::sigmoid_pool_reference), the same function up to float rounding.
  void set_fused(bool fused) { fused_ = fused; }

 private:
  torch::nn::Linear fc1_{nullptr}, fc4_{nullptr};
  at::Tensor conv2_, conv3_;  // [H] each
  double temperature_;
  bool fused_ = true;
};
/// The module holder of SenderImpl: a shared pointer to it, as every LibTorch module (TORCH_MODULE).
TORCH_MODULE(Sender);

/// The receiver: scores each candidate against the message (see the file's description).
///
/// Parameters: "fc1" (W_r1, [E, F]) and "fc2" (W_r2, [E, V]).
class ReceiverImpl : public torch::nn::Module {
 public:
  /// @param features F.
  /// @param embedding E.
  /// @param vocab V.
  ReceiverImpl(int64_t features, int64_t embedding, int64_t vocab);
  /// Candidates [B, G, F] and messages [B, V] -> log-probabilities of each candidate being the target,
  /// [B, G].
  at::Tensor forward(const at::Tensor& candidates, const at::Tensor& message);

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
/// The module holder of ReceiverImpl: a shared pointer to it, as every LibTorch module (TORCH_MODULE).
TORCH_MODULE(Receiver);

}  // namespace mixdist::experiments::signal_game
