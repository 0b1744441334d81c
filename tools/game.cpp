// `mixdist train game`: the emergent-communication signal game (paper §5.1), four message channels.
#include "mixdist/experiments/signal_game/experiment.h"
#include "train_command.h"

namespace mixdist::tools {

void register_train_game(CLI::App& train, const GlobalOptions& global) {
  namespace game = mixdist::experiments::signal_game;
  TrainCommand c;
  c.info = &game::info();
  c.description =
      "the signal game (paper §5.1): a sender and a receiver learn to communicate through a channel";
  c.variant_option = "--channel";
  c.variant_help = "gs | gs-st | kd-hard-concrete | gaussian-sparsemax";
  c.preset_help =
      "quick (2,000 steps) or paper (50,000 steps); an epoch is one validation round of 100 steps";
  c.preset = [](const std::string& channel, const std::string& preset) {
    return game::make_preset(game::parse_channel(channel), preset).to_json();
  };
  c.options = {
      {"--compat", "compat", OptionKind::kText,
       "none (default: evaluate at the trained temperature) or authors (the final evaluation at temperature "
       "1, "
       "as the reference test script)"},
      {"--steps-per-epoch", "steps_per_epoch", OptionKind::kInteger,
       "optimiser steps per epoch (validation round)"},
      {"--validate-every", "validate_every", OptionKind::kInteger,
       "epochs between validations (0: only the last)"},
      {"--features", "features", OptionKind::kText,
       "pixels (default: the composed pictures) or mlp (each digit's hidden features in a small digit "
       "classifier, trained once and cached in the data folder)"},
      {"--data-dir", "data_dir", OptionKind::kText, "folder holding mnist/ (default: the data folder)"},
  };
  c.run_prefix = "game-";
  c.steps_per_epoch_key = "steps_per_epoch";
  add_train_command(train, global, std::move(c));
}

}  // namespace mixdist::tools
