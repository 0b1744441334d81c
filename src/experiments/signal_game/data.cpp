#include "mixdist/experiments/signal_game/data.h"

#include <c10/util/Exception.h>

#include "mixdist/data/mnist.h"
#include "mixdist/experiments/signal_game/mlp_features.h"

namespace mixdist::experiments::signal_game {

const data::Games& GameData::games(const std::string& split) const {
  if (split == "valid") return valid;
  if (split == "test") return test;
  TORCH_CHECK(false, "signal game: unknown split '", split, "'; valid splits: valid, test");
}

const data::ConceptImages& GameData::images(const std::string& split) const {
  if (split == "valid") return pool.train;
  if (split == "test") return pool.test;
  TORCH_CHECK(false, "signal game: unknown split '", split, "'; valid splits: valid, test");
}

std::string mlp_features_cache_dir(const GameConfig& config) {
  if (config.dataset == "mnist")
    return (config.data_dir.empty() ? data::default_data_dir() : config.data_dir) + "/mnist";
  return config.data_dir.empty() ? std::string() : config.data_dir + "/synthetic";
}

GameData load_game_data(const GameConfig& config, std::ostream* log) {
  data::ConceptPoolSpec spec;
  spec.slots = config.digits_per_concept;
  spec.train_images_per_concept = config.train_images_per_concept;
  spec.test_images_per_concept = config.test_images_per_concept;
  spec.seed = config.pool_seed;
  GameData d;
  d.pool = config.dataset == "mnist"
               ? data::load_mnist_concept_pool(spec, config.data_dir)
               : data::make_synthetic_concept_pool(spec, config.synthetic_digits, config.pool_seed);
  if (config.features == "mlp")
    attach_mlp_features(d.pool, mlp_features_cache_dir(config), MlpSchedule(), log);
  TORCH_CHECK(config.game_size <= d.pool.concepts(), "config: game_size ", config.game_size,
              " exceeds the pool's ", d.pool.concepts(), " concepts");
  d.valid = data::fixed_games(config.valid_games, d.pool.train, config.game_size, config.valid_games_seed);
  d.test = data::fixed_games(config.test_games, d.pool.test, config.game_size, config.test_games_seed);
  return d;
}

}  // namespace mixdist::experiments::signal_game
