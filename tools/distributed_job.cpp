// The data-parallel side of `mixdist train` and `mixdist eval`: torchrun's variables make the process a rank.
#include <chrono>
#include <memory>

#include "commands.h"
#include "mixdist/distributed/environment.h"

namespace mixdist::tools {

std::unique_ptr<distributed::ProcessGroup> join_job(const GlobalOptions& options) {
  const c10::optional<distributed::Environment> env = distributed::process_environment();
  if (!env) return nullptr;
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(options.dist_timeout_seconds * 1000));
  return std::make_unique<distributed::ProcessGroup>(*env,
                                                     distributed::ProcessGroupOptions().timeout(timeout));
}

}  // namespace mixdist::tools
