#pragma once

/// @file
/// @brief Refuses to start a job whose ranks were given different configs.
///
/// Ranks started by hand (or by a launcher whose command line differs per machine) may disagree on a setting;
/// data-parallel training would then average the gradients of different models or batch sizes, and fail
/// much later in a shape error, or not at all. A 64-bit hash of each rank's config, gathered at the start,
/// turns that into one error on every rank that names the ranks that differ.

#include <cstdint>
#include <string>

#include "mixdist/distributed/process_group.h"

namespace mixdist::distributed {

/// The FNV-1a 64-bit hash of `text` (stable across machines and builds, unlike std::hash).
uint64_t config_hash(const std::string& text);

/// Checks that every rank holds the same `config` text.
/// @param group the process group.
/// @param config this rank's config (e.g. config.json's text).
/// @throws c10::Error on every rank when any two differ, naming the ranks whose config differs from rank 0's
///   and both hashes; or as ProcessGroup's collectives.
void check_same_config(ProcessGroup& group, const std::string& config);

}  // namespace mixdist::distributed
