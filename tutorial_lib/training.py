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
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from tutorial_lib.checks import finite_number, integer
from tutorial_lib.evaluation import resolve_device
from tutorial_lib.fit_steps import (
    batches,
    check_trainable,
    evaluate_if_due,
    forward_backward,
    load_data,
    log_epoch,
    snapshot_if_due,
)
from tutorial_lib.losses import loss_function


@dataclass(frozen=True)
class FitConfig:
    """How to train. Frozen: make variants with ``dataclasses.replace``.

    Attributes:
        epochs: passes over the training set; with ``batch_size=None`` one
            epoch is one step (the 2018 post's "iterations").
        lr: Adam's learning rate, finite and > 0.
        batch_size: ``None`` for full batch, else the mini-batch size.
        loss: ``"l1"`` or ``"mse"``; NaN targets are ignored either way.
        eval_every: epochs between evaluation losses (when evaluation data are given).
        snapshot_every: epochs between probe-batch snapshots (0: none).
        seed: seeds the mini-batch order (a non-negative integer).
        amp: bfloat16 autocast on CUDA (ignored elsewhere).
        progress: show a progress bar.
        schedule: ``None`` keeps ``lr`` fixed (the write-ups); ``"cosine"``
            decays it to zero over the run's steps, along a half cosine.
        cpu_chunk: on the CPU, a step's batch larger than this is run through
            the model in chunks of this many sequences, their gradients summed
            with weights, so the step is the same (up to rounding) at about
            half the memory: the 2018 post's full-batch GRU step needs 2.3 GB
            whole and 1.0 GB in chunks of 2,000, at the same speed. GPUs take
            the batch whole. ``None``: never chunk. (Not for models whose
            output depends on the rest of the batch, such as batch norm.)
    """

    epochs: int = 301
    lr: float = 1e-2
    batch_size: int | None = None
    loss: str = "l1"
    eval_every: int = 1
    snapshot_every: int = 0
    seed: int = 0
    amp: bool = False
    progress: bool = True
    schedule: str | None = None
    cpu_chunk: int | None = 2000

    def __post_init__(self) -> None:
        integer("epochs", self.epochs, minimum=1)
        integer("batch_size", self.batch_size, minimum=1, none="full batch")
        integer("eval_every", self.eval_every, minimum=1)
        integer("snapshot_every", self.snapshot_every, minimum=0)
        integer("seed", self.seed, minimum=0)
        integer("cpu_chunk", self.cpu_chunk, minimum=1, none="never chunk")
        finite_number("lr", self.lr, positive=True)
        # raises for an unknown name, naming the known ones
        loss_function(self.loss)
        if self.schedule not in (None, "cosine"):
            raise ValueError(
                f"schedule must be None or 'cosine', got {self.schedule!r}"
            )
        for name in ("amp", "progress"):
            value = getattr(self, name)
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(
                    f"{name} must be True or False, got {value!r}"
                )


@dataclass
class History:
    """What :func:`fit` saw. Losses are Python floats; snapshots NumPy arrays.

    Attributes:
        step_loss: training loss of every optimiser step taken, ``(steps,)``
            (an interrupted run's unfinished last epoch included).
        epoch_loss: mean training loss of every finished epoch, ``(epochs,)``.
        eval_epochs, eval_loss: evaluation loss after those epochs.
        snapshot_epochs: after how many epochs each snapshot was taken (0 = untrained).
        snapshots: probe-batch predictions, ``(len(snapshot_epochs), probe, time)``.
        seconds: wall time of the loop; ``interrupted``: stopped early by the
            user, so the model is only partly trained.
    """

    step_loss: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    eval_epochs: list[int] = field(default_factory=list)
    eval_loss: list[float] = field(default_factory=list)
    snapshot_epochs: list[int] = field(default_factory=list)
    snapshots: np.ndarray | None = None
    seconds: float = 0.0
    device: str = "cpu"
    interrupted: bool = False

    @property
    def final_eval(self) -> float:
        """The last evaluation loss."""
        if not self.eval_loss and self.interrupted:
            raise ValueError(
                "this history has no evaluation loss: training was interrupted after "
                f"{len(self.epoch_loss)} epochs, before its first evaluation, and the "
                "model is only partly trained; run fit again to the end"
            )
        if not self.eval_loss:
            raise ValueError(
                "this history has no evaluation loss: pass eval_data= to fit"
            )
        return self.eval_loss[-1]

    def raise_if_interrupted(self, what: str, epochs: int) -> None:
        """Raise ``KeyboardInterrupt`` if this run was stopped early, so that
        a partly trained model is never kept as the run ``what`` of
        ``epochs`` epochs (the cache saves nothing then)."""
        if self.interrupted:
            raise KeyboardInterrupt(
                f"training {what} was interrupted after "
                f"{len(self.epoch_loss)} of {epochs} epochs; not saved"
            )

    def __repr__(self) -> str:
        train = self.epoch_loss[-1] if self.epoch_loss else float("nan")
        last = (
            f", final eval {self.eval_loss[-1]:.4g}"
            if self.eval_loss
            else ""
        )
        stopped = ", interrupted" if self.interrupted else ""
        return (
            f"History({len(self.epoch_loss)} epochs, {len(self.step_loss)} steps, "
            f"final train {train:.4g}{last}, {self.seconds:.1f} s on {self.device}"
            f"{stopped})"
        )


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
