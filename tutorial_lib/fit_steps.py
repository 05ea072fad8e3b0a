"""The pieces of :func:`~tutorial_lib.training.fit`'s loop.

Moving and checking the data once (:func:`load_data`), one step's forward
and backward (:func:`forward_backward`, in chunks on the CPU), the rows of
each step (:func:`batches`), and what is done every few epochs: evaluate,
snapshot the probe, refuse a non-finite loss. Every place that waits for the
device is marked ``note: this is a CPU-GPU sync point``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import torch
from torch import nn

from tutorial_lib.checks import (
    as_tensor,
    check_finite,
    check_output,
    check_pair,
)
from tutorial_lib.fit_types import FitConfig, History
from tutorial_lib.losses import loss_function

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def counted_per_row(y: torch.Tensor) -> torch.Tensor:
    """How many targets of each row of ``y`` ``(n, time[, 1])`` are there: ``(n,)``."""
    # note: this is a CPU-GPU sync point, once per fit; the loop then decides on the CPU
    return (~torch.isnan(y)).reshape(len(y), -1).sum(dim=1).cpu()


@dataclass
class FitData:
    """What :func:`fit` trains and measures on, on its device, checked once."""

    x: torch.Tensor  # (n, time[, 1]) training inputs
    y: torch.Tensor  # targets shaped like x; NaN = missing
    # (n,) present targets per row on the CPU; None: all
    counted: torch.Tensor | None
    eval_x: torch.Tensor | None = None
    eval_y: torch.Tensor | None = None
    eval_counted: torch.Tensor | None = None
    probe: torch.Tensor | None = None


def load_data(
    inputs, targets, eval_data, probe, device: torch.device
) -> FitData:
    """Move the data to ``device`` and check them, naming the array at fault."""
    x, y = (
        as_tensor(inputs, "inputs", device),
        as_tensor(targets, "targets", device),
    )
    check_pair(x, y, "training data")
    y = y.reshape(x.shape)
    data = FitData(
        x, y, counted_per_row(y) if torch.isnan(y).any() else None
    )
    if eval_data is not None:
        ex, ey = (
            as_tensor(a, f"eval_data[{i}]", device)
            for i, a in enumerate(eval_pair(eval_data))
        )
        check_pair(ex, ey, "eval_data")
        data.eval_x, data.eval_y = ex, ey.reshape(ex.shape)
        data.eval_counted = counted_per_row(data.eval_y)
    if probe is not None:
        data.probe = as_tensor(probe, "probe", device)
        check_finite(data.probe, "probe inputs")
    return data


def eval_pair(eval_data) -> tuple:
    """``eval_data`` if it is a pair ``(inputs, targets)``, else ValueError."""
    if isinstance(eval_data, (tuple, list)) and len(eval_data) == 2:
        return tuple(eval_data)
    hint = (
        "; for Pairs p, pass eval_data=(p.noisy, p.clean)"
        if hasattr(eval_data, "noisy") and hasattr(eval_data, "clean")
        else ""
    )
    raise ValueError(
        "eval_data must be a pair (inputs, targets), got "
        f"{type(eval_data).__name__}{hint}"
    )


def backward_in_chunks(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    chunk: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward and backward of one step's batch, ``chunk`` rows at a time.

    ``x`` and ``y`` are ``(b, time[, 1])``; ``y`` may hold NaN.

    Each chunk's mean loss, weighted by its share of the batch's counted
    (non-NaN) targets, adds up to the whole batch's mean loss, and so do the
    gradients that accumulate in ``.grad``: the same as one backward of the
    whole batch, up to rounding, at the memory of one chunk. A chunk whose
    targets are all hidden is skipped (it has nothing to teach, and the
    masked loss would refuse it). For the CPU, where reading a count is free.

    Returns:
        The batch's mean loss, detached, and whether every output was
        finite: two 0-d tensors, left on the device.
    """
    counted = (~torch.isnan(y)).reshape(len(y), -1).sum(dim=1)
    total = counted.sum()
    loss_sum = torch.zeros((), device=x.device)
    finite = torch.ones((), dtype=torch.bool, device=x.device)
    for j in range(0, len(x), chunk):
        share = counted[j : j + chunk].sum()
        if share == 0:
            continue
        xc = x[j : j + chunk]
        pred = check_output(model, model(xc), xc).float()
        finite &= torch.isfinite(pred).all()
        loss = loss_fn(pred, y[j : j + chunk]) * (share / total)
        loss.backward()
        loss_sum += loss.detach()
    return loss_sum, finite


