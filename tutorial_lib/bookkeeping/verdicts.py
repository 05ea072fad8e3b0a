"""Verdicts: the comparisons a claim rests on, and how far each is from failing.

A chapter's claim is a conjunction of comparisons, each written with one of
these helpers:

* ``less(x, y)``: ``x < y`` for two numbers, or element by element for
  arrays ("at every seed");
* ``below(a, b)``: method ``a`` ends lower than method ``b`` over seeds, by
  more than their scatter (``differs``, two standard errors);
* ``fact(b)``: an exact yes or no (a parameter count, a name).

Each returns a :class:`Verdict`: whether it holds, and its **margin**, how
far it is from failing, as a fraction of the numbers compared:

* ``less(x, y)``: ``(y - x) / max(|x|, |y|)``, the smallest over the
  elements; a margin of 0.25 says the gap is a quarter of the larger number;
* ``below(a, b)``: ``(mean(b) - mean(a) - k * se) / max(|mean a|, |mean b|)``,
  how much closer the means could come, as a fraction of the larger, before
  their gap is within the scatter;
* ``fact(b)``: infinite (``+inf`` true, ``-inf`` false): an exact fact is
  no nearer to failing on one machine than on another.

Verdicts combine: ``v & w`` holds when both do, with the smaller margin;
``v | w`` when either does, with the larger; ``~v`` is the opposite, its
margin negated; :func:`all_of` is ``&`` over many. A verdict is true when it
holds, so ``if below(a, b):`` reads as a bool. A margin is negative exactly
when the comparison fails (zero: ``less(..., or_equal=True)`` at equality).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """Whether a comparison holds, and its margin (see the module's text)."""

    holds: bool
    margin: float

    def __bool__(self) -> bool:
        return self.holds

    def __and__(self, other: Verdict) -> Verdict:
        _is_verdict(other, "&")
        return Verdict(
            self.holds and other.holds, min(self.margin, other.margin)
        )

    def __or__(self, other: Verdict) -> Verdict:
        _is_verdict(other, "|")
        return Verdict(
            self.holds or other.holds, max(self.margin, other.margin)
        )

    def __invert__(self) -> Verdict:
        return Verdict(not self.holds, -self.margin)


def _is_verdict(other: object, operator: str) -> None:
    if not isinstance(other, Verdict):
        raise TypeError(
            f"a Verdict {operator} {type(other).__name__} {other!r}: "
            "combine verdicts only; wrap an exact yes/no in fact(...)"
        )


def fact(holds) -> Verdict:
    """An exact yes/no as a verdict: margin ``+inf`` if true, ``-inf`` if not.

    Raises:
        ValueError: ``holds`` is not a Python or NumPy bool.
    """
    if not isinstance(holds, (bool, np.bool_)):
        raise ValueError(
            f"holds must be a bool or a numpy bool, got "
            f"{type(holds).__name__} {holds!r}"
        )
    return Verdict(bool(holds), math.inf if holds else -math.inf)


def all_of(verdicts: Iterable[Verdict]) -> Verdict:
    """``&`` over ``verdicts``: all hold; the smallest margin. None at all
    holds, with an infinite margin (like ``all([])``)."""
    result = fact(True)
    for verdict in verdicts:
        result = result & verdict
    return result


def _array(name: str, values, expected: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be {expected}, got {values!r}"
        ) from None


def _finite(name: str, values) -> np.ndarray:
    array = _array(name, values, "a number or an array of numbers")
    if array.size == 0 or not np.isfinite(array).all():
        raise ValueError(
            f"{name} must hold finite numbers (and at least one), got {values!r}"
        )
    return array


def less(x, y, *, or_equal: bool = False) -> Verdict:
    """``x < y`` (``x <= y`` with ``or_equal``), element by element.

    Args:
        x, y: numbers or arrays that broadcast together, e.g. one method's
            results at every seed against a single number.

    Returns:
        The verdict: all elements compare so; the margin is the smallest
        ``(y - x) / max(|x|, |y|)`` (0 where both are 0).

    Raises:
        ValueError: empty, non-finite or non-numeric input, or shapes that
            do not broadcast.
    """
    xs, ys = _finite("x", x), _finite("y", y)
    try:
        xs, ys = np.broadcast_arrays(xs, ys)
    except ValueError:
        raise ValueError(
            f"x (shape {xs.shape}) and y (shape {ys.shape}) do not broadcast"
        ) from None
    holds = bool(np.all(xs <= ys if or_equal else xs < ys))
    scale = np.maximum(np.abs(xs), np.abs(ys))
    gaps = np.divide(ys - xs, scale, out=np.zeros_like(xs), where=scale > 0)
    return Verdict(holds, float(gaps.min()))


def _sample(name: str, values) -> np.ndarray:
    array = _array(name, values, "a sequence of numbers")
    if array.ndim != 1 or len(array) == 0 or not np.isfinite(array).all():
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence of finite numbers, got {values!r}"
        )
    return array


