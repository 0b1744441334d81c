#pragma once

// A message channel of the signal game: how the sender's logits become the message the receiver reads, a
// point of the probability simplex over the V symbols. One implementation per channel
// (src/experiments/signal_game/channels/), so the model never branches on the method. Every channel is
// stochastic in training and in evaluation alike (the reference code never took an argmax), and every one is
// pathwise: the message is differentiable in the logits through a relaxation or a straight-through
// estimator.
//
// All randomness comes from the global CPU generator.

#include <ATen/ATen.h>

#include <memory>

#include "mixdist/experiments/signal_game/config.h"

namespace mixdist::experiments::signal_game {

class MessageChannel {
 public:
  virtual ~MessageChannel() = default;
  // logits [B, V] -> message [B, V] on the simplex; temperature: the current one (ignored by
  // Gaussian-Sparsemax).
  virtual at::Tensor send(const at::Tensor& logits, double temperature) const = 0;
};

std::unique_ptr<MessageChannel> make_channel(const GameConfig& config);

}  // namespace mixdist::experiments::signal_game
