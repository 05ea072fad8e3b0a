"""One training loop for every chapter: :func:`fit` returns a :class:`History`.

Full batch (the 2018 post: every training sequence in every step) or
mini-batches (the 2024 post), Adam, a NaN-masked L1 or MSE loss. The loop
knows nothing about the model; it never plots. The data go to the device
once and are checked there once; after that, the loop waits for the device
only to read the losses (once an epoch), the evaluation loss and the
snapshots. Each of those places is marked ``note: this is a CPU-GPU sync
point``.

Prediction snapshots are taken on a small *probe* batch every few epochs,
for animations, instead of keeping the whole training set's prediction at
every step (about 1 GB for one run of the 2018 post).
"""

from __future__ import annotations

import os
import time

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from tutorial_lib.fit_steps import (
    batches,
    check_trainable,
    evaluate_if_due,
    forward_backward,
    load_data,
    log_epoch,
    snapshot_if_due,
)
from tutorial_lib.fit_types import FitConfig, History
from tutorial_lib.losses import loss_function
from tutorial_lib.runtime import resolve_device


def _adam(
    model: nn.Module, config: FitConfig, steps: int
) -> tuple[torch.optim.Adam, torch.optim.lr_scheduler.LRScheduler | None]:
    """Adam at ``config.lr``, and ``config.schedule``'s scheduler over ``steps``."""
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    if config.schedule != "cosine":
        return optimizer, None
    return optimizer, torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=steps
    )


def _stop(
    history: History, losses: list[torch.Tensor], epochs: int
) -> None:
    """Record an interrupt: keep the unfinished epoch's steps; say what that means."""
    history.interrupted = True
    if losses:
        history.step_loss.extend(torch.stack(losses).cpu().tolist())
    print(
        f"training interrupted after {len(history.epoch_loss)} of {epochs} epochs "
        f"({len(history.step_loss)} steps): the model is only partly trained; fit "
        "returns the history so far, with interrupted=True"
    )


def _finish(
    history: History, snapshots: list[torch.Tensor], started: float
) -> History:
    """Fill in the time and the snapshots; refuse a loss that ran off to inf or NaN."""
    history.seconds = time.perf_counter() - started
    if snapshots:
        history.snapshots = torch.stack(snapshots).numpy()
    if history.epoch_loss and not np.isfinite(history.epoch_loss[-1]):
        raise FloatingPointError(
            f"training loss became {history.epoch_loss[-1]} after "
            f"{len(history.epoch_loss)} epochs; try a smaller lr"
        )
    return history


def progress_bar(epochs: int, label: str, config: FitConfig) -> tqdm:
    """A bar over the epochs, shown when ``config.progress`` and not in the
    book's build: the Makefile sets tqdm's ``TQDM_DISABLE=1`` there, since a
    built page would keep only the bar's first frame."""
    quiet = os.environ.get("TQDM_DISABLE", "").strip() not in ("", "0")
    return tqdm(
        total=epochs,
        desc=label,
        unit="epoch",
        disable=quiet or not config.progress,
        mininterval=0.5,
    )


def fit(
    model: nn.Module,
    inputs,
    targets,
    config: FitConfig = FitConfig(),
    *,
    eval_data: tuple | None = None,
    probe=None,
    device: torch.device | str | None = None,
) -> History:
    """Train ``model`` in place to map ``inputs`` to ``targets``; return the History.

    Args:
        model: maps ``(batch, time)`` to ``(batch, time)``.
        inputs, targets: ``(n, time)`` arrays or tensors. Inputs must be
            finite; targets may hold NaN (missing), not inf. A mini-batch
            whose targets are all missing is skipped: no step is taken.
        config: see :class:`FitConfig`.
        eval_data: ``(inputs, targets)``, checked alike; its loss, the mean over
            counted targets as :func:`~tutorial_lib.evaluation.evaluate` takes it, is logged every
            ``config.eval_every`` epochs and after the last.
        probe: ``(p, time)`` finite inputs whose predictions are snapshotted.
        device: where to train (default: where the model is), as
            :func:`~tutorial_lib.runtime.choose_device` takes it.

    Raises:
        ValueError: unusable data, device or model (the message names it).
        FloatingPointError: at the end of the first epoch with a non-finite
            step loss, naming that step and whether the model's output or
            only the loss went non-finite.

    Interrupting (Ctrl-C, the notebook's stop button) ends training cleanly:
    the history so far comes back with ``interrupted=True``.
    """
    # 1) one device, chosen once; the data go there once and are checked up front
    device = resolve_device(model, device)
    data = load_data(inputs, targets, eval_data, probe, device)
    check_trainable(model.to(device))
    # 2) the masked loss costs a little more: use it only where targets are missing
    loss_fn = loss_function(config.loss, masked=data.counted is not None)
    n = len(data.x)
    batch = n if config.batch_size is None else min(config.batch_size, n)
    optimizer, scheduler = _adam(
        model, config, config.epochs * -(-n // batch)
    )
    generator = torch.Generator().manual_seed(config.seed)
    amp = config.amp and device.type == "cuda"
    chunk = config.cpu_chunk if device.type == "cpu" else None
    history, snapshots = History(device=device.type), []
    # per step of the running epoch: its loss, and was the model's output finite
    losses, finite_outputs = [], []
    bar = progress_bar(
        config.epochs, f"{type(model).__name__} on {device.type}", config
    )
    started = time.perf_counter()
    model.train()
    try:
        snapshot_if_due(model, data, config, 0, history, snapshots)
        for epoch in range(1, config.epochs + 1):
            # 3) a new order of the rows every epoch (mini-batches only)
            order = (
                None
                if batch == n
                else torch.randperm(n, generator=generator)
            )
            for rows in batches(n, batch, order, data.counted, device):
                # 4) one step: forget the last gradients, forward, loss,
                # backward, update; on the CPU a batch larger than cpu_chunk
                # goes in chunks
                optimizer.zero_grad(set_to_none=True)
                loss, finite = forward_backward(
                    model, loss_fn, data.x[rows], data.y[rows], chunk, amp
                )
                optimizer.step()
                if scheduler is not None:
                    scheduler.step()
                # left on the device: reading them now would sync
                losses.append(loss)
                finite_outputs.append(finite)
            # 5) log the epoch (the loop's one sync point)
            log_epoch(history, losses, finite_outputs, epoch, config)
            losses, finite_outputs = [], []
            # 6) every few epochs and after the last: evaluate, snapshot
            evaluate_if_due(model, data, config, epoch, batch, amp, history)
            snapshot_if_due(model, data, config, epoch, history, snapshots)
            bar.set_postfix(_postfix(history, epoch), refresh=False)
            bar.update(1)
    except KeyboardInterrupt:
        _stop(history, losses, config.epochs)
    finally:
        bar.close()
        model.eval()
    return _finish(history, snapshots, started)


def _postfix(history: History, epoch: int) -> dict[str, str]:
    """The progress bar's text: this epoch's training loss, and its evaluation loss."""
    postfix = {"loss": f"{history.epoch_loss[-1]:.4f}"}
    if history.eval_epochs and history.eval_epochs[-1] == epoch:
        postfix["eval"] = f"{history.eval_loss[-1]:.4f}"
    return postfix
