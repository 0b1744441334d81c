#pragma once

/// @file
/// @brief Which implementation the sparse maps use: the fused CPU kernels or the device-generic ATen path.
///
/// Which implementation the sparse maps use. kAuto picks the fused CPU kernels for CPU tensors and the
/// device-generic ATen path (sort / bisection built from ATen ops) for everything else; kAten forces the
/// generic path everywhere, which is how the tests cross-check the two.

namespace mixdist {
inline namespace simplex {

/// The implementations the sparse maps (sparsemax, entmax15, entmax_bisect, their losses) can run on.
enum class SparseMapBackend {
  kAuto,  ///< fused CPU kernels for CPU tensors, mixdist::generic for other devices (the default)
  kAten   ///< mixdist::generic (ATen ops) for every tensor
};

/// Sets the backend of every later sparse-map call, process-wide (one atomic, shared by all threads).
///
/// @param backend the backend to use from now on.
///
/// @code
/// mixdist::set_sparse_map_backend(mixdist::SparseMapBackend::kAten);
/// @endcode
void set_sparse_map_backend(SparseMapBackend backend);

/// The backend the sparse maps use now (SparseMapBackend::kAuto unless set_sparse_map_backend() changed it).
///
/// @return the current process-wide backend.
SparseMapBackend sparse_map_backend();

/// Sets the sparse-map backend for a scope and restores the previous one when it goes out of scope.
///
/// The setting is process-wide, not per thread: other threads see it while the guard lives.
///
/// @code
/// {
///   mixdist::SparseMapBackendGuard aten(mixdist::SparseMapBackend::kAten);
///   at::Tensor reference = mixdist::sparsemax(at::randn({2, 5}));  // sort-based ATen path
/// }  // the previous backend again
/// @endcode
class SparseMapBackendGuard {
 public:
  /// Remembers the current backend and switches to `backend`.
  /// @param backend the backend to use while the guard lives.
  explicit SparseMapBackendGuard(SparseMapBackend backend) : previous_(sparse_map_backend()) {
    set_sparse_map_backend(backend);
  }
  /// Restores the backend that was in use when the guard was made.
  ~SparseMapBackendGuard() { set_sparse_map_backend(previous_); }
  SparseMapBackendGuard(const SparseMapBackendGuard&) = delete;             ///< Not copyable.
  SparseMapBackendGuard& operator=(const SparseMapBackendGuard&) = delete;  ///< Not copyable.

 private:
  SparseMapBackend previous_;
};

}  // namespace simplex
}  // namespace mixdist
