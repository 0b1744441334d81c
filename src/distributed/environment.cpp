#include "mixdist/distributed/environment.h"

#include <c10/util/Exception.h>

#include <cerrno>
#include <cstdlib>
#include <limits>

namespace mixdist::distributed {
namespace {

// A whole number in [low, high], or an error naming the variable and its value (std::stoll accepts "3x").
int64_t whole_number(const char* name, const char* text, int64_t low, int64_t high, const char* range) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  TORCH_CHECK(end != text && *end == '\0' && errno == 0, name, "='", text, "' is not a whole number");
  TORCH_CHECK(v >= low && v <= high, name, "=", v, " is out of range: it must be ", range);
  return v;
}

}  // namespace

c10::optional<Environment> read_environment(const Lookup& lookup) {
  static const char* const kRequired[] = {"RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"};
  std::string set, unset;
  for (const char* name : kRequired) (lookup(name) ? set : unset) += std::string(name) + " ";
  if (set.empty()) return c10::nullopt;
  TORCH_CHECK(
      unset.empty(), "data-parallel run: ", set, "set but ", unset,
      "unset; a rank needs all of RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT (torchrun sets them), "
      "or none of them to run alone");
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  Environment env;
  env.world_size = whole_number("WORLD_SIZE", lookup("WORLD_SIZE"), 1, kMax, ">= 1");
  env.rank = whole_number("RANK", lookup("RANK"), 0, kMax, ">= 0");
  TORCH_CHECK(env.rank < env.world_size, "RANK=", env.rank,
              " is out of range: with WORLD_SIZE=", env.world_size, " it must be 0 .. ", env.world_size - 1);
  const char* local = lookup("LOCAL_RANK");
  env.local_rank = local ? whole_number("LOCAL_RANK", local, 0, kMax, ">= 0") : env.rank;
  env.master_addr = lookup("MASTER_ADDR");
  TORCH_CHECK(!env.master_addr.empty(), "MASTER_ADDR is empty: it must name the host of rank 0");
  env.master_port = whole_number("MASTER_PORT", lookup("MASTER_PORT"), 1, 65535, "1 .. 65535");
  const char* agent = lookup("TORCHELASTIC_USE_AGENT_STORE");
  env.agent_store = agent && std::string(agent) == "True";
  if (env.agent_store) {
    const char* attempt = lookup("TORCHELASTIC_RESTART_COUNT");
    env.store_prefix = std::string("/worker/attempt_") + (attempt ? attempt : "0");
  }
  return env;
}

c10::optional<Environment> process_environment() {
  return read_environment([](const char* name) { return std::getenv(name); });
}

}  // namespace mixdist::distributed
