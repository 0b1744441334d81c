#pragma once

// Data of the signal game: the concept pool (built once, the same for every run) and its fixed validation
// games (on training images, as the reference code validated) and test games (on test images).

#include <iostream>
#include <string>

#include "mixdist/data/concept_pool.h"
#include "mixdist/experiments/signal_game/config.h"

namespace mixdist::experiments::signal_game {

struct GameData {
  data::ConceptPool pool;
  data::Games valid, test;  // fixed games; valid on pool.train images, test on pool.test images

  // "valid" -> (valid, pool.train), "test" -> (test, pool.test); a named error otherwise.
  const data::Games& games(const std::string& split) const;
  const data::ConceptImages& images(const std::string& split) const;
};

// "mnist": data::load_mnist_concept_pool from config.data_dir (an error naming `make data` when MNIST is
// missing); "synthetic": data::make_synthetic_concept_pool with config.synthetic_digits digits. Both from
// config.pool_seed, with the fixed games from valid_games_seed / test_games_seed. Features "mlp": the digits
// get the digit classifier's features (mlp_features.h), cached in <data dir>/mnist for "mnist" and in
// <config.data_dir>/synthetic for "synthetic" (not cached when config.data_dir is ""); `log` reports when
// the classifier is trained.
GameData load_game_data(const GameConfig& config, std::ostream* log = &std::cout);

// Where the "mlp" features of `config` are cached ("" for none, see load_game_data).
std::string mlp_features_cache_dir(const GameConfig& config);

}  // namespace mixdist::experiments::signal_game
