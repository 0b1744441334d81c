#pragma once

/// @file
/// @brief The interface of the signal game's message channels (MessageChannel).
///
/// A message channel of the signal game (`docs/experiments.md#signaling-game-channels`): how the sender's
/// logits become the message the receiver reads, a point of the probability simplex over the V symbols. One
/// implementation per channel (src/experiments/signal_game/channels/), so the model never branches on the
/// method. Every channel is stochastic in training and in evaluation alike (the reference code never took an
/// argmax), and every one is pathwise: the message is differentiable in the logits through a relaxation or a
/// straight-through estimator.
///
/// All randomness comes from the global CPU generator.

#include <ATen/ATen.h>

#include <memory>

#include "mixdist/experiments/signal_game/config.h"

namespace mixdist::experiments::signal_game {

/// A channel: turns the sender's logits into a message on the simplex.
class MessageChannel {
 public:
  virtual ~MessageChannel() = default;
  /// logits [B, V] -> message [B, V] on the simplex, drawn from the global generator, differentiable in the
  /// logits.
  /// @param logits the sender's logits, [B, V].
  /// @param temperature the current one, > 0 (ignored by Gaussian-Sparsemax).
  virtual at::Tensor send(const at::Tensor& logits, double temperature) const = 0;
};

/// The channel of config.channel, with config's kd_lambda or gsp_std.
/// @throws c10::Error for a value outside the Channel enumeration.
std::unique_ptr<MessageChannel> make_channel(const GameConfig& config);

}  // namespace mixdist::experiments::signal_game
