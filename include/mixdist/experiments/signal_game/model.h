#pragma once

/// @file
/// @brief The signal game's model (GameModel): sender, channel and receiver, trained end to end.
///
/// The signal game's model (`docs/experiments.md#signaling-game-model`): sender -> channel -> receiver,
/// trained end to end on the receiver's negative log-likelihood of the target (no entropy term: the reference
/// scripts set its coefficient to 0, `docs/experiments.md#signaling-game-objective-and-training`).

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "mixdist/data/concept_pool.h"
#include "mixdist/experiments/signal_game/channel.h"
#include "mixdist/experiments/signal_game/config.h"
#include "mixdist/experiments/signal_game/networks.h"

namespace mixdist::experiments::signal_game {

/// What one batch of games gives.
struct GameOutput {
  /// Scalar: mean over the games of -log p(target); differentiable.
  at::Tensor loss;
  /// [B, G], the receiver's log-probabilities of each candidate.
  at::Tensor log_probs;
  /// [B, V], the channel's message.
  at::Tensor message;
  /// [B, V], the sender's logits.
  at::Tensor logits;
  /// [B] int64: the candidate the receiver picks (its argmax).
  at::Tensor choice;
  /// [B] bool: the receiver's pick is the target.
  at::Tensor correct;
  /// [B] int64: symbols of nonzero weight in each message.
  at::Tensor nonzeros;
};

/// The signal game's agents and channel: sender -> channel (make_channel) -> receiver.
///
/// Registered modules: "sender" and "receiver" (the channel has no parameters).
///
/// @code
/// mixdist::experiments::signal_game::GameModel model(config, data.pool.feature_dim());
/// model->play(data.pool.train, games).loss.backward();
/// @endcode
class GameModelImpl : public torch::nn::Module {
 public:
  /// Parameters are initialised from the global generator (PyTorch's default initialisation), sender first;
  /// the temperature starts at temperature_at(config, 0) = 1.
  /// @param config embedding, hidden, vocab, sender_temperature and the channel's settings are read.
  /// @param feature_dim F, the candidates' feature size (data::ConceptPool::feature_dim()).
  GameModelImpl(const GameConfig& config, int64_t feature_dim);

  /// Sets the channel's temperature (ignored by Gaussian-Sparsemax).
  ///
  /// It is not a parameter or buffer: the run layer sets it from temperature_at(config, step), or to 1 to
  /// reproduce the reference code's evaluation.
  /// @throws c10::Error unless temperature is positive and finite.
  void set_temperature(double temperature);
  /// The current temperature.
  double temperature() const { return temperature_; }

  /// Plays a batch of games: the sender sees the target, the receiver scores every candidate.
  ///
  /// One message per game, drawn from the global generator; differentiable.
  /// @param candidates [B, G, F] features.
  /// @param labels [B] int64: the target is candidates[b][labels[b]], the only one the sender sees.
  /// @throws c10::Error if candidates is not [B, G, F] or labels not [B].
  GameOutput play(const at::Tensor& candidates, const at::Tensor& labels);
  /// The same for games on a split's images (features composed here).
  GameOutput play(const data::ConceptImages& images, const data::Games& games);

  /// The config the model was built from.
  const GameConfig& config() const { return config_; }
  /// The sender.
  Sender& sender() { return sender_; }
  /// The receiver.
  Receiver& receiver() { return receiver_; }

 private:
  GameConfig config_;
  std::shared_ptr<MessageChannel> channel_;
  Sender sender_{nullptr};
  Receiver receiver_{nullptr};
  double temperature_;
};
/// The module holder of GameModelImpl: a shared pointer to it, as every LibTorch module (TORCH_MODULE).
TORCH_MODULE(GameModel);

}  // namespace mixdist::experiments::signal_game
