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

import contextlib
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from tutorial_lib.checks import finite_number, integer
from tutorial_lib.losses import loss_function
from tutorial_lib.runtime import choose_device

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


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


def as_tensor(array, name: str, device: torch.device) -> torch.Tensor:
    """``array`` ``(n, time[, 1])`` as a float32 tensor on ``device`` (a
    no-op when it already is one)."""
    if not torch.is_tensor(array):
        array = np.asarray(array, dtype=np.float32)
    tensor = torch.as_tensor(array)
    if tensor.dim() not in (2, 3) or tensor.shape[2:] not in ((), (1,)):
        raise ValueError(
            f"{name} must have shape (n, time) or (n, time, 1), "
            f"got {tuple(tensor.shape)}"
        )
    return tensor.to(device=device, dtype=torch.float32)


def _model_device(model: nn.Module) -> torch.device:
    first = next(model.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


DEVICE_TYPES = ("cpu", "cuda", "mps")
"""The devices a model can train and predict on here."""


def _device(model: nn.Module, device) -> torch.device:
    """``device`` as :func:`choose_device` takes it, or the model's own
    device when ``None``; a ValueError unless it is one of DEVICE_TYPES."""
    chosen = (
        _model_device(model) if device is None else choose_device(device)
    )
    if chosen.type not in DEVICE_TYPES:
        given = (
            f"{device!r}"
            if device is not None
            else f"None (the model's parameters are on {str(chosen)!r})"
        )
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda' or 'mps', got {given}"
        )
    return chosen


def _check_output(
    model: nn.Module, pred, inputs: torch.Tensor
) -> torch.Tensor:
    """``pred`` if it is one tensor shaped like ``inputs`` ``(b, time[, 1])``."""
    name = type(model).__name__
    if not torch.is_tensor(pred):
        raise TypeError(
            f"model {name} returned a {type(pred).__name__}; expected one "
            f"tensor shaped like its input, {tuple(inputs.shape)}"
        )
    if pred.shape != inputs.shape:
        raise ValueError(
            f"model {name} returned shape {tuple(pred.shape)} for input "
            f"{tuple(inputs.shape)}; expected the same shape, as the "
            "targets have it"
        )
    return pred


@torch.no_grad()
def predict(
    model: nn.Module, inputs, *, batch_size: int | None = 4096, device=None
) -> np.ndarray:
    """The model's output for ``inputs`` ``(n, time[, 1])``: a NumPy array, alike.

    The model runs in eval mode and is put back in its own mode, also when
    it fails. ``batch_size``: sequences a forward pass (None: all at once).

    Raises:
        ValueError: empty ``inputs``, a bad ``batch_size`` or ``device``,
            or an output not shaped like its input.
    """
    device = _device(model, device)
    step = integer("batch_size", batch_size, minimum=1, none="all at once")
    x = as_tensor(inputs, "inputs", device)
    if x.numel() == 0:
        raise ValueError(
            f"inputs is empty, shape {tuple(x.shape)}; expected at least "
            "one sequence of at least one sample"
        )
    step = len(x) if step is None else step
    was_training = model.training
    model.eval()
    try:
        out = torch.cat(
            [
                _check_output(
                    model, model(x[i : i + step]), x[i : i + step]
                )
                for i in range(0, len(x), step)
            ]
        )
    finally:
        model.train(was_training)
    return out.cpu().numpy()


def evaluate(
    model: nn.Module,
    inputs,
    targets,
    loss: str = "l1",
    *,
    batch_size: int | None = 4096,
) -> float:
    """Mean ``loss`` (NaN-masked ``"l1"`` or ``"mse"``) of the model on the data.

    ``inputs`` and ``targets`` are ``(n, time[, 1])``; inputs must be
    finite, targets may hold NaN (not all of them).

    The mean runs over every counted (non-NaN) target: a sequence with half
    its targets hidden weighs half as much as a complete one.

    Raises:
        ValueError: inputs with NaN or inf, targets of another ``(n, time)``,
            no data, or every target NaN (the message says which).
    """
    loss_fn = loss_function(loss)
    cpu = torch.device("cpu")
    x, y = (
        as_tensor(inputs, "inputs", cpu),
        as_tensor(targets, "targets", cpu),
    )
    _check_pair(x, y, "evaluate")
    pred = torch.from_numpy(predict(model, x, batch_size=batch_size))
    return float(loss_fn(pred, y.reshape(pred.shape)))


