#pragma once

/// @file
/// @brief Gives every rank root's tensors: the initial parameters, a resumed run's state.
///
/// Ranks build their models from their own generators; before the first step they must hold the same
/// weights, or their identical-looking optimiser steps drift apart. Broadcasting rank 0's values (rather
/// than trusting every rank to draw the same numbers) also covers ranks whose generators differ on purpose
/// (per-rank noise streams) and a resumed run whose checkpoint only rank 0 has read.

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "mixdist/distributed/process_group.h"

namespace mixdist::distributed {

/// Overwrites `tensors` with root's values, in place, one flat buffer per dtype.
/// @param group the process group.
/// @param tensors CPU tensors of the same shapes and dtypes on every rank (parameters may require grad:
///   they are written without recording).
/// @param root the rank whose values are sent.
/// @param what what is sent, for the error message.
void broadcast_tensors(ProcessGroup& group, const std::vector<at::Tensor>& tensors, int64_t root,
                       const std::string& what);

/// Root's `text` on every rank (a config, a checkpoint file): its length, then its bytes.
/// @param group the process group.
/// @param text the bytes to send (read on root only).
/// @param root the rank whose text is sent.
/// @param what what is sent, for the error message.
/// @return root's text.
std::string broadcast_string(ProcessGroup& group, const std::string& text, int64_t root,
                             const std::string& what);

/// Overwrites the parameters and buffers of `module` with root's (broadcast_tensors).
/// @param group the process group.
/// @param module a module of the same structure on every rank.
/// @param root the rank whose values are sent (0: the initial parameters of a run).
void broadcast_module(ProcessGroup& group, torch::nn::Module& module, int64_t root = 0);

}  // namespace mixdist::distributed
