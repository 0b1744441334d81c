#pragma once

// Evaluation of the signal game, as the reference test script measured it: communication success (the share
// of games whose receiver picks the target) with the channel still stochastic, the receiver's loss, and the
// mean number of nonzero symbols per message; and what the language looks like (language.h) over the
// messages of the targets. The noise is seeded, so evaluating the same model twice gives the same numbers.

#include <cstdint>
#include <string>
#include <vector>

#include "mixdist/data/concept_pool.h"
#include "mixdist/experiments/signal_game/language.h"
#include "mixdist/experiments/signal_game/model.h"

namespace mixdist::experiments::signal_game {

struct GameMetrics {
  double accuracy = 0;  // % of games won
  double loss = 0;      // mean -log p(target)
  double nonzeros = 0;  // mean symbols of nonzero weight per message
  LanguageStats language;
  int64_t games = 0;
};

// How each game of an evaluation went.
struct GamePlays {
  at::Tensor messages;  // [N, V] float: the message sent
  at::Tensor choices;   // [N] int64: the candidate position the receiver picked
  at::Tensor correct;   // [N] bool: the pick is the target
};

// Plays `games` on `images` at the model's current temperature, in batches of config.eval_batch_size, with
// the global generator reseeded to config.eval_seed and the model in eval mode; both are restored
// afterwards, so evaluating never perturbs training. Throws c10::Error for a non-finite loss. With `plays`,
// also records each game (the messages and picks the metrics are computed from).
GameMetrics evaluate(GameModelImpl& model, const data::ConceptImages& images, const data::Games& games,
                     const GameConfig& config, GamePlays* plays = nullptr);

// The games and how they went as JSON lines, one object per game, in order, each line ending in '\n':
//   {"game": n, "target": concept, "target_digits": [its digits], "target_position": position among the
//    candidates, "candidates": [concepts, in the receiver's order], "symbols": [the message's support,
//    ascending], "weights": [their weights], "choice": picked position, "chosen": picked concept,
//    "correct": whether the pick is the target}
// Weights are written with the fewest digits that read back as the same float. `concept_digits` is the
// pool's [concepts, slots] table.
std::string interactions_jsonl(const data::Games& games, const at::Tensor& concept_digits,
                               const GamePlays& plays);

// The messages [N, V] the sender sends for the targets of `games`, under the same guards and seed as
// evaluate (so they are the messages evaluate scores).
at::Tensor messages_of(GameModelImpl& model, const data::ConceptImages& images, const data::Games& games,
                       const GameConfig& config);

// The metric names used in CSV / JSON, in order ("accuracy", "loss", "nonzeros", "symbol_entropy",
// "distinct_symbols", "distinct_supports", "topsim"), and their values.
const std::vector<std::string>& eval_metric_names();
std::vector<double> eval_metric_values(const GameMetrics& m);

}  // namespace mixdist::experiments::signal_game
