#include "mixdist/platform/openblas_core.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>

namespace mixdist::platform {

std::string openblas_core() {
  // Looked up at run time: LibTorch may be linked against another BLAS.
  using CoreNameFn = char* (*)();
  const auto fn = reinterpret_cast<CoreNameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = fn != nullptr ? fn() : nullptr;
  return name != nullptr ? std::string(name) : std::string();
}

std::string preferred_openblas_core(const std::string& detected, bool has_avx512) {
  // The pre-AVX-512 x86 cores an AVX-512 CPU can be mistaken for.
  const bool older = detected == "Haswell" || detected == "Zen" || detected == "Sandybridge";
  return has_avx512 && older ? "SkylakeX" : "";
}

bool cpu_has_avx512() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

void reexec_with_preferred_openblas_core(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const std::string core = preferred_openblas_core(openblas_core(), cpu_has_avx512());
  if (core.empty()) return;
  setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
  execv("/proc/self/exe", argv);
  unsetenv("OPENBLAS_CORETYPE");  // exec failed: carry on with the kernels already loaded
}

}  // namespace mixdist::platform
