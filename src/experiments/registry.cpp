#include "mixdist/experiments/registry.h"

#include "mixdist/experiments/bitvector_vae/experiment.h"
#include "mixdist/experiments/signal_game/experiment.h"
#include "mixdist/experiments/vae_mnist/experiment.h"

namespace mixdist::experiments {

const std::vector<run::ExperimentInfo>& all_experiments() {
  static const std::vector<run::ExperimentInfo> experiments = {vae_mnist::info(), bitvector_vae::info(),
                                                               signal_game::info()};
  return experiments;
}

}  // namespace mixdist::experiments
