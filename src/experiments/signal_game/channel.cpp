#include "mixdist/experiments/signal_game/channel.h"

#include <c10/util/Exception.h>

#include "channels/channels.h"

namespace mixdist::experiments::signal_game {

std::unique_ptr<MessageChannel> make_channel(const GameConfig& config) {
  switch (config.channel) {
    case Channel::kGumbelSoftmax:
      return channels::make_gumbel_softmax(/*straight_through=*/false);
    case Channel::kGumbelSoftmaxST:
      return channels::make_gumbel_softmax(/*straight_through=*/true);
    case Channel::kKDHardConcrete:
      return channels::make_kd_hard_concrete(config.kd_lambda);
    case Channel::kGaussianSparsemax:
      return channels::make_gaussian_sparsemax(config.gsp_std);
  }
  TORCH_CHECK(false, "make_channel: unknown channel ", static_cast<int>(config.channel));
}

}  // namespace mixdist::experiments::signal_game
