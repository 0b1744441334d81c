#include "mixdist/distributed/config_check.h"

#include <fmt/format.h>

namespace mixdist::distributed {

uint64_t config_hash(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

void check_same_config(ProcessGroup& group, const std::string& config) {
  if (group.size() == 1) return;
  const auto mine = static_cast<int64_t>(config_hash(config));
  const std::vector<at::Tensor> all = group.all_gather(at::tensor({mine}, at::kLong), "the config hashes");
  const int64_t reference = all[0].item<int64_t>();
  std::string differing;
  for (int64_t r = 1; r < group.size(); ++r) {
    const int64_t h = all[r].item<int64_t>();
    if (h != reference)
      differing +=
          fmt::format("{}rank {} (hash {:016x})", differing.empty() ? "" : ", ", r, static_cast<uint64_t>(h));
  }
  TORCH_CHECK(differing.empty(), "the ranks were started with different configs: ", differing,
              " differ from rank 0 (hash ", fmt::format("{:016x}", static_cast<uint64_t>(reference)),
              "); start every rank with the same command and settings");
}

}  // namespace mixdist::distributed