def _check_finite(
    tensor: torch.Tensor, name: str, *, nan_ok: bool = False
) -> None:
    """Raise a ValueError naming ``name`` if ``tensor`` holds inf, or NaN unless ok."""
    infinite = int(torch.isinf(tensor).sum())
    if infinite:
        raise ValueError(
            f"{name} contain {infinite} infinite value(s); every value must be finite"
            + (" (NaN marks a missing target)" if nan_ok else "")
        )
    missing = 0 if nan_ok else int(torch.isnan(tensor).sum())
    if missing:
        raise ValueError(
            f"{name} contain NaN ({missing} value(s)); expected finite inputs "
            "(only targets may be missing)"
        )


def _check_pair(x: torch.Tensor, y: torch.Tensor, what: str) -> None:
    """Refuse a pair that is empty, differs in ``(n, time)``, holds inf (or
    NaN inputs), or has no target at all."""
    if x.numel() == 0:
        raise ValueError(
            f"{what}: inputs are empty, shape {tuple(x.shape)}; expected at "
            "least one sequence of at least one sample"
        )
    if x.shape[:2] != y.shape[:2]:
        raise ValueError(
            f"{what}: inputs {tuple(x.shape)} and targets {tuple(y.shape)} "
            "differ in (n, time); expected the same (n, time)"
        )
    _check_finite(x, f"{what}: inputs")
    _check_finite(y, f"{what}: targets", nan_ok=True)
    if torch.isnan(y).all():
        raise ValueError(
            f"{what}: every target is NaN; expected at least one target "
            "to compare the prediction with"
        )


def _counted_per_row(y: torch.Tensor) -> torch.Tensor:
    """How many targets of each row of ``y`` ``(n, time[, 1])`` are there: ``(n,)``."""
    # note: this is a CPU-GPU sync point, once per fit; the loop then decides on the CPU
    return (~torch.isnan(y)).reshape(len(y), -1).sum(dim=1).cpu()


@dataclass
class _Data:
    """What :func:`fit` trains and measures on, on its device, checked once."""

    x: torch.Tensor  # (n, time[, 1]) training inputs
    y: torch.Tensor  # targets shaped like x; NaN = missing
    # (n,) present targets per row on the CPU; None: all
    counted: torch.Tensor | None
    eval_x: torch.Tensor | None = None
    eval_y: torch.Tensor | None = None
    eval_counted: torch.Tensor | None = None
    probe: torch.Tensor | None = None


def _load_data(
    inputs, targets, eval_data, probe, device: torch.device
) -> _Data:
    """Move the data to ``device`` and check them, naming the array at fault."""
    x, y = (
        as_tensor(inputs, "inputs", device),
        as_tensor(targets, "targets", device),
    )
    _check_pair(x, y, "training data")
    y = y.reshape(x.shape)
    data = _Data(
        x, y, _counted_per_row(y) if torch.isnan(y).any() else None
    )
    if eval_data is not None:
        ex, ey = (
            as_tensor(a, f"eval_data[{i}]", device)
            for i, a in enumerate(_eval_pair(eval_data))
        )
        _check_pair(ex, ey, "eval_data")
        data.eval_x, data.eval_y = ex, ey.reshape(ex.shape)
        data.eval_counted = _counted_per_row(data.eval_y)
    if probe is not None:
        data.probe = as_tensor(probe, "probe", device)
        _check_finite(data.probe, "probe inputs")
    return data


def _eval_pair(eval_data) -> tuple:
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
) -> torch.Tensor:
    """Forward and backward of one step's batch, ``chunk`` rows at a time.

    ``x`` and ``y`` are ``(b, time[, 1])``; ``y`` may hold NaN.

    Each chunk's mean loss, weighted by its share of the batch's counted
    (non-NaN) targets, adds up to the whole batch's mean loss, and so do the
    gradients that accumulate in ``.grad``: the same as one backward of the
    whole batch, up to rounding, at the memory of one chunk. A chunk whose
    targets are all hidden is skipped (it has nothing to teach, and the
    masked loss would refuse it). For the CPU, where reading a count is free.

    Returns:
        The batch's mean loss, detached, a scalar tensor.
    """
    return _backward_in_chunks(model, loss_fn, x, y, chunk)[0]


