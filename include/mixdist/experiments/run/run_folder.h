#pragma once

// A run folder on disk (runs/NAME):
//   config.json           every setting and the seed (enough to rerun)
//   metrics.csv           one row per completed epoch
//   ckpt.last, ckpt.best  checkpoints (best: the best validation value of the experiment's selection metric)
//   summary.json          the final validation and test evaluation, timings
//   eval_*.json           later evaluations (`mixdist eval`)
//   *.png                 the experiment's pictures
// Every file is written atomically (io/atomic_file.h).

#include <nlohmann/json.hpp>
#include <string>

namespace mixdist::experiments::run {

struct RunPaths {
  explicit RunPaths(std::string dir);
  std::string dir, config, last, best, metrics, summary;
};

bool path_exists(const std::string& path);
// mkdir -p; c10::Error naming the folder that cannot be created.
void make_dirs(const std::string& path);

// runs/NAME/config.json parsed; c10::Error for a missing folder, a folder without config.json (not a run,
// or never started) or text that is not a JSON object.
nlohmann::json read_run_config(const std::string& run_dir);
// Its "experiment" value ("?" when absent).
std::string experiment_name(const nlohmann::json& config);

}  // namespace mixdist::experiments::run
