#include "mixdist/experiments/signal_game/evaluation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "mixdist/train/evaluation_progress.h"
#include "mixdist/train/rng_state.h"

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
                     const GameConfig& config, GamePlays* plays) {
  TORCH_CHECK(games.size() >= 1, "evaluate: no games");
  EvalModeGuard eval_mode(model);
  train::GlobalRngStateGuard rng_guard;
  at::manual_seed(static_cast<uint64_t>(config.eval_seed));
  at::NoGradGuard no_grad;

  const int64_t n = games.size(), B = config.eval_batch_size;
  double correct = 0, loss = 0, nonzeros = 0;
  std::vector<at::Tensor> messages, choices, corrects;
  train::EvaluationProgress progress(n, "games");
  for (int64_t begin = 0; begin < n; begin += B) {
    progress.before_batch(begin);
    const data::Games batch = games.slice(begin, std::min(n, begin + B));
    const GameOutput o = model.play(images, batch);
    correct += o.correct.sum().item<double>();
    loss += o.loss.item<double>() * static_cast<double>(batch.size());
    nonzeros += o.nonzeros.sum().item<double>();
    messages.push_back(o.message);
    choices.push_back(o.choice);
    corrects.push_back(o.correct);
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
  if (plays) *plays = GamePlays{at::cat(messages), at::cat(choices), at::cat(corrects)};
  return m;
}

std::string interactions_jsonl(const data::Games& games, const at::Tensor& concept_digits,
                               const GamePlays& plays) {
  const int64_t n = games.size(), G = n > 0 ? games.game_size() : 0;
  TORCH_CHECK(plays.messages.defined() && plays.messages.dim() == 2 && plays.messages.size(0) == n &&
                  plays.choices.defined() && plays.choices.numel() == n && plays.correct.defined() &&
                  plays.correct.numel() == n,
              "interactions_jsonl: the plays must hold one message, choice and outcome for each of the ", n,
              " games");
  const at::Tensor concepts = games.concepts.to(at::kLong).contiguous();
  const at::Tensor labels = games.labels.to(at::kLong).contiguous();
  const at::Tensor digits = concept_digits.to(at::kLong).contiguous();
  const at::Tensor messages = plays.messages.to(at::kFloat).contiguous();
  const at::Tensor choices = plays.choices.to(at::kLong).contiguous();
  const at::Tensor correct = plays.correct.to(at::kBool).contiguous();
  const int64_t V = messages.size(1), S = digits.size(1);
  const int64_t* c = concepts.data_ptr<int64_t>();
  const int64_t* y = labels.data_ptr<int64_t>();
  const int64_t* d = digits.data_ptr<int64_t>();
  const float* m = messages.data_ptr<float>();
  const int64_t* k = choices.data_ptr<int64_t>();
  const bool* ok = correct.data_ptr<bool>();
  std::string out;
  for (int64_t b = 0; b < n; ++b) {
    const int64_t* row = c + b * G;
    const int64_t target = row[y[b]];
    TORCH_CHECK(target >= 0 && target < digits.size(0), "interactions_jsonl: concept ", target,
                " is outside the digit table");
    TORCH_CHECK(k[b] >= 0 && k[b] < G, "interactions_jsonl: choice ", k[b], " of game ", b,
                " is outside [0, ", G, ")");
    std::vector<int64_t> symbols;
    std::vector<double> weights;
    for (int64_t v = 0; v < V; ++v) {
      const float w = m[b * V + v];
      if (w == 0.0f) continue;
      symbols.push_back(v);
      // The float's shortest decimal form, read back as a double, which JSON then writes with those digits.
      weights.push_back(std::stod(fmt::format("{}", w)));
    }
    nlohmann::ordered_json j;
    j["game"] = b;
    j["target"] = target;
    j["target_digits"] = std::vector<int64_t>(d + target * S, d + (target + 1) * S);
    j["target_position"] = y[b];
    j["candidates"] = std::vector<int64_t>(row, row + G);
    j["symbols"] = symbols;
    j["weights"] = weights;
    j["choice"] = k[b];
    j["chosen"] = row[k[b]];
    j["correct"] = ok[b];
    out += j.dump();
    out += '\n';
  }
  return out;
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
