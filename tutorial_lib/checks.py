"""Argument checks shared by the package: each returns the checked value or
raises ValueError naming the argument, the value and what was expected.

Numbers and sizes first, then arrays: the ``(n, time)`` inputs and targets
that training, prediction and evaluation take (:func:`as_tensor`,
:func:`check_pair`) and what a model returns for them (:func:`check_output`),
so a bad array gets the same message wherever it is met.

Booleans are refused as numbers (``True`` is an ``int`` to Python, never a
meaningful count or size here); NumPy integers and floats are accepted.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from torch import nn


def is_integer(value) -> bool:
    """Whether ``value`` is a Python or NumPy integer (a bool is not)."""
    integral = isinstance(value, (int, np.integer))
    return integral and not isinstance(value, (bool, np.bool_))


def integer(
    name: str,
    value,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    none: str | None = None,
) -> int | None:
    """``value`` as an ``int``, checked to be an integer in ``[minimum, maximum]``.

    ``none`` says what ``None`` means (``"full batch"``), and allows it.

    Raises:
        ValueError: e.g. ``batch_size must be an integer >= 1, or None (full
            batch), got 0``.
    """
    if value is None and none is not None:
        return None
    inside = (
        is_integer(value)
        and (minimum is None or value >= minimum)
        and (maximum is None or value <= maximum)
    )
    if not inside:
        if minimum is not None and maximum is not None:
            expected = f"an integer in [{minimum}, {maximum}]"
        elif minimum is not None or maximum is not None:
            bound = (
                f">= {minimum}" if minimum is not None else f"<= {maximum}"
            )
            expected = f"an integer {bound}"
        else:
            expected = "an integer"
        expected += f", or None ({none})" if none is not None else ""
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


def positive_int(name: str, value) -> int:
    """``value`` as an ``int``, checked to be an integer >= 1."""
    if not is_integer(value) or value < 1:
        raise ValueError(
            f"{name} must be a positive integer, got {value!r}"
        )
    return int(value)


def non_negative_int(name: str, value) -> int:
    """``value`` as an ``int``, checked to be an integer >= 0 (a seed, an offset)."""
    if not is_integer(value) or value < 0:
        raise ValueError(
            f"{name} must be a non-negative integer, got {value!r}"
        )
    return int(value)


def finite_number(
    name: str,
    value,
    *,
    positive: bool = False,
    minimum: float | None = None,
    unit: str = "",
) -> float:
    """``value`` as a float, checked to be a finite real number (not a bool).

    ``positive`` asks for ``value > 0``; ``minimum`` for ``value >= minimum``;
    ``unit`` ends the expectation in the message (``" of seconds"``).
    """
    real = isinstance(value, numbers.Real) and not isinstance(
        value, (bool, np.bool_)
    )
    kind = "a positive finite number" if positive else "a finite number"
    if not real or not math.isfinite(value) or (positive and not value > 0):
        raise ValueError(f"{name} must be {kind}{unit}, got {value!r}")
    if minimum is not None and not value >= minimum:
        raise ValueError(
            f"{name} must be a finite number >= {minimum}{unit}, "
            f"got {value!r}"
        )
    return float(value)


def finite_batch(noisy, name: str = "noisy") -> np.ndarray:
    """``noisy`` as a finite ``(n, T)`` float64 array, ``T >= 2``."""
    array = np.asarray(noisy, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 2:
        raise ValueError(
            f"{name} must have shape (n, T) with T >= 2, got {array.shape}"
        )
    bad = ~np.isfinite(array)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"{name} must be finite, got {int(bad.sum())} NaN or infinite value(s), "
            f"the first at row {row}, column {col} ({array[row, col]}): drop or "
            "fill those rows first"
        )
    return array


def window_size(window: int, length: int, *, odd: bool = False) -> int:
    """``window`` as an ``int`` in ``[1, length]`` (odd when ``odd``)."""
    integer("window", window, minimum=1, maximum=length)
    if odd and window % 2 == 0:
        raise ValueError(
            f"window must be odd for a centred filter, got {window}"
        )
    return int(window)


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
