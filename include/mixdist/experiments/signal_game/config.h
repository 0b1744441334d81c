#pragma once

/// @file
/// @brief The signal game's config (GameConfig), its channels, presets and temperature schedule.
///
/// Configuration of the signal game (the paper's emergent-communication experiment,
/// `docs/experiments.md#the-signaling-game`): a sender sees one image, sends one message of V symbols
/// through a channel, and a receiver picks that image among game_size candidates of distinct concepts. The
/// four channels are what the paper compares; every setting a run needs to be repeated is a field here, and
/// the "paper" and "quick" presets fill them in.
///
/// Epochs: the game has no natural epoch (training draws an endless stream of games), so an epoch here is
/// one validation round, steps_per_epoch optimiser steps (100 in the paper, its validation interval), and
/// `epochs` counts rounds: the paper's 50,000 steps are 500 epochs of 100 steps.

#include <cstdint>
#include <string>
#include <vector>

namespace mixdist::experiments::signal_game {

/// The four channels the paper compares (`docs/experiments.md#signaling-game-channels`).
enum class Channel {
  /// softmax((logits + Gumbel) / tau): dense, every symbol nonzero (name "gs").
  kGumbelSoftmax,
  /// One-hot of the relaxed sample's argmax, gradient of the relaxed sample (name "gs-st").
  kGumbelSoftmaxST,
  /// sparsemax(lambda * relaxed sample): stretched about the barycentre, then projected (name
  /// "kd-hard-concrete").
  kKDHardConcrete,
  /// sparsemax(logits + N(0, std^2 I)): sparse, no temperature (name "gaussian-sparsemax").
  kGaussianSparsemax,
};

/// The CLI / JSON name of `channel`: gs, gs-st, kd-hard-concrete, gaussian-sparsemax.
/// @throws c10::Error for a value outside the enumeration.
std::string channel_name(Channel channel);
/// The channel called `name`, the inverse of channel_name.
/// @throws c10::Error listing the valid names for an unknown one.
Channel parse_channel(const std::string& name);
/// Every channel, in the order tables list them (that of Channel).
const std::vector<Channel>& all_channels();
/// Whether the channel's message depends on the annealed temperature (all but Gaussian-Sparsemax).
bool has_temperature(Channel channel);

/// Writes the channel by name (nlohmann's ADL hook).
template <typename BasicJson>
void to_json(BasicJson& j, const Channel& channel) {
  j = channel_name(channel);
}
/// Reads the channel by name (nlohmann's ADL hook).
/// @throws c10::Error listing the valid names for an unknown one.
template <typename BasicJson>
void from_json(const BasicJson& j, Channel& channel) {
  channel = parse_channel(j.template get<std::string>());
}

/// Every setting of a run of the signal game, as config.json holds it.
///
/// The defaults are the paper preset of Gaussian-Sparsemax; start from make_preset. validate() checks each
/// field's range, listed with it.
///
/// @code
/// using namespace mixdist::experiments::signal_game;
/// GameConfig config = make_preset(Channel::kKDHardConcrete, "quick");
/// @endcode
struct GameConfig {
  /// Must be "signal_game": guards against reading another experiment's run folder.
  std::string experiment = "signal_game";
  /// The channel.
  Channel channel = Channel::kGaussianSparsemax;
  /// The preset the config came from ("paper", "quick", or any label; compare groups runs by it).
  std::string preset = "paper";
  /// Seeds the global generator (model, training games, channel noise), >= 0 (run::train checks).
  int64_t seed = 322;
  /// Validation rounds (epochs), >= 1.
  int64_t epochs = 500;
  /// Optimiser steps per round, >= 1.
  int64_t steps_per_epoch = 100;
  /// "none": evaluations use the temperature the checkpoint was trained at (default). "authors": the final
  /// evaluation uses temperature 1, as the reference test script did (its checkpoints did not keep the
  /// annealed value).
  std::string compat = "none";

  /// Data: "mnist" (concepts = ordered tuples of digits_per_concept MNIST digits; training images from
  /// MNIST-train digits, test images from MNIST-test digits) or "synthetic" (generated bar digits, for
  /// tests).
  std::string dataset = "mnist";
  /// The folder that holds mnist/; "" = mixdist::data::default_data_dir().
  std::string data_dir;
  /// "pixels": the composed pictures' pixels / 255; "mlp": each digit's 512 hidden activations (before the
  /// ReLU) in a small digit classifier trained once on the training digits (mlp_features.h), concatenated
  /// over the concept's digits. Either way L2-normalised per image; it sets the networks' input size.
  std::string features = "pixels";
  /// Digits per concept, in [1, 4]: 10^digits concepts.
  int64_t digits_per_concept = 3;
  /// Training images composed per concept, >= 1.
  int64_t train_images_per_concept = 100;
  /// Test images composed per concept, >= 1.
  int64_t test_images_per_concept = 10;
  /// "synthetic": generated training (and as many test) digits, >= 10.
  int64_t synthetic_digits = 400;
  /// The pool's own generator: the same pool for every run.
  int64_t pool_seed = 20220425;
  /// Candidates per game, distinct concepts, in [2, concepts()].
  int64_t game_size = 16;
  /// Fixed validation games on training images, >= 1.
  int64_t valid_games = 1024;
  /// Fixed test games on test images, >= 1.
  int64_t test_games = 9984;
  /// Seed of the fixed validation games.
  int64_t valid_games_seed = 20200724;
  /// Seed of the fixed test games.
  int64_t test_games_seed = 20200725;

