#pragma once

// The face lattice of the simplex (docs/math.md#faces-of-the-simplex): a face is a non-empty vertex subset f
// of {0..K-1}, held either as a bool mask [..., K] or as an int64 id with bit k set iff vertex k is in f (ids
// 1 .. 2^K - 1; id 0, the empty set, is not a face).

#include <ATen/ATen.h>

#include <cstdint>

namespace mixdist {

// Largest K for bit-encoded ids: 2^K - 1 must fit in int64 with room for 2^K itself.
constexpr int64_t kMaxFaceIdVertices = 62;
// Largest K for enumerate_faces: 2^24 - 1 faces of 24 bools each is already 400 MB.
constexpr int64_t kMaxEnumeratedVertices = 24;

// The face of y, i.e. its support y_k > 0 (docs/math.md#faces-of-the-simplex), as a bool mask of y's shape;
// `dim` is the simplex dimension and is only validated. Not differentiable. Carry a sampled face explicitly
// where float underflow can zero a coordinate that belongs to it
// (docs/math.md#underflowing-dirichlet-coordinates).
at::Tensor face_of(const at::Tensor& y, int64_t dim = -1);

// Bit-encoded ids of masks (bool, or any dtype where nonzero means "in the face") along `dim`: int64 of the
// mask's shape without `dim`. Requires K <= 62. An empty mask gives id 0, which is not a face; callers that
// need a face check ids > 0.
at::Tensor face_ids(const at::Tensor& mask, int64_t dim = -1);

// Inverse of face_ids: ids (integer tensor, each in [1, 2^K - 1]) -> bool masks of shape ids.sizes() + [K].
at::Tensor face_masks_from_ids(const at::Tensor& ids, int64_t K);

// All 2^K - 1 non-empty faces as bool masks [2^K - 1, K] in id order: row r is the face with id r + 1.
// Requires 1 <= K <= 24.
at::Tensor enumerate_faces(int64_t K);

// dim(f) = |f| - 1 (0 for a vertex, K - 1 for the whole simplex), int64, mask's shape without `dim`.
at::Tensor face_dim(const at::Tensor& mask, int64_t dim = -1);

// log of the volume 1/(n-1)! of a face with n vertices in the coordinate convention of
// docs/math.md#the-direct-sum-base-measure (Lebesgue measure on n - 1 free coordinates; counting measure on
// vertices, so 0 for n = 1), i.e. -lgamma(n). Integer n gives the default floating dtype. Every n must be >=
// 1.
at::Tensor log_face_volume(const at::Tensor& n);
double log_face_volume(int64_t n);

}  // namespace mixdist
