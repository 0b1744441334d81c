#include "train_command.h"

#include <fmt/core.h>

#include <charconv>

#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "mixdist/experiments/run/trainer.h"
#include "mixdist/train/stop_signal.h"

namespace mixdist::tools {
namespace {

namespace run = mixdist::experiments::run;

struct TrainArgs {
  std::string variant, out;
  bool resume = false, no_figures = false;
  int64_t steps = 0;
  bool steps_given = false;
  // Values of the config options, by option name (std::map: CLI11 keeps pointers to them).
  std::map<std::string, int64_t> integers;
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> texts = {{"--preset", "quick"}};
};

int run_train(const TrainCommand& c, const TrainArgs& a, const std::vector<ConfigOption>& given,
              distributed::ProcessGroup* group) {
  nlohmann::json config = nlohmann::json::parse(c.preset(a.variant, a.texts.at("--preset")));
  run::RunOptions options;
  for (const ConfigOption& o : given) {
    switch (o.kind) {
      case OptionKind::kInteger:
        config[o.key] = a.integers.at(o.option);
        break;
      case OptionKind::kNumber:
        config[o.key] = a.numbers.at(o.option);
        break;
      case OptionKind::kText:
        config[o.key] = a.texts.at(o.option);
        break;
    }
    options.explicit_settings[o.key] = o.option;
  }
  const std::string preset = config.value("preset", std::string());
  const int64_t seed = config.value("seed", int64_t{0});
  options.run_dir =
      a.out.empty() ? fmt::format("runs/{}{}-{}-seed{}", c.run_prefix, preset, a.variant, seed) : a.out;
  options.resume = a.resume;
  options.figures = !a.no_figures;
  options.group = group;
  // Rank 0 speaks for a data-parallel run; the others print only their errors.
  const bool speaks = group == nullptr || group->rank() == 0;
  // --steps is --epochs in steps (with --resume: the run's new planned steps, at the run's steps per epoch).
  if (a.steps_given)
    config = nlohmann::json::parse(run::plan_steps(config.dump(), c.steps_per_epoch_key, a.steps, options));
  if (!speaks)
    ;
  else if (a.resume)
    fmt::print("resuming the {} {} run in {}\n", a.variant, c.info->command, options.run_dir);
  else
    fmt::print("training {} {} ({} preset, seed {}, {} epochs) -> {}\n", a.variant, c.info->command, preset,
               seed, config.value("epochs", int64_t{0}), options.run_dir);
  std::cout.flush();
  const run::RunResult r = run::train(*c.info, config.dump(), options);
  if (r.stopped) {
    if (speaks)
      fmt::print(stderr, "stopped; resume with: mixdist train {} {} {} --out {} --resume\n", c.info->command,
                 c.variant_option, a.variant, options.run_dir);
    return train::StopSignal::exit_status();
  }
  return 0;
}

}  // namespace

CLI::Validator count_validator(int64_t max, bool allow_zero) {
  const int64_t min = allow_zero ? 0 : 1;
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        int64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [stop, error] = std::from_chars(text.data(), end, value);
        if (error == std::errc::result_out_of_range)
          return fmt::format("must be {} to {}, got {}", min, max, text);
        if (error != std::errc() || stop != end) return "must be a whole number, got " + text;
        if (value < min || value > max) return fmt::format("must be {} to {}, got {}", min, max, text);
        return "";
      },
      max == std::numeric_limits<int64_t>::max() ? fmt::format(">= {}", min)
                                                 : fmt::format("{}..{}", min, max));
}

std::vector<ConfigOption> evaluation_schedule_options() {
  return {
      {"--validate-every", "validate_every", OptionKind::kInteger,
       "epochs between validations (0: only the last)"},
      {"--valid-is-samples", "valid_is_samples", OptionKind::kInteger,
       "importance samples of the per-epoch validation", kMaxImportanceSamples},
      {"--is-samples", "final_is_samples", OptionKind::kInteger, "importance samples of the final evaluation",
       kMaxImportanceSamples},
      {"--train-size", "train_size", OptionKind::kInteger, "use only the first N training images"},
  };
}

void add_train_command(CLI::App& train, const GlobalOptions& global, TrainCommand command) {
  auto c = std::make_shared<TrainCommand>(std::move(command));
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = train.add_subcommand(c->info->command, c->description);
  cmd->add_option(c->variant_option, args->variant, c->variant_help)->required();
  // The options every experiment shares, then the experiment's own.
  std::vector<ConfigOption> options = {
      {"--preset", "preset", OptionKind::kText, c->preset_help},
      {"--seed", "seed", OptionKind::kInteger, "random seed (default: the preset's)"},
      {"--epochs", "epochs", OptionKind::kInteger,
       "override the preset's epochs; with --resume, the run's new planned epochs (extends or shortens it, "
       "not below the completed ones)"}};
  options.insert(options.end(), c->options.begin(), c->options.end());
  for (const ConfigOption& o : options) {
    switch (o.kind) {
      case OptionKind::kInteger:
        cmd->add_option(o.option, args->integers[o.option], o.help)->check(count_validator(o.max));
        break;
      case OptionKind::kNumber:
        cmd->add_option(o.option, args->numbers[o.option], o.help);
        break;
      case OptionKind::kText:
        cmd->add_option(o.option, args->texts[o.option], o.help);
        break;
    }
  }
  cmd->add_option("--out", args->out,
                  fmt::format("run folder (default runs/{}<preset>-<{}>-seed<seed>)", c->run_prefix,
                              c->variant_option.substr(2)));
  cmd->add_flag(
      "--resume", args->resume,
      "continue the run in --out from its last completed epoch, with the settings of its config.json "
      "(other options must agree with them; only --epochs may change)");
  if (!c->steps_per_epoch_key.empty())
    cmd->add_option("--steps", args->steps,
                    "total optimiser steps, instead of --epochs: a positive multiple of the steps per epoch "
                    "(with --resume, the run's new planned steps)")
        ->check(count_validator(std::numeric_limits<int64_t>::max()));
  cmd->add_flag("--no-figures", args->no_figures, "skip the PNG report");
  cmd->callback([c, args, cmd, options, &global] {
    apply_global_options(global);
    std::vector<ConfigOption> given;
    for (const ConfigOption& o : options)
      if (cmd->count(o.option) > 0) given.push_back(o);
    args->steps_given = !c->steps_per_epoch_key.empty() && cmd->count("--steps") > 0;
    const auto group = join_job(global);
    if (group && group->rank() == 0)
      fmt::print("data-parallel: {} ranks (rank 0 writes the run folder)\n", group->size());
    const int code = run_train(*c, *args, given, group.get());
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace mixdist::tools
