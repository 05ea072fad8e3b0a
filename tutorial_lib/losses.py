"""Losses that ignore missing (NaN) targets.

The obvious mask, ``torch.where(isnan(target), 0, (pred - target) ** 2)``,
gives the right loss but NaN gradients: autograd still differentiates the
discarded branch, and ``0 * NaN`` is NaN. Here the NaN targets are replaced
*before* any arithmetic touches them, so the value and the gradient are
finite everywhere; the hidden entries simply do not count.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F


def _masked_errors(
    pred: torch.Tensor, target: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(pred - target)`` with hidden entries set to 0, and the mask of
    kept ones."""
    if pred.shape != target.shape:
        raise ValueError(
            f"prediction and target shapes differ: {tuple(pred.shape)} vs "
            f"{tuple(target.shape)}; reshape one (models accept "
            "(batch, time) or (batch, time, 1))"
        )
    keep = ~torch.isnan(target)
    # no NaN reaches the graph
    filled = torch.where(keep, target, pred.detach())
    return (pred - filled) * keep, keep


def _mean_over_kept(
    errors: torch.Tensor, keep: torch.Tensor
) -> torch.Tensor:
    kept = keep.sum()
    # On a GPU, reading `kept` would stall every step; `fit` checks its data once
    # instead.
    if errors.device.type == "cpu" and int(kept) == 0:
        raise ValueError(
            "every target in this batch is NaN: there is nothing to compare the "
            "prediction with"
        )
    return errors.sum() / kept.clamp(min=1)


def masked_l1(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean ``|pred - target|`` over the entries where ``target`` is not NaN.

    Shapes: ``pred`` and ``target`` alike, any shape. Returns a scalar.
    Raises ``ValueError`` when every target is NaN (checked on the CPU; on
    a GPU the loss is then 0, and :func:`~tutorial_lib.training.fit` checks
    its data up front).
    """
    errors, keep = _masked_errors(pred, target)
    return _mean_over_kept(errors.abs(), keep)


def masked_mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean ``(pred - target) ** 2`` over the entries where ``target`` is not NaN."""
    errors, keep = _masked_errors(pred, target)
    return _mean_over_kept(errors.square(), keep)


class Loss(NamedTuple):
    """One loss in two versions, equal (to rounding) when no target is missing."""

    masked: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    """Ignores NaN targets (:func:`masked_l1`, :func:`masked_mse`)."""
    plain: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    """PyTorch's own: a little cheaper, but NaN as soon as one target is."""


LOSSES: dict[str, Loss] = {
    "l1": Loss(masked=masked_l1, plain=F.l1_loss),
    "mse": Loss(masked=masked_mse, plain=F.mse_loss),
}
"""The book's one table of losses, by the name ``FitConfig.loss`` takes."""


def loss_function(
    name: str, *, masked: bool = True
) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The loss called ``name`` (``"l1"`` or ``"mse"``), masked or PyTorch's plain one.

    Both take ``pred`` and ``target`` of the same shape and return a scalar.

    Raises:
        ValueError: an unknown ``name``.
    """
    if name not in LOSSES:
        raise ValueError(
            f"unknown loss {name!r}; expected one of {', '.join(LOSSES)}"
        )
    return LOSSES[name].masked if masked else LOSSES[name].plain
