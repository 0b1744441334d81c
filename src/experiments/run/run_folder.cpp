#include "mixdist/experiments/run/run_folder.h"

#include <c10/util/Exception.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "mixdist/experiments/run/config_json.h"
#include "mixdist/io/atomic_file.h"

namespace mixdist::experiments::run {

RunPaths::RunPaths(std::string d)
    : dir(std::move(d)),
      config(dir + "/config.json"),
      last(dir + "/ckpt.last"),
      best(dir + "/ckpt.best"),
      metrics(dir + "/metrics.csv"),
      summary(dir + "/summary.json") {}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void make_dirs(const std::string& path) {
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (prefix.empty() || path_exists(prefix)) continue;
    TORCH_CHECK(::mkdir(prefix.c_str(), 0755) == 0 || errno == EEXIST, "cannot create folder ", prefix, ": ",
                std::strerror(errno));
  }
}

nlohmann::json read_run_config(const std::string& run_dir) {
  const RunPaths paths(run_dir);
  TORCH_CHECK(path_exists(run_dir), "run folder ", run_dir, " does not exist");
  TORCH_CHECK(path_exists(paths.config), "run folder ", run_dir,
              " has no config.json: not a mixdist run (or never started)");
  return parse_json_object(io::read_file(paths.config), paths.config);
}

std::string experiment_name(const nlohmann::json& config) {
  return config.contains("experiment") && config["experiment"].is_string()
             ? config["experiment"].get<std::string>()
             : std::string("?");
}

}  // namespace mixdist::experiments::run
