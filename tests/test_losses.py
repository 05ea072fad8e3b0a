import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.losses import LOSSES, loss_function, masked_l1, masked_mse


def _with_nans(seed=0):
    g = torch.Generator().manual_seed(seed)
    pred = torch.randn(6, 20, generator=g, requires_grad=True)
    target = torch.randn(6, 20, generator=g)
    target[0, 3] = target[2, :5] = target[5, 19] = float("nan")
    return pred, target


@pytest.mark.parametrize(
    "masked, plain", [(masked_l1, F.l1_loss), (masked_mse, F.mse_loss)]
)
def test_masked_loss_equals_plain_loss_over_present_entries(masked, plain):
    pred, target = _with_nans()
    keep = ~torch.isnan(target)
    torch.testing.assert_close(
        masked(pred, target), plain(pred[keep], target[keep])
    )


@pytest.mark.parametrize("masked", [masked_l1, masked_mse])
def test_gradient_is_finite_and_zero_at_hidden_entries(masked):
    pred, target = _with_nans()
    masked(pred, target).backward()
    assert torch.isfinite(pred.grad).all()
    assert (pred.grad[torch.isnan(target)] == 0).all()
    assert (pred.grad[~torch.isnan(target)] != 0).any()


def test_the_naive_where_mask_would_give_nan_gradients():
    # The trap the library avoids: the discarded branch still backpropagates NaN
    # (d/dx x**2 = 2x is NaN there, and 0 * NaN is NaN).
    pred, target = _with_nans()
    naive = torch.where(
        torch.isnan(target), torch.zeros_like(pred), (pred - target) ** 2
    ).mean()
    naive.backward()
    assert torch.isnan(pred.grad).any()


def test_without_nans_equals_plain_l1():
    pred, target = torch.randn(3, 7), torch.randn(3, 7)
    torch.testing.assert_close(
        masked_l1(pred, target), F.l1_loss(pred, target)
    )


def test_all_nan_targets_raise():
    with pytest.raises(ValueError, match="every target"):
        masked_l1(torch.zeros(2, 3), torch.full((2, 3), float("nan")))


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match="shapes differ"):
        masked_mse(torch.zeros(2, 3), torch.zeros(2, 3, 1))


@pytest.mark.parametrize("name", ["l1", "mse"])
def test_loss_table_masked_and_plain_agree_on_complete_targets(name):
    pred, target = torch.randn(4, 9), torch.randn(4, 9)
    masked, plain = loss_function(name), loss_function(name, masked=False)
    torch.testing.assert_close(masked(pred, target), plain(pred, target))
    assert LOSSES[name] == (masked, plain)


def test_unknown_loss_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="'huber'.*l1, mse"):
        loss_function("huber")
