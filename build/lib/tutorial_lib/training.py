"""One training loop for every chapter: :func:`fit` returns a :class:`History`.

Full batch (the 2018 post: every training sequence in every step) or
mini-batches (the 2024 post), Adam, a NaN-masked L1 or MSE loss. The loop
knows nothing about the model; it never plots. The data go to the device once;
the only host synchronisation is one per epoch, to log the losses.

Prediction snapshots are taken on a small *probe* batch every few epochs,
for animations, instead of keeping the whole training set's prediction at
every step (about 1 GB for one run of the 2018 post).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from tutorial_lib.losses import LOSSES

PLAIN_LOSSES = {"l1": F.l1_loss, "mse": F.mse_loss}


@dataclass(frozen=True)
class FitConfig:
    """How to train. Frozen: make variants with ``dataclasses.replace``.

    Attributes:
        epochs: passes over the training set; with ``batch_size=None`` one
            epoch is one step (the 2018 post's "iterations").
        lr: Adam's learning rate.
        batch_size: ``None`` for full batch, else the mini-batch size.
        loss: ``"l1"`` or ``"mse"``; NaN targets are ignored either way.
        eval_every: epochs between evaluation losses (when evaluation data are given).
        snapshot_every: epochs between probe-batch snapshots (0: none).
        seed: seeds the mini-batch order.
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
        if self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError(f"batch_size must be None (full batch) or >= 1, got {self.batch_size}")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; expected one of {', '.join(LOSSES)}")
        if self.schedule not in (None, "cosine"):
            raise ValueError(f"schedule must be None or 'cosine', got {self.schedule!r}")
        if self.cpu_chunk is not None and self.cpu_chunk < 1:
            raise ValueError(f"cpu_chunk must be None or >= 1, got {self.cpu_chunk}")
        if self.eval_every < 1 or self.snapshot_every < 0:
            raise ValueError("eval_every must be >= 1 and snapshot_every >= 0")


@dataclass
class History:
    """What :func:`fit` saw. Losses are Python floats; snapshots NumPy arrays.

    Attributes:
        step_loss: training loss of every optimiser step, ``(steps,)``.
        epoch_loss: mean training loss of every epoch, ``(epochs,)``.
        eval_epochs, eval_loss: evaluation loss after those epochs.
        snapshot_epochs: after how many epochs each snapshot was taken (0 = untrained).
        snapshots: probe-batch predictions, ``(len(snapshot_epochs), probe, time)``.
        seconds: wall time of the loop; ``interrupted``: stopped early by the user.
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
        if not self.eval_loss:
            raise ValueError("this history has no evaluation loss: pass eval_data= to fit")
        return self.eval_loss[-1]

    def __repr__(self) -> str:
        last = f", final eval {self.eval_loss[-1]:.4g}" if self.eval_loss else ""
        return (
            f"History({len(self.epoch_loss)} epochs, {len(self.step_loss)} steps, "
            f"final train {self.epoch_loss[-1] if self.epoch_loss else float('nan'):.4g}{last}, "
            f"{self.seconds:.1f} s on {self.device})"
        )


def as_tensor(array, name: str, device: torch.device) -> torch.Tensor:
    """``array`` as a float32 tensor on ``device`` (a no-op when it already is one)."""
    tensor = torch.as_tensor(np.asarray(array, dtype=np.float32) if not torch.is_tensor(array) else array)
    if tensor.dim() not in (2, 3):
        raise ValueError(f"{name} must have shape (n, time) or (n, time, 1), got {tuple(tensor.shape)}")
    return tensor.to(device=device, dtype=torch.float32)


def _model_device(model: nn.Module) -> torch.device:
    first = next(model.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


@torch.no_grad()
def predict(model: nn.Module, inputs, *, batch_size: int | None = 4096, device=None) -> np.ndarray:
    """The model's output for ``inputs`` ``(n, time[, 1])``, as a NumPy array of the same shape."""
    device = _model_device(model) if device is None else torch.device(device)
    x = as_tensor(inputs, "inputs", device)
    was_training = model.training
    model.eval()
    step = len(x) if batch_size is None else batch_size
    out = torch.cat([model(x[i : i + step]) for i in range(0, len(x), step)])
    model.train(was_training)
    return out.cpu().numpy()


def evaluate(model: nn.Module, inputs, targets, loss: str = "l1", *, batch_size: int | None = 4096) -> float:
    """Mean ``loss`` (NaN-masked ``"l1"`` or ``"mse"``) of the model on ``(inputs, targets)``."""
    pred = torch.from_numpy(predict(model, inputs, batch_size=batch_size))
    target = as_tensor(targets, "targets", torch.device("cpu")).reshape(pred.shape)
    return float(LOSSES[loss](pred, target))


def _check_pair(x: torch.Tensor, y: torch.Tensor, what: str) -> None:
    if x.shape[:2] != y.shape[:2]:
        raise ValueError(f"{what}: inputs {tuple(x.shape)} and targets {tuple(y.shape)} differ in (n, time)")
    if torch.isnan(x).any():
        raise ValueError(f"{what}: inputs contain NaN; only targets may be missing")
    if torch.isnan(y).all():
        raise ValueError(f"{what}: every target is NaN; there is nothing to learn from")


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
    """Train ``model`` in place to map ``inputs`` to ``targets``; return its :class:`History`.

    Args:
        model: maps ``(batch, time)`` to ``(batch, time)``.
        inputs, targets: ``(n, time)`` arrays or tensors; targets may hold NaN.
        config: see :class:`FitConfig`.
        eval_data: ``(inputs, targets)`` evaluated every ``config.eval_every`` epochs.
        probe: ``(p, time)`` inputs whose predictions are snapshotted.
        device: where to train (default: where the model is). Data move there once.

    Interrupting (Ctrl-C, the notebook's stop button) ends training cleanly:
    the history so far comes back with ``interrupted=True``.
    """
    device = _model_device(model) if device is None else torch.device(device)
    model.to(device)
    x, y = as_tensor(inputs, "inputs", device), as_tensor(targets, "targets", device)
    _check_pair(x, y, "training data")
    y = y.reshape(x.shape)
    # The masked loss costs a little more; use it only where targets are missing.
    loss_fn = LOSSES[config.loss] if torch.isnan(y).any() else PLAIN_LOSSES[config.loss]
    if eval_data is not None:
        ex, ey = (as_tensor(a, "eval_data", device) for a in eval_data)
        _check_pair(ex, ey, "eval_data")
        ey = ey.reshape(ex.shape)
    probe_x = None if probe is None else as_tensor(probe, "probe", device)

    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    generator = torch.Generator().manual_seed(config.seed)
    n = len(x)
    batch = n if config.batch_size is None else min(config.batch_size, n)
    scheduler = None
    if config.schedule == "cosine":
        total_steps = config.epochs * -(-n // batch)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    use_amp = config.amp and device.type == "cuda"
    history = History(device=device.type)
    snapshots: list[torch.Tensor] = []

    @torch.no_grad()
    def snapshot(epoch: int) -> None:
        if probe_x is not None and config.snapshot_every:
            model.eval()
            snapshots.append(model(probe_x).reshape(len(probe_x), -1).float().cpu())
            model.train()
            history.snapshot_epochs.append(epoch)

    chunk = config.cpu_chunk if device.type == "cpu" else None

    def backward(xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        """Forward and backward of one step's batch ``(b, time)``; returns its loss, detached."""
        if chunk is None or len(xb) <= chunk:
            with torch.autocast(device.type, dtype=torch.bfloat16) if use_amp else contextlib.nullcontext():
                pred = model(xb)
            loss = loss_fn(pred.float(), yb)
            loss.backward()
            return loss.detach()
        # Each chunk's mean loss, weighted by its share of the counted (non-NaN)
        # targets, adds up to the whole batch's mean loss, and so do the gradients.
        counted = (~torch.isnan(yb)).reshape(len(yb), -1).sum(dim=1)
        total = counted.sum()
        loss_sum = torch.zeros((), device=device)
        for j in range(0, len(xb), chunk):
            share = counted[j : j + chunk].sum()
            if share == 0:
                continue  # every target of this chunk is hidden: nothing to learn from it
            loss = loss_fn(model(xb[j : j + chunk]).float(), yb[j : j + chunk]) * (share / total)
            loss.backward()
            loss_sum += loss.detach()
        return loss_sum

    @torch.no_grad()
    def evaluation() -> float:
        model.eval()
        with torch.autocast(device.type, dtype=torch.bfloat16) if use_amp else contextlib.nullcontext():
            total = sum(
                float(LOSSES[config.loss](model(ex[i : i + batch]).float(), ey[i : i + batch])) * len(ex[i : i + batch])
                for i in range(0, len(ex), batch)
            )
        model.train()
        return total / len(ex)

    bar = tqdm(
        total=config.epochs,
        desc=f"{type(model).__name__} on {device.type}",
        unit="epoch",
        disable=not config.progress,
        mininterval=0.5,
    )
    started = time.perf_counter()
    model.train()
    try:
        snapshot(0)
        for epoch in range(1, config.epochs + 1):
            order = None if batch == n else torch.randperm(n, generator=generator).to(device)
            losses = []
            for i in range(0, n, batch):
                idx = slice(i, i + batch) if order is None else order[i : i + batch]
                optimizer.zero_grad(set_to_none=True)
                loss = backward(x[idx], y[idx])
                optimizer.step()
                if scheduler is not None:
                    scheduler.step()
                losses.append(loss)
            step_losses = torch.stack(losses).cpu().tolist()  # the epoch's one synchronisation
            history.step_loss.extend(step_losses)
            history.epoch_loss.append(float(np.mean(step_losses)))
            postfix = {"loss": f"{history.epoch_loss[-1]:.4f}"}
            if eval_data is not None and (epoch % config.eval_every == 0 or epoch == config.epochs):
                history.eval_epochs.append(epoch)
                history.eval_loss.append(evaluation())
                postfix["eval"] = f"{history.eval_loss[-1]:.4f}"
            if config.snapshot_every and (epoch % config.snapshot_every == 0 or epoch == config.epochs):
                snapshot(epoch)
            bar.set_postfix(postfix, refresh=False)
            bar.update(1)
    except KeyboardInterrupt:
        history.interrupted = True
        print(f"interrupted after {len(history.epoch_loss)} epochs; returning the history so far")
    finally:
        bar.close()
        model.eval()
    history.seconds = time.perf_counter() - started
    if snapshots:
        history.snapshots = torch.stack(snapshots).numpy()
    if history.epoch_loss and not np.isfinite(history.epoch_loss[-1]):
        raise FloatingPointError(
            f"training loss became {history.epoch_loss[-1]} after {len(history.epoch_loss)} epochs; "
            "try a smaller lr, or check the data for NaN/inf"
        )
    return history
