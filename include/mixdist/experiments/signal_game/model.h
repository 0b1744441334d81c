#pragma once

// The signal game's model: sender -> channel -> receiver, trained end to end on the receiver's negative
// log-likelihood of the target (no entropy term: the reference scripts set its coefficient to 0).

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "mixdist/data/concept_pool.h"
#include "mixdist/experiments/signal_game/channel.h"
#include "mixdist/experiments/signal_game/config.h"
#include "mixdist/experiments/signal_game/networks.h"

namespace mixdist::experiments::signal_game {

struct GameOutput {
  at::Tensor loss;       // scalar: mean over the games of -log p(target)
  at::Tensor log_probs;  // [B, G], the receiver's
  at::Tensor message;    // [B, V], the channel's
  at::Tensor logits;     // [B, V], the sender's
  at::Tensor choice;     // [B] int64: the candidate the receiver picks (its argmax)
  at::Tensor correct;    // [B] bool: the receiver's pick is the target
  at::Tensor nonzeros;   // [B] int64: symbols of nonzero weight in each message
};

class GameModelImpl : public torch::nn::Module {
 public:
  // Parameters are initialised from the global generator (PyTorch's default initialisation), sender first;
  // the temperature starts at temperature_at(config, 0) = 1.
  GameModelImpl(const GameConfig& config, int64_t feature_dim);

  // The channel's temperature (ignored by Gaussian-Sparsemax). It is not a parameter or buffer: the run
  // layer sets it from temperature_at(config, step), or to 1 to reproduce the reference code's evaluation.
  void set_temperature(double temperature);
  double temperature() const { return temperature_; }

  // candidates [B, G, F] features, labels [B]: the target is candidates[b][labels[b]], the only one the
  // sender sees. One message per game, drawn from the global generator; differentiable.
  GameOutput play(const at::Tensor& candidates, const at::Tensor& labels);
  // The same for games on a split's images (features composed here).
  GameOutput play(const data::ConceptImages& images, const data::Games& games);

  const GameConfig& config() const { return config_; }
  Sender& sender() { return sender_; }
  Receiver& receiver() { return receiver_; }

 private:
  GameConfig config_;
  std::shared_ptr<MessageChannel> channel_;
  Sender sender_{nullptr};
  Receiver receiver_{nullptr};
  double temperature_;
};
TORCH_MODULE(GameModel);

}  // namespace mixdist::experiments::signal_game
