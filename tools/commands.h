#pragma once

// Subcommands of the mixdist tool; each file under tools/ registers one.

#include <CLI/CLI.hpp>

namespace mixdist::tools {

struct GlobalOptions {
  int threads = 0;  // 0: one per core
};

// Applies the global options (thread count, denormal flushing) before a command runs.
void apply_global_options(const GlobalOptions& options);

void register_info(CLI::App& app, const GlobalOptions& options);
void register_demo(CLI::App& app, const GlobalOptions& options);
// train <experiment>, eval, compare (tools/run_commands.cpp).
void register_run_commands(CLI::App& app, const GlobalOptions& options);
// The `train` subcommand of each experiment.
void register_train_vae(CLI::App& train, const GlobalOptions& options);
void register_train_bitvae(CLI::App& train, const GlobalOptions& options);
void register_train_game(CLI::App& train, const GlobalOptions& options);

}  // namespace mixdist::tools
