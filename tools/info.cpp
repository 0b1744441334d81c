// `mixdist info`: versions, BLAS, threads and data sets, i.e. what a bug report needs.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <fmt/core.h>
#include <torch/version.h>

#include <dlfcn.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "commands.h"
#include "mixdist/data/mnist.h"
#include "mixdist/nn/linear.h"
#include "mixdist/train/process_setup.h"
#include "mixdist/version.h"

namespace mixdist::tools {

void apply_global_options(const GlobalOptions& options) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // LibTorch here defaults to one thread; use every core unless told otherwise.
  at::set_num_threads(options.threads > 0 ? options.threads : cores);
  // Denormal flushing and an allocator that keeps freed memory (train/process_setup.h).
  train::configure_process_for_training();
}

namespace {

// The BLAS library the process actually mapped (Debian's alternatives decide which libblas.so.3 it is).
std::string blas_in_use() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    for (const char* name : {"libopenblas", "libblis", "libmkl", "libblas.so"}) {
      const auto pos = line.find(name);
      if (pos != std::string::npos) {
        const auto start = line.rfind(' ', pos);
        return line.substr(start == std::string::npos ? 0 : start + 1);
      }
    }
  }
  return "none mapped";
}

// OpenBLAS chooses its kernels when it loads, from the CPU or from OPENBLAS_CORETYPE (some environments set
// it: this build machine's sets Haswell, where OpenBLAS itself would pick Cooperlake kernels on this AMD
// EPYC; the VAE's layers use oneDNN instead, see nn/linear.h). Looked up at run time: LibTorch may use
// another BLAS.
std::string openblas_core() {
  using CoreNameFn = char* (*)();
  const auto fn = reinterpret_cast<CoreNameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = fn != nullptr ? fn() : nullptr;
  return name != nullptr ? std::string(name) : std::string();
}

void run_info() {
  // A tiny matmul makes LibTorch load its BLAS so that /proc/self/maps shows it.
  (void)at::mm(at::ones({2, 2}), at::ones({2, 2}));
  fmt::print("mixdist {}\n", MIXDIST_VERSION_STRING);
  fmt::print("LibTorch {}\n", TORCH_VERSION);
  fmt::print("BLAS: {}\n", blas_in_use());
  const std::string core = openblas_core();
  if (!core.empty()) {
    const char* requested = std::getenv("OPENBLAS_CORETYPE");
    fmt::print("OpenBLAS kernels: {}{}\n", core,
               requested != nullptr ? fmt::format(" (OPENBLAS_CORETYPE={})", requested) : std::string());
  }
  fmt::print("linear layers (mixdist::nn::linear): {}\n", nn::linear_backend_description());
  fmt::print("threads: {} (cores: {})\n", at::get_num_threads(), std::thread::hardware_concurrency());
  fmt::print("{}\n", at::get_parallel_info());
  fmt::print("data sets:\n{}\n", data::describe_datasets());
}

}  // namespace

void register_info(CLI::App& app, const GlobalOptions& options) {
  auto* cmd = app.add_subcommand("info", "print versions, BLAS, threads and where the data sets are");
  cmd->callback([&options] {
    apply_global_options(options);
    run_info();
  });
}

}  // namespace mixdist::tools
