#pragma once

/// @file
/// @brief The torchrun contract: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT.
///
/// A process learns its place in a data-parallel job from the variables torchrun sets (the same ones a
/// shell script can set by hand): without any of them it runs alone, as before; with them it joins the
/// job. A half-set environment is an error, never a silent single-process run: a user who meant to run 8
/// ranks and gets 8 independent runs writing one folder loses a day.

#include <c10/util/Optional.h>

#include <cstdint>
#include <functional>
#include <string>

/// @brief Data-parallel training and evaluation over c10d (TCPStore rendezvous, Gloo collectives).
namespace mixdist::distributed {

/// Where a process stands in a data-parallel job, read from the torchrun variables.
struct Environment {
  /// This process's rank, 0 .. world_size - 1 (RANK).
  int64_t rank = 0;
  /// The number of processes of the job (WORLD_SIZE), >= 1.
  int64_t world_size = 1;
  /// Its rank among the processes of its machine (LOCAL_RANK; RANK when unset).
  int64_t local_rank = 0;
  /// The host of the rendezvous store (MASTER_ADDR).
  std::string master_addr;
  /// Its port (MASTER_PORT), 1 .. 65535.
  int64_t master_port = 0;
  /// Whether torchrun's agent already serves the store at MASTER_ADDR:MASTER_PORT
  /// (TORCHELASTIC_USE_AGENT_STORE=True, torchrun's static rendezvous): every rank then connects as a
  /// client, under store_prefix, instead of rank 0 serving it.
  bool agent_store = false;
  /// The key prefix under the agent's store ("/worker/attempt_<TORCHELASTIC_RESTART_COUNT>"); empty
  /// without agent_store.
  std::string store_prefix;
};

/// A variable lookup: the value of a name, or nullptr when it is unset (std::getenv's contract).
using Lookup = std::function<const char*(const char* name)>;

/// Reads the torchrun contract through `lookup`.
///
/// @param lookup the variables (std::getenv for the process's own; a map in tests).
/// @return nullopt when neither RANK nor WORLD_SIZE nor MASTER_ADDR nor MASTER_PORT is set (a plain
///   single-process run); the environment otherwise.
/// @throws c10::Error naming the variable and its value: some but not all of RANK, WORLD_SIZE,
///   MASTER_ADDR and MASTER_PORT set, a value that is not a whole number, WORLD_SIZE < 1, RANK outside
///   0 .. WORLD_SIZE - 1, a negative LOCAL_RANK, an empty MASTER_ADDR or MASTER_PORT outside 1 .. 65535.
///
/// @code
/// auto env = mixdist::distributed::read_environment([](const char* n) { return std::getenv(n); });
/// if (env) std::cout << "rank " << env->rank << " of " << env->world_size << "\n";
/// @endcode
c10::optional<Environment> read_environment(const Lookup& lookup);

/// read_environment of this process's own variables (std::getenv).
c10::optional<Environment> process_environment();

}  // namespace mixdist::distributed
