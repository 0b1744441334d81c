#include "mixdist/simplex/faces.h"

#include <cmath>

namespace mixdist {
inline namespace simplex {
namespace {

// Powers 2^k, k = 0..K-1, as int64: multiplying a 0/1 mask by them and summing sets bit k for vertex k.
at::Tensor bit_values(int64_t K, const at::Device& device) {
  return at::pow(at::full({}, 2, at::TensorOptions().dtype(at::kLong)),
                 at::arange(K, at::TensorOptions().dtype(at::kLong)))
      .to(device);
}

int64_t checked_dim(const char* fn, const char* arg, const at::Tensor& t, int64_t dim) {
  TORCH_CHECK(t.defined(), "mixdist::", fn, ": argument ", arg, " is an undefined tensor");
  TORCH_CHECK(t.dim() >= 1, "mixdist::", fn, ": argument ", arg,
              " needs at least one dimension (the simplex coordinates), got a 0-dim tensor");
  TORCH_CHECK(dim >= -t.dim() && dim < t.dim(), "mixdist::", fn, ": argument dim = ", dim,
              " is out of range for ", arg, " of shape ", t.sizes());
  return dim < 0 ? dim + t.dim() : dim;
}

}  // namespace

at::Tensor face_of(const at::Tensor& y, int64_t dim) {
  checked_dim("face_of", "y", y, dim);
  return y > 0;
}

at::Tensor face_ids(const at::Tensor& mask, int64_t dim) {
  const int64_t d = checked_dim("face_ids", "mask", mask, dim);
  const int64_t K = mask.size(d);
  TORCH_CHECK(K <= kMaxFaceIdVertices, "mixdist::face_ids: bit-encoded ids hold at most ", kMaxFaceIdVertices,
              " vertices, got K = ", K, " along dim ", dim);
  const at::Tensor bits = (mask != 0).to(at::kLong).movedim(d, -1);
  return (bits * bit_values(K, mask.device())).sum(-1);
}

at::Tensor face_masks_from_ids(const at::Tensor& ids, int64_t K) {
  TORCH_CHECK(ids.defined(), "mixdist::face_masks_from_ids: argument ids is an undefined tensor");
  TORCH_CHECK(at::isIntegralType(ids.scalar_type(), /*includeBool=*/false),
              "mixdist::face_masks_from_ids: argument ids must be an integer tensor, got dtype ",
              ids.scalar_type());
  TORCH_CHECK(K >= 1 && K <= kMaxFaceIdVertices, "mixdist::face_masks_from_ids: argument K must be in [1, ",
              kMaxFaceIdVertices, "], got K = ", K);
  const at::Tensor ids64 = ids.to(at::kLong);
  if (ids64.numel() > 0) {
    const int64_t lo = ids64.min().item<int64_t>();
    const int64_t hi = ids64.max().item<int64_t>();
    const int64_t limit = (int64_t{1} << K) - 1;
    TORCH_CHECK(lo >= 1 && hi <= limit,
                "mixdist::face_masks_from_ids: every id must be in [1, 2^K - 1] = [1, ", limit,
                "] for K = ", K, ", got ", (lo < 1 ? lo : hi));
  }
  return at::bitwise_and(ids64.unsqueeze(-1), bit_values(K, ids.device())) != 0;
}

at::Tensor enumerate_faces(int64_t K) {
  TORCH_CHECK(K >= 1 && K <= kMaxEnumeratedVertices, "mixdist::enumerate_faces: argument K must be in [1, ",
              kMaxEnumeratedVertices, "] (2^K - 1 faces), got K = ", K);
  return face_masks_from_ids(at::arange(1, int64_t{1} << K, at::TensorOptions().dtype(at::kLong)), K);
}

at::Tensor face_dim(const at::Tensor& mask, int64_t dim) {
  const int64_t d = checked_dim("face_dim", "mask", mask, dim);
  return (mask != 0).sum(d, /*keepdim=*/false, at::kLong) - 1;
}

at::Tensor log_face_volume(const at::Tensor& n) {
  TORCH_CHECK(n.defined(), "mixdist::log_face_volume: argument n is an undefined tensor");
  if (n.numel() > 0) {
    const double smallest = n.min().item<double>();
    TORCH_CHECK(smallest >= 1, "mixdist::log_face_volume: argument n (number of vertices) must be >= 1, got ",
                smallest);
  }
  const at::Tensor n_float =
      at::isFloatingType(n.scalar_type()) ? n : n.to(at::typeMetaToScalarType(at::get_default_dtype()));
  return -at::lgamma(n_float);
}

double log_face_volume(int64_t n) {
  TORCH_CHECK(n >= 1, "mixdist::log_face_volume: argument n (number of vertices) must be >= 1, got ", n);
  return -std::lgamma(static_cast<double>(n));
}

}  // namespace simplex
}  // namespace mixdist
