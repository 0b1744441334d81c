#pragma once

/// @file
/// @brief The face lattice of the simplex: faces as bool masks or bit-encoded int64 ids, and their volumes.
///
/// The face lattice of the simplex (docs/math.md#faces-of-the-simplex): a face is a non-empty vertex subset f
/// of {0..K-1}, held either as a bool mask [..., K] or as an int64 id with bit k set iff vertex k is in f
/// (ids 1 .. 2^K - 1; id 0, the empty set, is not a face).

#include <ATen/ATen.h>

#include <cstdint>

namespace mixdist {
inline namespace simplex {

/// Largest K for bit-encoded ids: 2^K - 1 must fit in int64 with room for 2^K itself.
constexpr int64_t kMaxFaceIdVertices = 62;
/// Largest K for enumerate_faces: 2^24 - 1 faces of 24 bools each is already 400 MB.
constexpr int64_t kMaxEnumeratedVertices = 24;

/// The face of y, i.e. its support y_k > 0 (docs/math.md#faces-of-the-simplex), as a bool mask.
///
/// Not differentiable. Carry a sampled face explicitly where float underflow can zero a coordinate that
/// belongs to it (docs/math.md#underflowing-dirichlet-coordinates).
/// @param y   points of the simplex, any shape with at least one dimension (any dtype comparable with 0).
/// @param dim the simplex dimension, in [-y.dim(), y.dim()); only validated.
/// @return bool tensor of y's shape, true where y > 0.
/// @throws c10::Error if `y` is undefined or 0-dimensional, or `dim` is out of range.
///
/// @code
/// at::Tensor f = mixdist::face_of(mixdist::sparsemax(at::randn({4, 3})));  // [4, 3] bool
/// @endcode
at::Tensor face_of(const at::Tensor& y, int64_t dim = -1);

/// Bit-encoded ids of face masks along `dim`: bit k of the id is set iff entry k of the mask is nonzero.
///
/// An empty mask gives id 0, which is not a face; callers that need a face check ids > 0.
/// @param mask bool, or any dtype where nonzero means "in the face"; at least one dimension, K <= 62 along
///             `dim`.
/// @param dim  the vertex dimension, in [-mask.dim(), mask.dim()).
/// @return int64 ids, the mask's shape without `dim`.
/// @throws c10::Error if `mask` is undefined or 0-dimensional, `dim` is out of range, or K >
///         kMaxFaceIdVertices.
///
/// @code
/// at::Tensor ids = mixdist::face_ids(at::tensor({true, false, true}));  // 0b101 = 5
/// @endcode
at::Tensor face_ids(const at::Tensor& mask, int64_t dim = -1);

/// Inverse of face_ids(): the bool masks of bit-encoded face ids.
///
/// @param ids integer tensor (not bool) of any shape, every value in [1, 2^K - 1].
/// @param K   number of vertices, in [1, kMaxFaceIdVertices].
/// @return bool masks of shape ids.sizes() + [K].
/// @throws c10::Error if `ids` is undefined or not an integer tensor, K is out of range, or an id is outside
///         [1, 2^K - 1] (the message names it).
///
/// @code
/// at::Tensor masks = mixdist::face_masks_from_ids(at::tensor({1, 5}), 3);  // [[1,0,0], [1,0,1]]
/// @endcode
at::Tensor face_masks_from_ids(const at::Tensor& ids, int64_t K);

/// All 2^K - 1 non-empty faces as bool masks in id order: row r is the face with id r + 1.
///
/// @param K number of vertices, in [1, kMaxEnumeratedVertices].
/// @return bool tensor [2^K - 1, K].
/// @throws c10::Error if K is outside [1, 24].
///
/// @code
/// at::Tensor faces = mixdist::enumerate_faces(3);  // [7, 3]
/// @endcode
at::Tensor enumerate_faces(int64_t K);

/// The dimension dim(f) = |f| - 1 of faces given as masks (0 for a vertex, K - 1 for the whole simplex).
///
/// @param mask bool, or any dtype where nonzero means "in the face"; at least one dimension.
/// @param dim  the vertex dimension, in [-mask.dim(), mask.dim()).
/// @return int64, the mask's shape without `dim` (-1 for an empty mask).
/// @throws c10::Error if `mask` is undefined or 0-dimensional, or `dim` is out of range.
///
/// @code
/// at::Tensor d = mixdist::face_dim(at::tensor({true, false, true}));  // 1: an edge
/// @endcode
at::Tensor face_dim(const at::Tensor& mask, int64_t dim = -1);

/// log of the volume 1/(n-1)! of a face with n vertices, i.e. -lgamma(n).
///
/// The coordinate convention is that of docs/math.md#the-direct-sum-base-measure (Lebesgue measure on n - 1
/// free coordinates; counting measure on vertices, so 0 for n = 1).
/// @param n numbers of vertices, any shape, every value >= 1. Integer n gives the default floating dtype.
/// @return -lgamma(n), n's shape, floating.
/// @throws c10::Error if `n` is undefined or holds a value < 1.
///
/// @code
/// at::Tensor lv = mixdist::log_face_volume(at::tensor({1, 2, 3}));  // 0, 0, -log 2
/// @endcode
at::Tensor log_face_volume(const at::Tensor& n);

/// log of the volume 1/(n-1)! of a face with n vertices, i.e. -lgamma(n), for one n.
///
/// @param n number of vertices, >= 1.
/// @return -lgamma(n).
/// @throws c10::Error if n < 1.
double log_face_volume(int64_t n);

}  // namespace simplex
}  // namespace mixdist
