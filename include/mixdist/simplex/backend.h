#pragma once

// Which implementation the sparse maps use. kAuto picks the fused CPU kernels for CPU tensors and the
// device-generic ATen path (sort / bisection built from ATen ops) for everything else; kAten forces the
// generic path everywhere, which is how the tests cross-check the two.

namespace mixdist {

enum class SparseMapBackend { kAuto, kAten };

void set_sparse_map_backend(SparseMapBackend backend);
SparseMapBackend sparse_map_backend();

// Restores the previous backend when it goes out of scope.
class SparseMapBackendGuard {
 public:
  explicit SparseMapBackendGuard(SparseMapBackend backend) : previous_(sparse_map_backend()) {
    set_sparse_map_backend(backend);
  }
  ~SparseMapBackendGuard() { set_sparse_map_backend(previous_); }
  SparseMapBackendGuard(const SparseMapBackendGuard&) = delete;
  SparseMapBackendGuard& operator=(const SparseMapBackendGuard&) = delete;

 private:
  SparseMapBackend previous_;
};

}  // namespace mixdist
