#pragma once

// The factories of the signal game's channels, one file each.

#include <memory>

#include "mixdist/experiments/signal_game/channel.h"

namespace mixdist::experiments::signal_game::channels {

std::unique_ptr<MessageChannel> make_gumbel_softmax(bool straight_through);
std::unique_ptr<MessageChannel> make_kd_hard_concrete(double lambda);
std::unique_ptr<MessageChannel> make_gaussian_sparsemax(double noise_std);

}  // namespace mixdist::experiments::signal_game::channels
