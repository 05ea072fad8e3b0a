"""Predictions and losses of a trained model.

:func:`predict` runs a model in eval mode over ``(n, time)`` inputs in
batches; :func:`evaluate` scores it with the book's NaN-masked L1 or MSE.
Their input checks (:mod:`tutorial_lib.checks`) are the training loop's, so
a bad array gets the same message wherever it is met.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tutorial_lib.checks import as_tensor, check_output, check_pair, integer
from tutorial_lib.losses import loss_function
from tutorial_lib.runtime import resolve_device


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
