#include "mixdist/experiments/signal_game/model.h"

#include <cmath>

namespace mixdist::experiments::signal_game {

GameModelImpl::GameModelImpl(const GameConfig& config, int64_t feature_dim)
    : config_(config), channel_(make_channel(config)), temperature_(temperature_at(config, 0)) {
  sender_ = register_module("sender", Sender(feature_dim, config.embedding, config.hidden, config.vocab,
                                             config.sender_temperature));
  receiver_ = register_module("receiver", Receiver(feature_dim, config.embedding, config.vocab));
}

void GameModelImpl::set_temperature(double temperature) {
  TORCH_CHECK(std::isfinite(temperature) && temperature > 0,
              "GameModel::set_temperature: the temperature must be positive and finite, got ", temperature);
  temperature_ = temperature;
}

GameOutput GameModelImpl::play(const at::Tensor& candidates, const at::Tensor& labels) {
  TORCH_CHECK(candidates.dim() == 3 && labels.dim() == 1 && labels.size(0) == candidates.size(0),
              "GameModel::play: candidates must be [B, G, F] and labels [B], got ", candidates.sizes(),
              " and ", labels.sizes());
  const int64_t B = candidates.size(0), G = candidates.size(1);
  const at::Tensor target_rows = at::arange(B, labels.options().dtype(at::kLong)) * G + labels;
  const at::Tensor targets = candidates.reshape({B * G, -1}).index_select(0, target_rows);
  GameOutput o;
  o.logits = sender_->forward(targets);
  o.message = channel_->send(o.logits, temperature_);
  o.log_probs = receiver_->forward(candidates, o.message);
  o.loss = at::nll_loss(o.log_probs, labels);
  {
    at::NoGradGuard no_grad;
    o.choice = o.log_probs.argmax(1);
    o.correct = o.choice.eq(labels);
    o.nonzeros = o.message.ne(0).sum(1);
  }
  return o;
}

GameOutput GameModelImpl::play(const data::ConceptImages& images, const data::Games& games) {
  return play(images.features(games.concepts, games.images), games.labels);
}

}  // namespace mixdist::experiments::signal_game
