"""Argument checks shared by the package: each returns the checked value or
raises ValueError naming the argument, the value and what was expected.

Booleans are refused as numbers (``True`` is an ``int`` to Python, never a
meaningful count or size here); NumPy integers and floats are accepted.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


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
