#pragma once

/// @file
/// @brief The layout of a run folder, and reading its config.json.
///
/// A run folder on disk (`runs/NAME`):
/// @verbatim
///   config.json           every setting and the seed (enough to rerun)
///   metrics.csv           one row per completed epoch
///   ckpt.last, ckpt.best  checkpoints (best: the best validation value of the experiment's selection metric)
///   summary.json          the final validation and test evaluation, timings
///   eval_*.json           later evaluations (`mixdist eval`)
///   *.png                 the experiment's pictures
///   .lock                 held by the process working in the folder (run_lock.h)
/// @endverbatim
/// Every file is written atomically (io/atomic_file.h).

#include <nlohmann/json.hpp>
#include <string>

namespace mixdist::experiments::run {

/// The paths of a run folder's files.
struct RunPaths {
  /// The paths of the files in `dir` (no file is touched).
  explicit RunPaths(std::string dir);
  /// The run folder, as given.
  std::string dir, config, last, best, metrics, summary;
  /// @var config
  /// dir + "/config.json".
  /// @var last
  /// dir + "/ckpt.last", the checkpoint of the last completed epoch.
  /// @var best
  /// dir + "/ckpt.best", the checkpoint with the best validation value.
  /// @var metrics
  /// dir + "/metrics.csv".
  /// @var summary
  /// dir + "/summary.json".
};

/// Whether anything (a file or a folder) exists at `path`.
bool path_exists(const std::string& path);
/// Creates the folder `path` and any missing parents (mkdir -p).
/// @throws c10::Error naming the folder that cannot be created.
void make_dirs(const std::string& path);

/// `run_dir/config.json`, parsed.
/// @throws c10::Error for a missing folder, a folder without config.json (not a run, or never started) or
///   text that is not a JSON object.
nlohmann::json read_run_config(const std::string& run_dir);
/// The "experiment" value of a parsed config.json ("?" when absent or not a string).
std::string experiment_name(const nlohmann::json& config);

}  // namespace mixdist::experiments::run
