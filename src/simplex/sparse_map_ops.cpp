#include "simplex/sparse_map_ops.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <atomic>

#include "mixdist/simplex/backend.h"
#include "mixdist/simplex/generic.h"
#include "simplex/row_layout.h"

namespace mixdist {
inline namespace simplex {
namespace {
std::atomic<SparseMapBackend> g_backend{SparseMapBackend::kAuto};
}  // namespace

void set_sparse_map_backend(SparseMapBackend backend) {
  g_backend.store(backend);
}
SparseMapBackend sparse_map_backend() {
  return g_backend.load();
}

}  // namespace simplex
namespace detail {
namespace {

bool use_fused_cpu(const at::Tensor& x) {
  return x.device().is_cpu() && sparse_map_backend() == SparseMapBackend::kAuto;
}

at::Tensor generic_forward(const at::Tensor& x, int64_t dim, MapKind kind, const at::Tensor& alpha,
                           int64_t n_iter) {
  switch (kind) {
    case MapKind::kSparsemax:
      return generic::sparsemax(x, dim);
    case MapKind::kEntmax15:
      return generic::entmax15(x, dim);
    case MapKind::kEntmaxAlpha:
      return generic::entmax_bisect(x, alpha, dim, n_iter);
  }
  return {};
}

// The same formulas as the fused backward kernel, as ATen ops.
at::Tensor generic_backward(const at::Tensor& y, const at::Tensor& g, int64_t dim, MapKind kind,
                            const at::Tensor& alpha_in, at::Tensor* dalpha) {
  const at::Tensor pos = y > 0;
  at::Tensor s;
  at::Tensor alpha, softmax_rows;
  switch (kind) {
    case MapKind::kSparsemax:
      s = pos.to(y.scalar_type());
      break;
    case MapKind::kEntmax15:
      s = y.sqrt();
      break;
    case MapKind::kEntmaxAlpha:
      alpha = alpha_in.to(y.options());
      softmax_rows = (alpha - 1.0) < kSoftmaxAlphaCutoff;
      s = at::where(pos, y.pow(2.0 - at::where(softmax_rows, at::ones_like(alpha), alpha)),
                    at::zeros_like(y));
      break;
  }
  const at::Tensor sum_s = s.sum(dim, /*keepdim=*/true);
  const at::Tensor q = (s * g).sum(dim, /*keepdim=*/true) / sum_s;
  const at::Tensor dx = s * (g - q);
  if (dalpha != nullptr && kind == MapKind::kEntmaxAlpha) {
    const at::Tensor logy = at::where(pos, y.log(), at::zeros_like(y));
    const at::Tensor plogp = y * logy;
    const at::Tensor ent = plogp.sum(dim, /*keepdim=*/true);
    const at::Tensor skewed = s / sum_s;
    const at::Tensor am1 = alpha - 1.0;
    const at::Tensor general =
        (g * ((y - skewed) / (am1 * am1) - (plogp - skewed * ent) / am1)).sum(dim, /*keepdim=*/true);
    const at::Tensor mean_log2 = (plogp * logy).sum(dim, /*keepdim=*/true);
    const at::Tensor limit = (g * 0.5 * y * (mean_log2 - logy * logy)).sum(dim, /*keepdim=*/true);
    *dalpha = at::where(softmax_rows, limit, general).to(at::kDouble);
  }
  return dx;
}

}  // namespace

MapResult sparse_map_forward(const char* name, const at::Tensor& x, int64_t dim, MapKind kind,
                             const at::Tensor& alpha, int64_t n_iter) {
  const RowLayout layout(name, x, dim);
  const at::ScalarType ct = compute_type(x.scalar_type());
  const at::Tensor xc = x.to(ct);
  if (!use_fused_cpu(x)) {
    at::Tensor y = generic_forward(xc, layout.dim(), kind, alpha, n_iter);
    at::Tensor support = (y > 0).sum(layout.dim(), /*keepdim=*/true);
    return {y.to(x.scalar_type()), support};
  }
  ForwardArgs args;
  args.kind = kind;
  args.n_iter = n_iter;
  args.name = name;
  args.batch_sizes = layout.batch_sizes();
  if (kind == MapKind::kEntmaxAlpha) args.alpha_rows = layout.row_values(alpha).to(at::kDouble).contiguous();
  auto [y_rows, support_rows] = sparse_map_forward_cpu(layout.to_rows(xc), args);
  return {layout.from_rows(y_rows).to(x.scalar_type()), layout.from_row_values(support_rows)};
}

at::Tensor sparse_map_backward(const at::Tensor& y, const at::Tensor& grad, int64_t dim, MapKind kind,
                               const at::Tensor& alpha, at::Tensor* dalpha) {
  const RowLayout layout("sparse map backward", y, dim);
  const at::ScalarType ct = compute_type(y.scalar_type());
  const at::Tensor yc = y.to(ct), gc = grad.to(ct);
  if (!use_fused_cpu(y))
    return generic_backward(yc, gc, layout.dim(), kind, alpha, dalpha).to(y.scalar_type());
  at::Tensor alpha_rows;
  if (kind == MapKind::kEntmaxAlpha) alpha_rows = layout.row_values(alpha).to(at::kDouble).contiguous();
  at::Tensor dalpha_rows;
  at::Tensor dx_rows = sparse_map_backward_cpu(layout.to_rows(yc), layout.to_rows(gc), kind, alpha_rows,
                                               dalpha ? &dalpha_rows : nullptr);
  if (dalpha != nullptr && dalpha_rows.defined()) *dalpha = layout.from_row_values(dalpha_rows);
  return layout.from_rows(dx_rows).to(y.scalar_type());
}

}  // namespace detail
}  // namespace mixdist
