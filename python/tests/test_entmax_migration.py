"""The README's entmax migration note, claim by claim: all -inf rows, alpha below 1 (and the learned-alpha
module that keeps it above), negative ignore_index, entmax's return_support; and EntmaxAlpha itself."""

import pytest
import torch
from torch.autograd import gradcheck

import mixdist
from references import entmax_bisect_ref, sparsemax_ref

MINUS_INF = float("-inf")


@pytest.mark.parametrize(
    "call",
    [
        lambda x: mixdist.sparsemax(x),
        lambda x: mixdist.entmax15(x),
        lambda x: mixdist.entmax_bisect(x, 1.3),
        lambda x: mixdist.normmax_bisect(x, 3.0),
        lambda x: mixdist.sparsemax_loss(x, torch.tensor([0, 1, 0])),
    ],
)
def test_an_all_minus_inf_row_is_an_error_naming_the_row(call):
    # entmax returns a row of NaN here (its sort-based threshold is -inf - -inf), which then spreads through
    # the backward pass.
    x = torch.randn(3, 4)
    x[1] = MINUS_INF
    with pytest.raises(RuntimeError, match="row 1 .*entirely -inf"):
        call(x)


def test_partly_minus_inf_rows_are_exact_zeros_with_finite_gradients():
    x = torch.randn(2, 5, dtype=torch.float64)
    x[0, :4] = MINUS_INF
    x.requires_grad_()
    for fn in (mixdist.sparsemax, mixdist.entmax15, lambda t: mixdist.entmax_bisect(t, 1.3)):
        p = fn(x)
        assert torch.equal(p[0], torch.tensor([0, 0, 0, 0, 1.0], dtype=torch.float64))
        (grad,) = torch.autograd.grad((p * torch.randn(2, 5, dtype=torch.float64)).sum(), x)
        assert torch.isfinite(grad).all()


def test_alpha_one_is_softmax_and_below_one_an_error_not_a_silent_result():
    # entmax's bisection returns a uniform vector at alpha = 1 (deep-spin/entmax#23) and runs on below 1
    # (deep-spin/entmax#20 reports NaNs there), without an error.
    x = torch.randn(3, 5, dtype=torch.float64)
    torch.testing.assert_close(mixdist.entmax_bisect(x, 1.0), torch.softmax(x, -1))
    with pytest.raises(RuntimeError, match="alpha must be finite and >= 1"):
        mixdist.entmax_bisect(torch.randn(2, 3), torch.tensor([[1.2], [0.95]]))
    with pytest.raises(RuntimeError, match="alpha must be finite and >= 1"):
        mixdist.entmax_bisect_loss(torch.randn(2, 3), torch.tensor([0, 1]), 0.9)


def test_entmax_alpha_keeps_alpha_in_range_under_any_optimiser_step():
    module = mixdist.EntmaxAlpha(head_count=2, alpha_max=2.0)
    torch.testing.assert_close(module.alpha.detach(), torch.full((2,), 1.5))
    opt = torch.optim.SGD(module.parameters(), lr=1e4)
    x = torch.randn(4, 2, 3, 6)
    for sign in (1.0, -1.0):  # push alpha hard towards and past both ends
        for _ in range(3):
            opt.zero_grad()
            (sign * module.alpha.sum()).backward()
            opt.step()
            alpha = module.alpha.detach()
            assert (alpha >= 1).all() and (alpha <= 2).all(), alpha
            p = module(x)
            torch.testing.assert_close(p.sum(-1), torch.ones(4, 2, 3))


def test_entmax_alpha_applies_each_heads_alpha_and_learns_it():
    module = mixdist.EntmaxAlpha(head_count=3, dim=-1, alpha_max=2.5, alpha_init=1.2).double()
    with torch.no_grad():
        module.pre_alpha.copy_(torch.tensor([-1.0, 0.0, 2.0]))
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    p = module(x)
    alpha = module.alpha.detach()
    pre = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64)
    torch.testing.assert_close(alpha, 1 + 1.5 * torch.sigmoid(pre))
    for h in range(3):
        expected = entmax_bisect_ref(x[:, h], alpha[h].item())
        torch.testing.assert_close(p[:, h], expected, rtol=1e-8, atol=1e-10)
    pre = module.pre_alpha.detach().clone().requires_grad_()

    def through_alpha(pre, x):
        return mixdist.entmax_bisect(x, (1 + 1.5 * torch.sigmoid(pre)).view(1, 3, 1, 1))

    assert gradcheck(through_alpha, (pre, x[:1, :, :2].clone().requires_grad_()))
    p.pow(2).sum().backward()
    assert module.pre_alpha.grad is not None and torch.isfinite(module.pre_alpha.grad).all()


def test_entmax_alpha_bad_arguments():
    with pytest.raises(ValueError, match="alpha_max must be finite and > 1"):
        mixdist.EntmaxAlpha(2, alpha_max=1.0)
    with pytest.raises(ValueError, match="alpha_init must lie in"):
        mixdist.EntmaxAlpha(2, alpha_init=2.0)
    with pytest.raises(ValueError, match="expected 2 heads along head_dim 1"):
        mixdist.EntmaxAlpha(2)(torch.randn(1, 3, 4, 4))


def test_negative_ignore_index_is_honoured_by_functions_and_modules():
    # entmax masks only ignore_index >= 0, so its default -100 reaches scatter_add as a class index and fails.
    x = torch.randn(5, 4, dtype=torch.float64)
    y = torch.tensor([0, -100, 3, -100, 1])
    keep = y != -100
    ref = mixdist.sparsemax_loss(x[keep], y[keep])
    loss = mixdist.sparsemax_loss(x, y)
    assert torch.equal(loss[~keep], torch.zeros(2, dtype=torch.float64))
    torch.testing.assert_close(loss[keep], ref)
    torch.testing.assert_close(mixdist.SparsemaxLoss()(x, y), ref.mean())
    torch.testing.assert_close(mixdist.NormmaxBisectLoss(ignore_index=-7)(x, y.masked_fill(~keep, -7)),
                               mixdist.normmax_bisect_loss(x[keep], y[keep]).mean())


@pytest.mark.parametrize("name", ["sparsemax", "entmax15"])
def test_loss_return_support_as_entmax(name):
    x = torch.randn(6, 5)
    y = torch.randint(5, (6,))
    loss, support = getattr(mixdist, name + "_loss")(x, y, return_support=True)
    torch.testing.assert_close(loss, getattr(mixdist, name + "_loss")(x, y))
    p = getattr(mixdist, name)(x)
    assert support.shape == (6, 1) and torch.equal(support, (p > 0).sum(-1, keepdim=True))
    module = {"sparsemax": mixdist.SparsemaxLoss, "entmax15": mixdist.Entmax15Loss}[name]
    loss, support_m = module(return_support=True)(x, y)
    torch.testing.assert_close(loss, module()(x, y))
    assert torch.equal(support_m, support)
    if name == "sparsemax":
        torch.testing.assert_close(p, sparsemax_ref(x))
