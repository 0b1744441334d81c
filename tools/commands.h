#pragma once

// Subcommands of the mixdist tool; each file under tools/ registers one.

#include <CLI/CLI.hpp>

#include <memory>

#include "mixdist/distributed/process_group.h"

namespace mixdist::tools {

struct GlobalOptions {
  int threads = 0;  // 0: one per core
  // How long a rank of a data-parallel run waits for the others (rendezvous, each collective) before it
  // fails.
  double dist_timeout_seconds = 300;
};

// The data-parallel job this process is a rank of, when torchrun's variables (RANK, WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT) say so; nullptr otherwise (a plain single-process command). c10::Error naming a variable set
// wrong, or the ranks that never arrived.
std::unique_ptr<distributed::ProcessGroup> join_job(const GlobalOptions& options);

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
