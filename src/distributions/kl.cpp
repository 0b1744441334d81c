#include "mixdist/distributions/kl.h"

#include <c10/util/Exception.h>

#include <map>
#include <mutex>
#include <utility>

#include "distributions/builtin_kl.h"

namespace mixdist {
inline namespace distributions {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::pair<std::type_index, std::type_index>, KLFunction> table;
};

Registry& registry() {
  static Registry r;
  return r;
}

// The built-in pairs are registered from one place on first use, not by static initialisers spread over the
// translation units: a static library's linker drops object files nothing references, and their initialisers
// with them.
void ensure_builtins() {
  static std::once_flag once;
  std::call_once(once, [] { detail::register_builtin_kls(); });
}

}  // namespace

void register_kl(std::type_index p, std::type_index q, KLFunction fn) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.table[{p, q}] = std::move(fn);
}

bool has_kl(const Distribution& p, const Distribution& q) {
  ensure_builtins();
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.table.count({std::type_index(typeid(p)), std::type_index(typeid(q))}) > 0;
}

at::Tensor kl_divergence(const Distribution& p, const Distribution& q) {
  ensure_builtins();
  KLFunction fn;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.table.find({std::type_index(typeid(p)), std::type_index(typeid(q))});
    TORCH_CHECK(it != r.table.end(), "kl_divergence: no KL registered for the pair (", p.name(), ", ",
                q.name(), "); register one with mixdist::register_kl<P, Q>(...)");
    fn = it->second;
  }
  return fn(p, q);
}

Estimate kl_divergence_mc(const Distribution& p, const Distribution& q, int64_t num_samples,
                          c10::optional<at::Generator> generator) {
  TORCH_CHECK(num_samples >= 2, "kl_divergence_mc(", p.name(), ", ", q.name(),
              "): num_samples must be >= 2 (a standard error needs two draws), got ", num_samples);
  const SampleWithLogProb s = p.sample_with_log_prob(num_samples, std::move(generator));
  return sample_mean(s.log_prob - q.log_prob(s.value));
}

}  // namespace distributions
}  // namespace mixdist
