#pragma once

/// @file
/// @brief The signal game's data: the concept pool and its fixed validation and test games.
///
/// Data of the signal game (`docs/experiments.md#signaling-game-data`): the concept pool (built once, the
/// same for every run) and its fixed validation games (on training images, as the reference code validated)
/// and test games (on test images).

#include <iostream>
#include <string>

#include "mixdist/data/concept_pool.h"
#include "mixdist/experiments/signal_game/config.h"

namespace mixdist::experiments::signal_game {

/// The concept pool and the fixed games of a run.
struct GameData {
  /// The concepts' training and test images.
  data::ConceptPool pool;
  /// Fixed validation games, on pool.train images.
  data::Games valid, test;
  /// @var test
  /// Fixed test games, on pool.test images.

  /// "valid" -> valid, "test" -> test.
  /// @throws c10::Error listing the valid splits for any other name.
  const data::Games& games(const std::string& split) const;
  /// The images a split's games are played on: "valid" -> pool.train, "test" -> pool.test.
  /// @throws c10::Error listing the valid splits for any other name.
  const data::ConceptImages& images(const std::string& split) const;
};

/// The pool and the fixed games `config` asks for.
///
/// "mnist": data::load_mnist_concept_pool from config.data_dir; "synthetic":
/// data::make_synthetic_concept_pool with config.synthetic_digits digits. Both from config.pool_seed, with
/// the fixed games from valid_games_seed / test_games_seed. Features "mlp": the digits get the digit
/// classifier's features (mlp_features.h), cached in mlp_features_cache_dir(config) (not cached when that is
/// "").
/// @param config the run's config.
/// @param log reports when the digit classifier is trained; nullptr: nowhere.
/// @throws c10::Error when MNIST is missing (naming `make data`), or game_size exceeds the pool's concepts.
GameData load_game_data(const GameConfig& config, std::ostream* log = &std::cout);

/// Where the "mlp" features of `config` are cached: `<data dir>/mnist` for "mnist" (the default data dir when
/// config.data_dir is ""), `<config.data_dir>/synthetic` for "synthetic", and "" (no cache) for "synthetic"
/// when config.data_dir is "".
std::string mlp_features_cache_dir(const GameConfig& config);

}  // namespace mixdist::experiments::signal_game
