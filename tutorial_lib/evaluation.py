"""Predictions and losses of a trained model, and the checks of its input.

:func:`predict` runs a model in eval mode over ``(n, time)`` inputs in
batches; :func:`evaluate` scores it with the book's NaN-masked L1 or MSE.
The checks here (:func:`check_pair`, :func:`check_output`) are shared with
the training loop, so a bad array gets the same message wherever it is met.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tutorial_lib.checks import integer
from tutorial_lib.losses import loss_function
from tutorial_lib.runtime import choose_device


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


def resolve_device(model: nn.Module, device) -> torch.device:
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


def check_output(
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
    device = resolve_device(model, device)
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
                check_output(model, model(x[i : i + step]), x[i : i + step])
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
    check_pair(x, y, "evaluate")
    pred = torch.from_numpy(predict(model, x, batch_size=batch_size))
    return float(loss_fn(pred, y.reshape(pred.shape)))


def check_finite(
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


def check_pair(x: torch.Tensor, y: torch.Tensor, what: str) -> None:
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
    check_finite(x, f"{what}: inputs")
    check_finite(y, f"{what}: targets", nan_ok=True)
    if torch.isnan(y).all():
        raise ValueError(
            f"{what}: every target is NaN; expected at least one target "
            "to compare the prediction with"
        )