def _autocast(device: torch.device, amp: bool):
    """bfloat16 autocast when ``amp``, else nothing at all.

    Never ``torch.autocast(..., enabled=False)``: before torch 2.5 that raises
    on a device type it does not know for autocast (MPS), even when disabled.
    """
    if not amp:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def forward_backward(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    chunk: int | None,
    amp: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward, loss, backward of one batch ``(b, time[, 1])``.

    Returns:
        The loss, detached, and whether every output was finite: two 0-d
        tensors, left on the device (reading them would sync).
    """
    if chunk is not None and len(x) > chunk:
        return backward_in_chunks(model, loss_fn, x, y, chunk)
    with _autocast(x.device, amp):
        pred = check_output(model, model(x), x)
    # the loss in float32, also under bfloat16 autocast
    loss = loss_fn(pred.float(), y)
    loss.backward()
    return loss.detach(), torch.isfinite(pred).all()


def batches(
    n: int,
    batch: int,
    order: torch.Tensor | None,
    counted: torch.Tensor | None,
    device: torch.device,
) -> Iterator[slice | torch.Tensor]:
    """The rows of each step: all of them, in order, or ``order`` ``(n,)`` in batches.

    A mini-batch whose targets are all hidden is skipped: no step is taken,
    no loss recorded, and a schedule does not advance. ``counted`` (present
    targets per row, on the CPU; None when none is missing) and ``order`` (on
    the CPU) decide that without waiting for the device.
    """
    on_device = None if order is None else order.to(device)
    for i in range(0, n, batch):
        if order is None:
            yield slice(i, i + batch)
        elif counted is None or counted[order[i : i + batch]].sum() > 0:
            yield on_device[i : i + batch]


@torch.no_grad()
def evaluation_loss(
    model: nn.Module, loss_fn: LossFn, data: FitData, batch: int, amp: bool
) -> float:
    """Mean loss on the evaluation data, as :func:`evaluate` computes it.

    Each batch's mean is weighted by its number of counted (non-NaN)
    targets, so hidden evaluation targets count for nothing; a batch with
    none is skipped.
    """
    model.eval()
    total = 0.0
    with _autocast(data.eval_x.device, amp):
        for i in range(0, len(data.eval_x), batch):
            weight = int(data.eval_counted[i : i + batch].sum())
            if weight == 0:
                continue
            ex = data.eval_x[i : i + batch]
            pred = check_output(model, model(ex), ex).float()
            # note: this is a CPU-GPU sync point, once an evaluation batch
            total += (
                float(loss_fn(pred, data.eval_y[i : i + batch])) * weight
            )
    model.train()
    return total / int(data.eval_counted.sum())


@torch.no_grad()
def _snapshot(model: nn.Module, probe: torch.Tensor) -> torch.Tensor:
    """The prediction for ``probe`` ``(p, time[, 1])``: ``(p, time)``, on the CPU."""
    model.eval()
    # note: this is a CPU-GPU sync point
    out = check_output(model, model(probe), probe)
    out = out.reshape(len(probe), -1).float().cpu()
    model.train()
    return out


def due(epoch: int, every: int, last: int) -> bool:
    """Whether something done every ``every`` epochs (0: never), and after
    the ``last``, is due now."""
    return bool(every) and (epoch % every == 0 or epoch == last)


def evaluate_if_due(
    model: nn.Module,
    data: FitData,
    config: FitConfig,
    epoch: int,
    batch: int,
    amp: bool,
    history: History,
) -> None:
    """Log the evaluation loss every ``eval_every`` epochs and after the last."""
    if data.eval_x is not None and due(
        epoch, config.eval_every, config.epochs
    ):
        # evaluation targets may be missing
        masked = loss_function(config.loss)
        eval_loss = evaluation_loss(model, masked, data, batch, amp)
        history.eval_epochs.append(epoch)
        history.eval_loss.append(eval_loss)


def snapshot_if_due(
    model: nn.Module,
    data: FitData,
    config: FitConfig,
    epoch: int,
    history: History,
    snapshots: list[torch.Tensor],
) -> None:
    """Snapshot the probe before training (epoch 0), every few epochs and at the end."""
    if data.probe is not None and due(
        epoch, config.snapshot_every, config.epochs
    ):
        snapshots.append(_snapshot(model, data.probe))
        history.snapshot_epochs.append(epoch)


def check_trainable(model: nn.Module) -> None:
    """A ValueError unless ``model`` has a parameter to train."""
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError(
            f"model {type(model).__name__} has no trainable parameters; "
            "expected at least one (a parameter with requires_grad=True)"
        )


def check_steps_finite(
    step_losses: list[float],
    finite_outputs: list[torch.Tensor],
    history: History,
    epoch: int,
    config: FitConfig,
) -> None:
    """Raise FloatingPointError at an epoch's first non-finite step loss.

    ``step_losses`` and ``finite_outputs`` (whether the model's output was
    finite, 0-d tensors) are the epoch's, one per step; ``history`` holds the
    steps before. The message names the step, the epoch and what went
    non-finite first: the model's output, or only the loss.
    """
    bad = next(
        (i for i, v in enumerate(step_losses) if not np.isfinite(v)), None
    )
    if bad is None:
        return
    # note: this is a CPU-GPU sync point, only once training has failed
    culprit = (
        "the model's output was finite but the loss was not (errors too "
        "large for float32)"
        if bool(finite_outputs[bad])
        else "the model's output went non-finite (NaN or inf)"
    )
    raise FloatingPointError(
        f"training loss became {step_losses[bad]} at step "
        f"{len(history.step_loss) + bad + 1} (step {bad + 1} of epoch "
        f"{epoch} of {config.epochs}): {culprit}; training stopped there; "
        f"expected finite losses: try a smaller lr than {config.lr:g}"
    )


def log_epoch(
    history: History,
    losses: list[torch.Tensor],
    finite_outputs: list[torch.Tensor],
    epoch: int,
    config: FitConfig,
) -> None:
    """Add a finished epoch's step losses (0-d tensors on the device) and
    their mean to ``history``, after refusing a non-finite one."""
    # note: this is a CPU-GPU sync point, the loop's only one
    step_losses = torch.stack(losses).cpu().tolist()
    check_steps_finite(step_losses, finite_outputs, history, epoch, config)
    history.step_loss.extend(step_losses)
    history.epoch_loss.append(float(np.mean(step_losses)))
