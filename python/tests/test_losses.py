"""The Fenchel-Young losses from Python: values against the reference, gradcheck in double (input and alpha),
reductions, ignore_index (negative ones included) and per-class weights."""

import pytest
import torch
from torch.autograd import gradcheck

import mixdist
from references import entmax15_ref, entmax_bisect_ref, fenchel_young_ref, sparsemax_ref


def _data(n=6, c=5, dtype=torch.float64):
    return torch.randn(n, c, dtype=dtype) * 2, torch.randint(c, (n,))


@pytest.mark.parametrize(
    "loss_fn, ref_map, alpha",
    [
        (mixdist.sparsemax_loss, sparsemax_ref, 2.0),
        (mixdist.sparsemax_bisect_loss, sparsemax_ref, 2.0),
        (mixdist.entmax15_loss, entmax15_ref, 1.5),
    ],
)
def test_fixed_losses_agree_with_reference(loss_fn, ref_map, alpha):
    x, y = _data()
    loss = loss_fn(x, y)
    assert loss.shape == (6,)
    torch.testing.assert_close(loss, fenchel_young_ref(x, y, ref_map(x), alpha), rtol=1e-10, atol=1e-12)
    assert (loss >= 0).all()


@pytest.mark.parametrize("alpha", [1.3, 1.5, 2.0, 2.5])
def test_entmax_bisect_loss_agrees_with_reference(alpha):
    x, y = _data()
    expected = fenchel_young_ref(x, y, entmax_bisect_ref(x, alpha), alpha)
    torch.testing.assert_close(mixdist.entmax_bisect_loss(x, y, alpha), expected, rtol=1e-8, atol=1e-10)
    # entmax's per-row alpha is [N, 1].
    a = torch.linspace(1.2, 2.2, 6, dtype=torch.float64).unsqueeze(1)
    expected = fenchel_young_ref(x, y, entmax_bisect_ref(x, a), a.squeeze(1))
    torch.testing.assert_close(mixdist.entmax_bisect_loss(x, y, a), expected, rtol=1e-8, atol=1e-10)


def test_cross_entropy_at_alpha_one():
    x, y = _data()
    expected = torch.nn.functional.cross_entropy(x, y, reduction="none")
    torch.testing.assert_close(mixdist.entmax_bisect_loss(x, y, 1.0), expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", ["sparsemax_loss", "entmax15_loss"])
def test_gradcheck_fixed_losses(name):
    x, y = _data(4, 5)
    x.requires_grad_()
    op = getattr(mixdist.ops, name)
    for reduction in ("none", "mean", "sum"):
        assert gradcheck(lambda x: op(x, y, None, -100, reduction), (x,))
    assert gradcheck(lambda x: getattr(mixdist, name)(x, y), (x,))


def test_gradcheck_entmax_bisect_loss_in_x_and_alpha():
    x, y = _data(4, 5)
    x.requires_grad_()
    a_rows = torch.tensor([1.2, 1.5, 1.8, 2.3], dtype=torch.float64, requires_grad=True)
    per_row = mixdist.ops.entmax_bisect_loss
    assert gradcheck(lambda x, a: per_row(x, y, a, 50, None, -100, "none"), (x, a_rows))
    a = torch.tensor(1.4, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda x, a: mixdist.EntmaxBisectLoss(alpha=a, reduction="sum")(x, y), (x, a))
    assert gradcheck(lambda x, a: mixdist.entmax_bisect_loss(x, y, a), (x, a))


def test_backward_is_p_minus_onehot():
    x, y = _data()
    x.requires_grad_()
    mixdist.sparsemax_loss(x, y).sum().backward()
    expected = sparsemax_ref(x.detach()) - torch.nn.functional.one_hot(y, 5).double()
    torch.testing.assert_close(x.grad, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls", [mixdist.SparsemaxLoss, mixdist.Entmax15Loss, mixdist.SparsemaxBisectLoss])
def test_module_reductions_and_ignore_index(cls):
    x, y = _data(8, 5)
    per_sample = cls(reduction="none")(x, y)
    torch.testing.assert_close(cls(reduction="sum")(x, y), per_sample.sum())
    torch.testing.assert_close(cls()(x, y), per_sample.mean())
    torch.testing.assert_close(cls(reduction="mean")(x, y), per_sample.mean())
    # ignore_index >= 0, as entmax: ignored entries are 0 and the mean is over the others.
    keep = y != 2
    ignored = cls(ignore_index=2, reduction="none")(x, y)
    torch.testing.assert_close(ignored, torch.where(keep, per_sample, 0.0))
    torch.testing.assert_close(cls(ignore_index=2)(x, y), per_sample[keep].sum() / keep.sum())
    # Negative ignore_index is honoured too (entmax would fail on the -100 targets).
    y_pad = y.clone()
    y_pad[:3] = -100
    torch.testing.assert_close(cls()(x, y_pad), per_sample[3:].mean())
    y_pad[:] = -100
    assert cls()(x, y_pad).item() == 0.0


def test_entmax_bisect_loss_module_and_weights():
    x, y = _data(8, 5)
    per_sample = mixdist.entmax_bisect_loss(x, y, 1.7)
    torch.testing.assert_close(mixdist.EntmaxBisectLoss(alpha=1.7, reduction="none")(x, y), per_sample)
    torch.testing.assert_close(mixdist.EntmaxBisectLoss(1.7)(x, y), per_sample.mean())
    w = torch.rand(5, dtype=torch.float64) + 0.5
    weighted = mixdist.EntmaxBisectLoss(1.7, weight=w)(x, y)
    torch.testing.assert_close(weighted, (w[y] * per_sample).sum() / w[y].sum())
    assert torch.equal(mixdist.SparsemaxLoss(weight=w).weight, w)


def test_losses_take_extra_leading_dimensions():
    x = torch.randn(2, 3, 5, dtype=torch.float64)
    y = torch.randint(5, (2, 3))
    torch.testing.assert_close(
        mixdist.entmax15_loss(x, y), mixdist.entmax15_loss(x.reshape(6, 5), y.reshape(6)).reshape(2, 3)
    )


def test_bad_reduction_is_a_value_error():
    with pytest.raises(ValueError, match="reduction"):
        mixdist.SparsemaxLoss(reduction="average")
