#pragma once

// `mixdist train <experiment>`: the options every experiment shares (--preset --seed --epochs --out --resume
// --no-figures ...) and the experiment's own, each bound to a config.json key; --steps, where offered, sets
// the epochs key (run::plan_steps). Options given on the command line override the preset's values; with
// --resume they must agree with the run's config.json (only --epochs or --steps may change), which run::train
// checks by key.

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "commands.h"
#include "mixdist/experiments/run/experiment.h"

namespace mixdist::tools {

enum class OptionKind { kInteger, kNumber, kText };

struct ConfigOption {
  std::string option;  // e.g. "--is-samples"
  std::string key;     // e.g. "final_is_samples"
  OptionKind kind;
  std::string help;
  int64_t max = std::numeric_limits<int64_t>::max();  // kInteger: the largest value accepted
};

// Importance samples per image beyond which an evaluation would run for days (the paper uses 1,000-1,024).
constexpr int64_t kMaxImportanceSamples = 100000;

// For integer counts and seeds: refuses, naming the option and the value, a negative number, a number beyond
// `max` and one beyond 64 bits (which CLI11 would clamp to 9223372036854775807 without a word), and zero
// unless allow_zero.
CLI::Validator count_validator(int64_t max, bool allow_zero = true);

struct TrainCommand {
  const experiments::run::ExperimentInfo* info = nullptr;
  std::string description;
  std::string variant_option;  // e.g. "--latent": required, its value is the config's variant_key
  std::string variant_help;
  std::string preset_help;
  // The config JSON of a variant at a preset ("quick" or "paper"); c10::Error for unknown names.
  std::function<std::string(const std::string& variant, const std::string& preset)> preset;
  // Besides --preset, --seed and --epochs.
  std::vector<ConfigOption> options;
  // Default run folder: runs/<run_prefix><preset>-<variant>-seed<seed>.
  std::string run_prefix;
  // The config key of the optimiser steps per epoch, for experiments where it is a setting: then --steps N
  // is offered, the number of epochs that makes N steps. "": no --steps.
  std::string steps_per_epoch_key;
};

// --validate-every, --valid-is-samples, --is-samples and --train-size, for experiments whose config has the
// keys validate_every, valid_is_samples, final_is_samples and train_size (both VAEs).
std::vector<ConfigOption> evaluation_schedule_options();

void add_train_command(CLI::App& train, const GlobalOptions& global, TrainCommand command);

}  // namespace mixdist::tools
