#pragma once

/// @file
/// @brief The signal game's evaluation: communication success, loss, message sparsity and language measures.
///
/// Evaluation of the signal game, as the reference test script measured it
/// (`docs/experiments.md#signaling-game-evaluation`): communication success (the share of games whose
/// receiver picks the target) with the channel still stochastic, the receiver's loss, and the mean number of
/// nonzero symbols per message; and what the language looks like (language.h) over the messages of the
/// targets. The noise is seeded, so evaluating the same model twice gives the same numbers.

#include <cstdint>
#include <string>
#include <vector>

#include "mixdist/data/concept_pool.h"
#include "mixdist/experiments/signal_game/language.h"
#include "mixdist/experiments/signal_game/model.h"

namespace mixdist::experiments::signal_game {

/// The metrics of one evaluation.
struct GameMetrics {
  /// Percentage of games won (the receiver picks the target), in [0, 100].
  double accuracy = 0;
  /// Mean -log p(target) of the receiver.
  double loss = 0;
  /// Mean symbols of nonzero weight per message.
  double nonzeros = 0;
  /// What the language looks like over the messages of the games' targets.
  LanguageStats language;
  /// Games played.
  int64_t games = 0;
};

/// How each game of an evaluation went.
struct GamePlays {
  /// [N, V] float: the message sent.
  at::Tensor messages;
  /// [N] int64: the candidate position the receiver picked.
  at::Tensor choices;
  /// [N] bool: the pick is the target.
  at::Tensor correct;
};

/// Plays `games` on `images` and measures how communication went.
///
/// Plays at the model's current temperature, in batches of config.eval_batch_size, with the global generator
/// reseeded to config.eval_seed and the model in eval mode; both are restored afterwards, so evaluating never
/// perturbs training.
/// @param model the model.
/// @param images the images the games are played on (GameData::images).
/// @param games the games, at least one.
/// @param config eval_batch_size, eval_seed and topsim_messages are read.
/// @param plays if not null, also receives each game (the messages and picks the metrics are computed from).
/// @throws c10::Error for no games or a non-finite loss.
///
/// @code
/// GameMetrics m = mixdist::experiments::signal_game::evaluate(*model, data.pool.test, data.test, config);
/// @endcode
GameMetrics evaluate(GameModelImpl& model, const data::ConceptImages& images, const data::Games& games,
                     const GameConfig& config, GamePlays* plays = nullptr);

/// The games and how they went as JSON lines, one object per game, in order, each line ending in `'\n'`:
/// @verbatim
///   {"game": n, "target": concept, "target_digits": [its digits], "target_position": position among the
///    candidates, "candidates": [concepts, in the receiver's order], "symbols": [the message's support,
///    ascending], "weights": [their weights], "choice": picked position, "chosen": picked concept,
///    "correct": whether the pick is the target}
/// @endverbatim
/// Weights are written with the fewest digits that read back as the same float.
/// @param games the games evaluate played.
/// @param concept_digits the pool's [concepts, slots] table.
/// @param plays what evaluate recorded for them.
/// @throws c10::Error if plays does not hold one message, choice and outcome per game, or a concept or choice
///   is out of range.
std::string interactions_jsonl(const data::Games& games, const at::Tensor& concept_digits,
                               const GamePlays& plays);

/// The messages [N, V] the sender sends for the targets of `games`, under the same guards and seed as
/// evaluate (so they are the messages evaluate scores).
at::Tensor messages_of(GameModelImpl& model, const data::ConceptImages& images, const data::Games& games,
                       const GameConfig& config);

/// The metric names used in CSV / JSON, in order: "accuracy", "loss", "nonzeros", "symbol_entropy",
/// "distinct_symbols", "distinct_supports", "topsim".
const std::vector<std::string>& eval_metric_names();
/// The values of `m`, in the order of eval_metric_names().
std::vector<double> eval_metric_values(const GameMetrics& m);

}  // namespace mixdist::experiments::signal_game