  /// E, the agents' embedding size, >= 1 (`docs/experiments.md#signaling-game-model`).
  int64_t embedding = 256;
  /// H, the sender's 1x1-convolution channels, >= 1.
  int64_t hidden = 512;
  /// V, message symbols, >= 2.
  int64_t vocab = 256;
  /// The sender's logits are divided by it, > 0.
  double sender_temperature = 10;

  /// Games per step, >= 1 (optimisation: Adam, no weight decay).
  int64_t batch_size = 64;
  /// Adam's learning rate, > 0.
  double lr = 1e-3;
  /// Temperature schedule: tau = 1 at the start; after every step t (0-based) with t % temperature_interval
  /// == 0, tau = max(temperature_min, exp(-temperature_decay * t)). Unused by Gaussian-Sparsemax. The decay,
  /// >= 0.
  double temperature_decay = 1e-5;
  /// The temperature's lower bound, in (0, 1].
  double temperature_min = 0.5;
  /// Steps between temperature updates, >= 1.
  int64_t temperature_interval = 1000;
  /// K-D Hard Concrete stretch lambda, > 0.
  double kd_lambda = 1.1;
  /// Gaussian-Sparsemax noise scale, > 0.
  double gsp_std = 1.0;

  /// Epochs between validations, >= 0 (0: only the last).
  int64_t validate_every = 1;
  /// Games per evaluation batch, >= 1.
  int64_t eval_batch_size = 64;
  /// Evaluations reseed the global generator to this (the channel stays stochastic) and restore it after.
  int64_t eval_seed = 0;
  /// Messages of the first games whose pairs the topographic similarity compares, >= 2.
  int64_t topsim_messages = 400;

  /// Checks every setting's range (listed with each field).
  /// @throws c10::Error naming the first impossible setting and its value.
  void validate() const;
  /// The config as config.json text (pretty-printed).
  std::string to_json() const;
  /// Parses a config written by to_json and validates it.
  /// @throws c10::Error naming the key for unknown or missing keys, a value of the wrong type and another
  ///   experiment's config; and as validate().
  static GameConfig from_json(const std::string& text);

  /// The number of concepts, 10^digits_per_concept.
  int64_t concepts() const;

  /// One list of (key, field) pairs for both directions of the JSON mapping, in config.json's order
  /// (run/config_json.h).
  template <typename Visitor>
  static void visit_fields(GameConfig& c, Visitor&& v) {
    v("experiment", c.experiment);
    v("channel", c.channel);
    v("preset", c.preset);
    v("seed", c.seed);
    v("epochs", c.epochs);
    v("steps_per_epoch", c.steps_per_epoch);
    v("compat", c.compat);
    v("dataset", c.dataset);
    v("data_dir", c.data_dir);
    v("features", c.features);
    v("digits_per_concept", c.digits_per_concept);
    v("train_images_per_concept", c.train_images_per_concept);
    v("test_images_per_concept", c.test_images_per_concept);
    v("synthetic_digits", c.synthetic_digits);
    v("pool_seed", c.pool_seed);
    v("game_size", c.game_size);
    v("valid_games", c.valid_games);
    v("test_games", c.test_games);
    v("valid_games_seed", c.valid_games_seed);
    v("test_games_seed", c.test_games_seed);
    v("embedding", c.embedding);
    v("hidden", c.hidden);
    v("vocab", c.vocab);
    v("sender_temperature", c.sender_temperature);
    v("batch_size", c.batch_size);
    v("lr", c.lr);
    v("temperature_decay", c.temperature_decay);
    v("temperature_min", c.temperature_min);
    v("temperature_interval", c.temperature_interval);
    v("kd_lambda", c.kd_lambda);
    v("gsp_std", c.gsp_std);
    v("validate_every", c.validate_every);
    v("eval_batch_size", c.eval_batch_size);
    v("eval_seed", c.eval_seed);
    v("topsim_messages", c.topsim_messages);
  }
};

/// The settings of `channel` at a preset (`docs/experiments.md#signaling-game-presets`):
/// - paper: the reference scripts: 500 rounds of 100 steps (50,000 steps), seed 322 (the scripts use
///   322..331), Adam 1e-3, batch 64, temperature decay 1e-5 every 1000 steps down to 0.5, lambda 1.1;
///   validation on 1,024 fixed games every round, test on 9,984 fixed games;
/// - quick: the same model, data and games, 20 rounds of 100 steps (2,000 steps).
///
/// @throws c10::Error listing the valid presets for any other preset.
GameConfig make_preset(Channel channel, const std::string& preset);

/// The temperature of the training step that follows `completed_steps` steps (a pure function of the step
/// count, so a resumed run needs no saved temperature): 1 before the first update, then max(temperature_min,
/// exp(-temperature_decay * t)) for the last t < completed_steps with t % temperature_interval == 0.
/// Gaussian-Sparsemax has no temperature: 1 always (its channel ignores it).
/// @throws c10::Error if completed_steps < 0.
double temperature_at(const GameConfig& config, int64_t completed_steps);

}  // namespace mixdist::experiments::signal_game