def _se(s: np.ndarray) -> float:
    return (
        float(np.std(s, ddof=1) / math.sqrt(len(s))) if len(s) > 1 else 0.0
    )


def _gap_and_scatter(
    a: Sequence[float], b: Sequence[float], k: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Both samples checked, and ``k`` combined standard errors."""
    x, y = _sample("a", a), _sample("b", b)
    if isinstance(k, bool) or not isinstance(k, numbers.Real) or not k > 0:
        raise ValueError(
            f"k must be a positive number of standard errors, got {k!r}"
        )
    if len(x) == 1 and len(y) == 1:
        raise ValueError(
            f"a and b are single values ({x[0]}, {y[0]}): give repeated results "
            "(one per seed) for at least one of them, so there is a scatter"
        )
    return x, y, k * math.sqrt(_se(x) ** 2 + _se(y) ** 2)


def differs(
    a: Sequence[float], b: Sequence[float], *, k: float = 2.0
) -> bool:
    """Whether the means of ``a`` and ``b`` differ by more than ``k`` standard errors.

    The rule: ``|mean(a) - mean(b)| > k * sqrt(se_a**2 + se_b**2)``, with
    ``se = std(ddof=1) / sqrt(n)`` (Welch's t statistic above ``k``; for a
    handful of seeds ``k = 2`` is a loose test: two methods that are equal
    are called different about 11 % of the time at 3 seeds a side, 8 % at 5,
    for normally scattered results). A single value counts as exact
    (``se = 0``): pass one value only for a deterministic result such as a
    filter or an oracle.

    Args:
        a, b: repeated results (one per seed) of two methods.

    Raises:
        ValueError: empty or non-finite input, both sides single values (no
            scatter to judge by), or ``k`` not positive.
    """
    x, y, scatter = _gap_and_scatter(a, b, k)
    return bool(abs(float(np.mean(x)) - float(np.mean(y))) > scatter)


def below(
    a: Sequence[float], b: Sequence[float], *, k: float = 2.0
) -> Verdict:
    """Whether ``a`` ends lower than ``b`` by more than their scatter:
    ``mean(a) < mean(b)`` and :func:`differs` ``(a, b, k=k)``.

    The rule for "A beats B" over seeds; ``~below(b, a)`` is "A does not end
    above B by more than the scatter". The margin is
    ``(mean(b) - mean(a) - k * se) / max(|mean a|, |mean b|)``.
    """
    x, y, scatter = _gap_and_scatter(a, b, k)
    mean_a, mean_b = float(np.mean(x)), float(np.mean(y))
    holds = mean_a < mean_b and abs(mean_a - mean_b) > scatter
    scale = max(abs(mean_a), abs(mean_b))
    margin = (mean_b - mean_a - scatter) / scale if scale > 0 else 0.0
    return Verdict(holds, margin)
