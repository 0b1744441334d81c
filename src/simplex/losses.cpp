#include "mixdist/simplex/losses.h"

#include <c10/util/Exception.h>
#include <torch/csrc/autograd/custom_function.h>

#include "mixdist/simplex/normmax.h"
#include "simplex/sparse_map_ops.h"

namespace mixdist {
inline namespace simplex {
namespace {

using detail::MapKind;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Tsallis entropy H_alpha(p) per row and its derivative in alpha at fixed p; alpha is [rows, 1] (Shannon
// entropy and its alpha -> 1 limit on rows within the softmax cutoff of 1).
at::Tensor tsallis_entropy(const at::Tensor& p, const at::Tensor& alpha) {
  const at::Tensor pos = p > 0;
  const at::Tensor plogp = at::where(pos, p * p.log(), at::zeros_like(p));
  const at::Tensor shannon = -plogp.sum(-1);
  const at::Tensor softmax_rows = ((alpha - 1.0) < detail::kSoftmaxAlphaCutoff).squeeze(-1);
  const at::Tensor a = at::where(softmax_rows.unsqueeze(-1), at::full_like(alpha, 2.0), alpha);
  const at::Tensor tsallis = ((1.0 - p.pow(a).sum(-1, true)) / (a * (a - 1.0))).squeeze(-1);
  return at::where(softmax_rows, shannon, tsallis);
}

at::Tensor tsallis_entropy_dalpha(const at::Tensor& p, const at::Tensor& alpha) {
  const at::Tensor pos = p > 0;
  const at::Tensor logp = at::where(pos, p.log(), at::zeros_like(p));
  const at::Tensor softmax_rows = ((alpha - 1.0) < detail::kSoftmaxAlphaCutoff).squeeze(-1);
  const at::Tensor limit = (p * logp).sum(-1) - 0.5 * (p * logp * logp).sum(-1);
  const at::Tensor a = at::where(softmax_rows.unsqueeze(-1), at::full_like(alpha, 2.0), alpha);
  const at::Tensor pa = p.pow(a);
  const at::Tensor s = pa.sum(-1, true);
  const at::Tensor d = a * (a - 1.0);
  const at::Tensor general =
      ((-(pa * logp).sum(-1, true) * d - (1.0 - s) * (2.0 * a - 1.0)) / (d * d)).squeeze(-1);
  return at::where(softmax_rows, limit, general);
}

// The alpha-norm regulariser of normmax, as -Omega(p) = 1 - ||p||_alpha per row (Omega(e_y) = 0), and its
// derivative in alpha at fixed p; alpha is [rows, 1].
at::Tensor negative_norm_regulariser(const at::Tensor& p, const at::Tensor& alpha) {
  return 1.0 - p.pow(alpha).sum(-1, true).pow(1.0 / alpha).squeeze(-1);
}

at::Tensor negative_norm_regulariser_dalpha(const at::Tensor& p, const at::Tensor& alpha) {
  // d/da (sum p^a)^(1/a) = N (sum p^a log p / (a S) - log S / a^2), with S = sum p^a and N = S^(1/a).
  const at::Tensor pos = p > 0;
  const at::Tensor logp = at::where(pos, p.log(), at::zeros_like(p));
  const at::Tensor pa = p.pow(alpha);
  const at::Tensor S = pa.sum(-1, true);
  const at::Tensor N = S.pow(1.0 / alpha);
  return -(N * ((pa * logp).sum(-1, true) / (alpha * S) - S.log() / (alpha * alpha))).squeeze(-1);
}

// Per-row Fenchel-Young loss on [rows, C] logits. Inputs: x, alpha ([rows, 1]; 2 and 1.5 for the fixed maps),
// target ([rows], already valid), valid mask ([rows]), the map kind, n_iter and whether the map is normmax
// (then kind is ignored and the regulariser is the alpha-norm).
struct FenchelYoungFunction : torch::autograd::Function<FenchelYoungFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& alpha,
                               const at::Tensor& target, const at::Tensor& valid, MapKind kind,
                               int64_t n_iter, bool normmax) {
    const at::Tensor p = normmax
                             ? normmax_bisect(x, alpha, -1, n_iter)
                             : detail::sparse_map_forward("fenchel-young loss", x, -1, kind, alpha, n_iter).y;
    const at::Tensor a = alpha.to(x.scalar_type());
    const at::Tensor x_target = x.gather(1, target.unsqueeze(1));
    // <p - e_y, x> as sum p_i (x_i - x_y): no cancellation for huge logits, and 0 * (-inf) never happens.
    const at::Tensor inner = at::where(p > 0, p * (x - x_target), at::zeros_like(p)).sum(-1);
    const at::Tensor regulariser = normmax ? negative_norm_regulariser(p, a) : tsallis_entropy(p, a);
    const at::Tensor loss = at::where(valid, regulariser + inner, at::zeros_like(inner));
    ctx->save_for_backward({p, a, target, valid});
    ctx->saved_data["normmax"] = normmax;
    return {loss};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    // The saved p carries no graph, so a differentiated backward would silently miss d p / d x.
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "Fenchel-Young loss: second derivatives (a backward with create_graph) are not implemented; "
                "compute the loss from the differentiable maps (mixdist::sparsemax, mixdist::entmax15, "
                "mixdist::generic::entmax_bisect) for those");
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &p = saved[0], &a = saved[1], &target = saved[2], &valid = saved[3];
    const at::Tensor g = at::where(valid, grads[0], at::zeros_like(grads[0]));
    at::Tensor dx;
    if (ctx->needs_input_grad(0)) {
      dx = p.clone();
      dx.scatter_add_(1, target.unsqueeze(1), at::full({p.size(0), 1}, -1.0, p.options()));
      dx = dx * g.unsqueeze(1);
    }
    at::Tensor dalpha;
    if (ctx->needs_input_grad(1)) {
      const at::Tensor d = ctx->saved_data["normmax"].toBool() ? negative_norm_regulariser_dalpha(p, a)
                                                               : tsallis_entropy_dalpha(p, a);
      dalpha = (g * d).unsqueeze(1);
    }
    return {dx, dalpha, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

at::Tensor reduce(const at::Tensor& loss, const at::Tensor& row_weight, const loss_reduction_t& reduction) {
  if (c10::get_if<torch::enumtype::kNone>(&reduction)) return loss;
  const at::Tensor weighted = loss * row_weight;
  if (c10::get_if<torch::enumtype::kSum>(&reduction)) return weighted.sum();
  // Weighted mean as in CrossEntropyLoss, defined as 0 when nothing carries weight.
  const at::Tensor total = row_weight.sum();
  return at::where(total > 0, weighted.sum() / at::where(total > 0, total, at::ones_like(total)),
                   at::zeros_like(total));
}

struct LossArgs {
  const char* name;
  MapKind kind;
  at::Tensor alpha;  // broadcastable to target's shape, or undefined
  int64_t n_iter;
  at::Tensor weight;
  int64_t ignore_index;
  loss_reduction_t reduction;
  bool normmax = false;  // the normmax loss (kind kEntmaxAlpha for the alpha checks, alpha > 1)
};

at::Tensor fenchel_young_loss(const at::Tensor& input, const at::Tensor& target, const LossArgs& args) {
  const char* name = args.name;
  TORCH_CHECK(input.defined() && target.defined(), name, ": input and target must be defined");
  TORCH_CHECK(at::isFloatingType(input.scalar_type()), name, ": expected a floating-point input, got ",
              input.scalar_type());
  TORCH_CHECK(input.dim() >= 1, name, ": input must have a class dimension (shape [N, *, C]), got a scalar");
  TORCH_CHECK(!at::isFloatingType(target.scalar_type()) && target.scalar_type() != at::kBool, name,
              ": target must hold integer class indices, got ", target.scalar_type());
  const auto lead = input.sizes().slice(0, input.dim() - 1);
  TORCH_CHECK(target.sizes() == lead, name, ": target of shape ", target.sizes(),
              " does not match input of shape ", input.sizes(), " (expected target shape ", lead,
              ": the class dimension is the last one)");
  const int64_t C = input.size(-1);
  TORCH_CHECK(C >= 1, name, ": input has no classes (last dimension of size 0)");

  const at::Tensor t = target.reshape({-1}).to(at::kLong);
  const at::Tensor valid = t != args.ignore_index;
  const at::Tensor bad = valid & ((t < 0) | (t >= C));
  if (bad.any().item<bool>()) {
    const int64_t idx = bad.nonzero()[0][0].item<int64_t>();
    TORCH_CHECK(false, name, ": target value ", t[idx].item<int64_t>(), " at flat position ", idx,
                " is not a class index in [0, ", C, ") and not ignore_index (", args.ignore_index, ")");
  }
  const at::Tensor safe_t = at::where(valid, t, at::zeros_like(t));
  const at::Tensor x = input.reshape({-1, C});
  // LibTorch 1.13's custom Functions reject undefined tensor inputs, so the fixed maps pass their alpha too.
  at::Tensor alpha_rows = at::full({x.size(0), 1}, args.kind == MapKind::kEntmax15 ? 1.5 : 2.0, x.options());
  if (args.kind == MapKind::kEntmaxAlpha) {
    TORCH_CHECK(at::isFloatingType(args.alpha.scalar_type()), name, ": alpha must be floating point, got ",
                args.alpha.scalar_type());
    TORCH_CHECK(args.alpha.dim() <= target.dim() && at::infer_size(args.alpha.sizes(), lead) == lead, name,
                ": alpha of shape ", args.alpha.sizes(), " must broadcast to the target's shape ", lead);
    if (args.alpha.numel() > 0) {
      const double amin = args.alpha.min().item<double>();
      TORCH_CHECK((args.normmax ? amin > 1.0 : amin >= 1.0) && args.alpha.isfinite().all().item<bool>(), name,
                  ": alpha must be finite and ", args.normmax ? "> 1" : ">= 1", ", got min alpha = ", amin);
    }
    alpha_rows = args.alpha.expand(lead).reshape({-1, 1});
  }
  at::Tensor loss =
      FenchelYoungFunction::apply(x, alpha_rows, safe_t, valid, args.kind, args.n_iter, args.normmax)[0];

  at::Tensor row_weight = valid.to(loss.scalar_type());
  if (args.weight.defined()) {
    TORCH_CHECK(args.weight.dim() == 1 && args.weight.size(0) == C, name, ": weight must have shape [", C,
                "] (one per class), got ", args.weight.sizes());
    row_weight = row_weight * args.weight.to(loss.options()).index_select(0, safe_t);
    if (c10::get_if<torch::enumtype::kNone>(&args.reduction)) loss = loss * row_weight;
  }
  return reduce(loss, row_weight, args.reduction)
      .view(c10::get_if<torch::enumtype::kNone>(&args.reduction) ? lead : at::IntArrayRef{});
}

}  // namespace

at::Tensor sparsemax_loss(const at::Tensor& input, const at::Tensor& target, const SparsemaxLossOptions& o) {
  return fenchel_young_loss(
      input, target,
      {"sparsemax_loss", MapKind::kSparsemax, {}, 0, o.weight(), o.ignore_index(), o.reduction()});
}

at::Tensor entmax15_loss(const at::Tensor& input, const at::Tensor& target, const Entmax15LossOptions& o) {
  return fenchel_young_loss(
      input, target,
      {"entmax15_loss", MapKind::kEntmax15, {}, 0, o.weight(), o.ignore_index(), o.reduction()});
}

at::Tensor entmax_bisect_loss(const at::Tensor& input, const at::Tensor& target, const at::Tensor& alpha,
                              const EntmaxBisectLossOptions& o) {
  TORCH_CHECK(alpha.defined(), "entmax_bisect_loss: alpha is undefined");
  TORCH_CHECK(o.n_iter() >= 1, "entmax_bisect_loss: n_iter must be >= 1, got ", o.n_iter());
  return fenchel_young_loss(input, target,
                            {"entmax_bisect_loss", MapKind::kEntmaxAlpha, alpha, o.n_iter(), o.weight(),
                             o.ignore_index(), o.reduction()});
}

at::Tensor normmax_bisect_loss(const at::Tensor& input, const at::Tensor& target, const at::Tensor& alpha,
                               const EntmaxBisectLossOptions& o) {
  TORCH_CHECK(alpha.defined(), "normmax_bisect_loss: alpha is undefined");
  TORCH_CHECK(o.n_iter() >= 1, "normmax_bisect_loss: n_iter must be >= 1, got ", o.n_iter());
  LossArgs args{"normmax_bisect_loss", MapKind::kEntmaxAlpha, alpha, o.n_iter(), o.weight(),
                o.ignore_index(),      o.reduction()};
  args.normmax = true;
  return fenchel_young_loss(input, target, args);
}

at::Tensor entmax_bisect_loss(const at::Tensor& input, const at::Tensor& target,
                              const EntmaxBisectLossOptions& o) {
  TORCH_CHECK(std::isfinite(o.alpha()) && o.alpha() >= 1.0,
              "entmax_bisect_loss: alpha must be finite and >= 1, got ", o.alpha());
  return entmax_bisect_loss(input, target, at::full({}, o.alpha(), input.options().dtype(at::kDouble)), o);
}

}  // namespace simplex
}  // namespace mixdist
