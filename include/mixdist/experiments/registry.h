#pragma once

// Every experiment this mixdist runs, for the commands that work on runs of any of them (`mixdist eval`,
// `mixdist compare`) and for the CLI's `train` subcommands.

#include <vector>

#include "mixdist/experiments/run/experiment.h"

namespace mixdist::experiments {

// In the order tables list them.
const std::vector<run::ExperimentInfo>& all_experiments();

}  // namespace mixdist::experiments