def _backward_in_chunks(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    chunk: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`backward_in_chunks`, and whether every output was finite (a
    0-d bool tensor, left on the device)."""
    counted = (~torch.isnan(y)).reshape(len(y), -1).sum(dim=1)
    total = counted.sum()
    loss_sum = torch.zeros((), device=x.device)
    finite = torch.ones((), dtype=torch.bool, device=x.device)
    for j in range(0, len(x), chunk):
        share = counted[j : j + chunk].sum()
        if share == 0:
            continue
        xc = x[j : j + chunk]
        pred = _check_output(model, model(xc), xc).float()
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


def _forward_backward(
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
        return _backward_in_chunks(model, loss_fn, x, y, chunk)
    with _autocast(x.device, amp):
        pred = _check_output(model, model(x), x)
    # the loss in float32, also under bfloat16 autocast
    loss = loss_fn(pred.float(), y)
    loss.backward()
    return loss.detach(), torch.isfinite(pred).all()


def _batches(
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
def _eval_loss(
    model: nn.Module, loss_fn: LossFn, data: _Data, batch: int, amp: bool
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
            pred = _check_output(model, model(ex), ex).float()
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
    out = _check_output(model, model(probe), probe)
    out = out.reshape(len(probe), -1).float().cpu()
    model.train()
    return out


def _due(epoch: int, every: int, last: int) -> bool:
    """Whether something done every ``every`` epochs (and after the last) is due now."""
    return epoch % every == 0 or epoch == last


def _evaluate_if_due(
    model: nn.Module,
    data: _Data,
    config: FitConfig,
    epoch: int,
    batch: int,
    amp: bool,
    history: History,
) -> None:
    """Log the evaluation loss every ``eval_every`` epochs and after the last."""
    if data.eval_x is not None and _due(
        epoch, config.eval_every, config.epochs
    ):
        # evaluation targets may be missing
        masked = loss_function(config.loss)
        eval_loss = _eval_loss(model, masked, data, batch, amp)
        history.eval_epochs.append(epoch)
        history.eval_loss.append(eval_loss)


def _snapshot_if_due(
    model: nn.Module,
    data: _Data,
    config: FitConfig,
    epoch: int,
    history: History,
    snapshots: list[torch.Tensor],
) -> None:
    """Snapshot the probe before training (epoch 0), every few epochs and at the end."""
    if data.probe is not None and config.snapshot_every:
        if _due(epoch, config.snapshot_every, config.epochs):
            snapshots.append(_snapshot(model, data.probe))
            history.snapshot_epochs.append(epoch)


def _check_trainable(model: nn.Module) -> None:
    """A ValueError unless ``model`` has a parameter to train."""
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError(
            f"model {type(model).__name__} has no trainable parameters; "
            "expected at least one (a parameter with requires_grad=True)"
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


def _check_steps_finite(
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
            counted targets as :func:`evaluate` takes it, is logged every
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
    device = _device(model, device)
    data = _load_data(inputs, targets, eval_data, probe, device)
    model.to(device)
    _check_trainable(model)
    # 2) the masked loss costs a little more: use it only where targets are missing
    loss_fn = loss_function(config.loss, masked=data.counted is not None)
    n = len(data.x)
    batch = n if config.batch_size is None else min(config.batch_size, n)
    optimizer, scheduler = _adam(
        model, config, steps=config.epochs * -(-n // batch)
    )
    # the mini-batch order
    generator = torch.Generator().manual_seed(config.seed)
    amp = config.amp and device.type == "cuda"
    chunk = config.cpu_chunk if device.type == "cpu" else None
    history, snapshots, losses = History(device=device.type), [], []
    finite_outputs = []  # per step: was the model's output finite
    bar = progress_bar(
        config.epochs, f"{type(model).__name__} on {device.type}", config
    )
    started = time.perf_counter()
    model.train()
    try:
        # untrained
        _snapshot_if_due(model, data, config, 0, history, snapshots)
        for epoch in range(1, config.epochs + 1):
            # 3) a new order of the rows every epoch (mini-batches only)
            order = (
                None
                if batch == n
                else torch.randperm(n, generator=generator)
            )
            for rows in _batches(n, batch, order, data.counted, device):
                # 4) one step: forget the last gradients, forward, loss,
                # backward, update; on the CPU a batch larger than cpu_chunk
                # goes in chunks
                optimizer.zero_grad(set_to_none=True)
                xb, yb = data.x[rows], data.y[rows]
                loss, finite = _forward_backward(
                    model, loss_fn, xb, yb, chunk, amp
                )
                optimizer.step()
                if scheduler is not None:
                    scheduler.step()
                # left on the device: reading it now would sync
                losses.append(loss)
                finite_outputs.append(finite)
            # 5) log the epoch. note: this is a CPU-GPU sync point, the
            # loop's only one
            step_losses, losses = torch.stack(losses).cpu().tolist(), []
            _check_steps_finite(
                step_losses, finite_outputs, history, epoch, config
            )
            finite_outputs = []
            history.step_loss.extend(step_losses)
            history.epoch_loss.append(float(np.mean(step_losses)))
            # 6) every few epochs and after the last: evaluate, snapshot
            _evaluate_if_due(
                model, data, config, epoch, batch, amp, history
            )
            _snapshot_if_due(model, data, config, epoch, history, snapshots)
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
