// The OpenBLAS kernel choice: the decision rule, and that a program which re-executed itself (the mixdist
// CLI, via the test below) runs the preferred kernels.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "mixdist/platform/openblas_core.h"

namespace mixdist::platform {
namespace {

TEST(OpenblasCore, AskForSkylakeXOnlyWhenAnAvx512CpuGotOlderKernels) {
  EXPECT_EQ(preferred_openblas_core("Haswell", true), "SkylakeX");
  EXPECT_EQ(preferred_openblas_core("Zen", true), "SkylakeX");
  EXPECT_EQ(preferred_openblas_core("Haswell", false), "");
  EXPECT_EQ(preferred_openblas_core("SkylakeX", true), "");
  EXPECT_EQ(preferred_openblas_core("Cooperlake", true), "");
  EXPECT_EQ(preferred_openblas_core("", true), "") << "no OpenBLAS in the process";
}

TEST(OpenblasCore, ReportsTheLoadedLibrarysCore) {
  (void)at::mm(at::ones({2, 2}), at::ones({2, 2}));  // make sure LibTorch's BLAS is loaded
  const std::string core = openblas_core();
  if (core.empty()) GTEST_SKIP() << "LibTorch is not using OpenBLAS here";
  // This test binary does not re-execute itself: the core is OpenBLAS's own choice or the environment's.
  const char* requested = std::getenv("OPENBLAS_CORETYPE");
  if (requested != nullptr) {
    EXPECT_EQ(core, requested);
  }
  EXPECT_FALSE(core.empty());
}

// The CLI re-executes itself with the preferred kernels when the environment names none (this build
// machine's environment sets OPENBLAS_CORETYPE=Haswell, so the variable is removed for the child).
TEST(OpenblasCore, TheCliPicksAvx512KernelsWhenTheEnvironmentNamesNone) {
#ifndef MIXDIST_CLI_PATH
  GTEST_SKIP() << "built without the CLI";
#else
  (void)at::mm(at::ones({2, 2}), at::ones({2, 2}));
  if (openblas_core().empty()) GTEST_SKIP() << "LibTorch is not using OpenBLAS here";
  FILE* pipe =
      popen((std::string("env -u OPENBLAS_CORETYPE ") + MIXDIST_CLI_PATH + " --threads 1 info").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  ASSERT_EQ(pclose(pipe), 0) << out;
  const auto line_start = out.find("OpenBLAS kernels: ");
  ASSERT_NE(line_start, std::string::npos) << out;
  const std::string line = out.substr(line_start, out.find('\n', line_start) - line_start);
  if (cpu_has_avx512()) {
    // Either OpenBLAS chose AVX-512 kernels itself, or the CLI asked for SkylakeX.
    const bool avx512_kernels = line.find("SkylakeX") != std::string::npos ||
                                line.find("Cooperlake") != std::string::npos ||
                                line.find("SapphireRapids") != std::string::npos;
    EXPECT_TRUE(avx512_kernels) << line;
  } else {
    EXPECT_EQ(line.find("OPENBLAS_CORETYPE="), std::string::npos)
        << "no re-execution without AVX-512: " << line;
  }
#endif
}

}  // namespace
}  // namespace mixdist::platform
