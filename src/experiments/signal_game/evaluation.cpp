#include "mixdist/experiments/signal_game/evaluation.h"

#include <algorithm>
#include <cmath>

#include "mixdist/train/rng_state.h"
#include "mixdist/train/stop_signal.h"

namespace mixdist::experiments::signal_game {
namespace {

// Eval mode for the guard's lifetime, the previous mode back afterwards (also when an error unwinds).
class EvalModeGuard {
 public:
  explicit EvalModeGuard(torch::nn::Module& m) : module_(m), was_training_(m.is_training()) { m.eval(); }
  ~EvalModeGuard() { module_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

}  // namespace

GameMetrics evaluate(GameModelImpl& model, const data::ConceptImages& images, const data::Games& games,
                     const GameConfig& config) {
  TORCH_CHECK(games.size() >= 1, "evaluate: no games");
  EvalModeGuard eval_mode(model);
  train::GlobalRngStateGuard rng_guard;
  at::manual_seed(static_cast<uint64_t>(config.eval_seed));
  at::NoGradGuard no_grad;

  const int64_t n = games.size(), B = config.eval_batch_size;
  double correct = 0, loss = 0, nonzeros = 0;
  std::vector<at::Tensor> messages;
  for (int64_t begin = 0; begin < n; begin += B) {
    train::StopSignal::throw_if_requested("an evaluation");
    const data::Games batch = games.slice(begin, std::min(n, begin + B));
    const GameOutput o = model.play(images, batch);
    correct += o.correct.sum().item<double>();
    loss += o.loss.item<double>() * static_cast<double>(batch.size());
    nonzeros += o.nonzeros.sum().item<double>();
    messages.push_back(o.message);
  }
  const double N = static_cast<double>(n);
  GameMetrics m;
  m.accuracy = 100.0 * correct / N;
  m.loss = loss / N;
  m.nonzeros = nonzeros / N;
  m.games = n;
  m.language =
      analyse_language(at::cat(messages), images.concept_digits.index_select(0, games.target_concepts()),
                       config.topsim_messages);
  TORCH_CHECK(std::isfinite(m.loss), "evaluate: non-finite loss ", m.loss,
              "; the model or its inputs hold NaN/inf");
  return m;
}

at::Tensor messages_of(GameModelImpl& model, const data::ConceptImages& images, const data::Games& games,
                       const GameConfig& config) {
  EvalModeGuard eval_mode(model);
  train::GlobalRngStateGuard rng_guard;
  at::manual_seed(static_cast<uint64_t>(config.eval_seed));
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> messages;
  for (int64_t begin = 0; begin < games.size(); begin += config.eval_batch_size)
    messages.push_back(
        model.play(images, games.slice(begin, std::min(games.size(), begin + config.eval_batch_size)))
            .message);
  return at::cat(messages);
}

const std::vector<std::string>& eval_metric_names() {
  static const std::vector<std::string> names = {
      "accuracy", "loss", "nonzeros", "symbol_entropy", "distinct_symbols", "distinct_supports", "topsim"};
  return names;
}

std::vector<double> eval_metric_values(const GameMetrics& m) {
  const LanguageStats& l = m.language;
  return {m.accuracy,
          m.loss,
          m.nonzeros,
          l.symbol_entropy,
          static_cast<double>(l.distinct_symbols),
          static_cast<double>(l.distinct_supports),
          l.topographic_similarity};
}

}  // namespace mixdist::experiments::signal_game
