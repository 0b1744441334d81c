#include "mixdist/experiments/signal_game/config.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>

#include "mixdist/experiments/run/config_json.h"
#include "mixdist/experiments/run/named_values.h"
#include "mixdist/train/temperature_schedule.h"

namespace mixdist::experiments::signal_game {
namespace {

constexpr const char* kExperiment = "signal_game";

const run::NamedValues<Channel>& channels() {
  static const run::NamedValues<Channel> table("channel",
                                               {
                                                   {Channel::kGumbelSoftmax, "gs"},
                                                   {Channel::kGumbelSoftmaxST, "gs-st"},
                                                   {Channel::kKDHardConcrete, "kd-hard-concrete"},
                                                   {Channel::kGaussianSparsemax, "gaussian-sparsemax"},
                                               });
  return table;
}

}  // namespace

std::string channel_name(Channel channel) {
  return channels().name(channel);
}

Channel parse_channel(const std::string& name) {
  return channels().parse(name);
}

const std::vector<Channel>& all_channels() {
  return channels().values();
}

bool has_temperature(Channel channel) {
  return channel != Channel::kGaussianSparsemax;
}

int64_t GameConfig::concepts() const {
  int64_t c = 1;
  for (int64_t s = 0; s < digits_per_concept; ++s) c *= 10;
  return c;
}

void GameConfig::validate() const {
  TORCH_CHECK(experiment == kExperiment, "config: experiment must be '", kExperiment, "', got '", experiment,
              "'");
  channel_name(channel);  // an out-of-range enum value
  TORCH_CHECK(compat == "none" || compat == "authors", "config: compat must be 'none' or 'authors', got '",
              compat, "'");
  TORCH_CHECK(epochs >= 1, "config: epochs must be >= 1, got ", epochs);
  TORCH_CHECK(steps_per_epoch >= 1, "config: steps_per_epoch must be >= 1, got ", steps_per_epoch);
  TORCH_CHECK(dataset == "mnist" || dataset == "synthetic",
              "config: dataset must be 'mnist' or 'synthetic', got '", dataset, "'");
  TORCH_CHECK(features == "pixels" || features == "mlp", "config: features must be 'pixels' or 'mlp', got '",
              features, "'");
  TORCH_CHECK(digits_per_concept >= 1 && digits_per_concept <= 4,
              "config: digits_per_concept must be in [1, 4], got ", digits_per_concept);
  TORCH_CHECK(train_images_per_concept >= 1, "config: train_images_per_concept must be >= 1, got ",
              train_images_per_concept);
  TORCH_CHECK(test_images_per_concept >= 1, "config: test_images_per_concept must be >= 1, got ",
              test_images_per_concept);
  TORCH_CHECK(synthetic_digits >= 10, "config: synthetic_digits must be >= 10, got ", synthetic_digits);
  TORCH_CHECK(game_size >= 2 && game_size <= concepts(),
              "config: game_size must be in [2, concepts = ", concepts(), "], got ", game_size);
  TORCH_CHECK(valid_games >= 1, "config: valid_games must be >= 1, got ", valid_games);
  TORCH_CHECK(test_games >= 1, "config: test_games must be >= 1, got ", test_games);
  TORCH_CHECK(embedding >= 1, "config: embedding must be >= 1, got ", embedding);
  TORCH_CHECK(hidden >= 1, "config: hidden must be >= 1, got ", hidden);
  TORCH_CHECK(vocab >= 2, "config: vocab must be >= 2, got ", vocab);
  TORCH_CHECK(sender_temperature > 0 && std::isfinite(sender_temperature),
              "config: sender_temperature must be > 0, got ", sender_temperature);
  TORCH_CHECK(batch_size >= 1, "config: batch_size must be >= 1, got ", batch_size);
  TORCH_CHECK(lr > 0.0 && std::isfinite(lr), "config: lr must be > 0, got ", lr);
  TORCH_CHECK(temperature_decay >= 0.0 && std::isfinite(temperature_decay),
              "config: temperature_decay must be >= 0, got ", temperature_decay);
  TORCH_CHECK(temperature_min > 0.0 && temperature_min <= 1.0,
              "config: temperature_min must be in (0, 1], got ", temperature_min);
  TORCH_CHECK(temperature_interval >= 1, "config: temperature_interval must be >= 1, got ",
              temperature_interval);
  TORCH_CHECK(kd_lambda > 0.0 && std::isfinite(kd_lambda), "config: kd_lambda must be > 0, got ", kd_lambda);
  TORCH_CHECK(gsp_std > 0.0 && std::isfinite(gsp_std), "config: gsp_std must be > 0, got ", gsp_std);
  TORCH_CHECK(validate_every >= 0, "config: validate_every must be >= 0, got ", validate_every);
  TORCH_CHECK(eval_batch_size >= 1, "config: eval_batch_size must be >= 1, got ", eval_batch_size);
  TORCH_CHECK(topsim_messages >= 2, "config: topsim_messages must be >= 2, got ", topsim_messages);
}

std::string GameConfig::to_json() const {
  return run::config_to_json(*this);
}

GameConfig GameConfig::from_json(const std::string& text) {
  GameConfig c = run::config_from_json<GameConfig>(text, kExperiment);
  c.validate();
  return c;
}

GameConfig make_preset(Channel channel, const std::string& preset) {
  TORCH_CHECK(preset == "quick" || preset == "paper", "unknown preset '", preset,
              "'; valid presets: quick, paper");
  GameConfig c;
  c.channel = channel;
  c.preset = preset;
  // The reference scripts share every setting across channels; only the channel differs.
  c.epochs = preset == "paper" ? 500 : 20;
  c.steps_per_epoch = 100;
  return c;
}

double temperature_at(const GameConfig& config, int64_t completed_steps) {
  const double tau = train::annealed_temperature(
      {config.temperature_decay, config.temperature_min, config.temperature_interval}, completed_steps);
  return has_temperature(config.channel) ? tau : 1.0;
}

}  // namespace mixdist::experiments::signal_game
