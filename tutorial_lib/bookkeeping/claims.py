"""Claims as code: a chapter's sentence checked against the numbers it rests on.

A chapter that writes "the Wiener filter beats every smoothing filter"
states it with :func:`check` next to the numbers::

    claim = check("the Wiener filter beats the low-pass at every alpha",
                  all(w < l for w, l in zip(wiener, lowpass)),
                  values={"wiener@0.1": wiener[0], "lowpass@0.1": lowpass[0]},
                  profile=run.profile)

At profile ``full``, in the book's build, a claim that does not hold stops
the chapter with :class:`ClaimFailed`, whose message holds the claim's words
and numbers, so a build can never publish a sentence its own numbers
contradict. Anywhere else (a reader's notebook) a failed claim is printed
as failed on that run. At ``smoke`` (tiny data, where the numbers mean
little) the claim is evaluated and printed, never enforced. The caller
keeps the returned :class:`Claim`.

A chapter calls it through its run, ``run.claim(statement, holds,
values={...})`` (:meth:`tutorial_lib.bookkeeping.run.Run.claim`), which also records
the claim in the chapter's records folder; the book's build lists every
recorded claim on the report page.

:func:`differs` says whether two sets of repeated results (seeds) differ by
more than their scatter, before a chapter ranks one above the other.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from tutorial_lib.profile import PROFILES


class ClaimFailed(AssertionError):
    """A claim checked at profile ``full`` did not hold."""


@dataclass(frozen=True)
class Claim:
    """One checked claim: its words, whether it held, and the numbers behind it."""

    statement: str
    held: bool
    values: Mapping[str, float]

    def line(self, note: str = "") -> str:
        """``"claim held<note>: <statement> (name=value, ...)"`` (``FAILED`` if not)."""
        listed = ", ".join(f"{k}={v:.6g}" for k, v in self.values.items())
        verdict = "held" if self.held else "FAILED"
        return f"claim {verdict}{note}: {self.statement} ({listed})"


def _values(values) -> dict[str, float]:
    if not isinstance(values, Mapping):
        raise ValueError(
            f"values must be a dict of name -> number, got {type(values).__name__}"
        )
    out = {}
    for name, value in values.items():
        boolean = isinstance(value, (bool, np.bool_))
        real = isinstance(value, numbers.Real) and not boolean
        if not isinstance(name, str) or not real:
            raise ValueError(
                f"values must map names (str) to real numbers, got {name!r}: {value!r}"
            )
        out[name] = float(value)
    return out


def evaluate(
    statement: str, holds, *, values: Mapping[str, float], profile: str
) -> Claim:
    """The :class:`Claim` for these arguments, checked; nothing printed or raised.

    :func:`check` is this followed by :func:`enforce`;
    :meth:`Run.claim <tutorial_lib.bookkeeping.run.Run.claim>` records the claim in
    between, so that a claim which stops the chapter is on record first.

    Raises:
        ValueError: an argument that is not what :func:`check` describes.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError(
            f"statement must be a non-empty string, got {statement!r}"
        )
    if not isinstance(holds, (bool, np.bool_)):
        raise ValueError(
            f"holds must be a bool or a numpy bool, got {type(holds).__name__} "
            f"{holds!r}: reduce an array with all() or any() first"
        )
    if profile not in PROFILES:
        raise ValueError(
            f"profile must be one of {', '.join(PROFILES)}, got {profile!r}"
        )
    return Claim(statement, bool(holds), _values(values))


def enforce(claim: Claim, profile: str, *, strict: bool = True) -> Claim:
    """Raise :class:`ClaimFailed` for a failed ``claim`` at ``full`` when
    ``strict`` (the book's build); else print its line and return it.

    Outside the book's build (a reader's notebook, Colab) a failed claim is
    printed as failed *on this run*: the build checks it, on its own seeds,
    and would stop there.
    """
    if profile == "full" and not claim.held and strict:
        raise ClaimFailed(claim.line())
    note = ""
    if profile == "smoke":
        note = " (not enforced at smoke size)"
    elif not claim.held:
        note = (
            " on this run (the book's build checks this sentence and stops "
            "when it does not hold there)"
        )
    print(claim.line(note))
    return claim


def check(
    statement: str, holds, *, values: Mapping[str, float], profile: str
) -> Claim:
    """Check a claim: raise at ``full`` if it fails, print it at ``smoke``.

    Args:
        statement: the claim in words, as the chapter states it.
        holds: ``True``/``False`` (a Python or NumPy bool; an array is refused:
            reduce it with ``all()`` or ``any()`` first).
        values: the numbers the claim rests on, ``{name: value}``.
        profile: ``"full"`` (enforced) or ``"smoke"`` (printed only).

    Returns:
        The :class:`Claim`; it is also printed as one line.

    Raises:
        ClaimFailed: at ``full``, a claim that does not hold.
    """
    return enforce(
        evaluate(statement, holds, values=values, profile=profile), profile
    )


def _sample(name: str, values) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        message = f"{name} must be a sequence of numbers, got {values!r}"
        raise ValueError(message) from None
    if array.ndim != 1 or len(array) == 0 or not np.isfinite(array).all():
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence of finite numbers, got {values!r}"
        )
    return array


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

    def se(s: np.ndarray) -> float:
        return (
            float(np.std(s, ddof=1) / math.sqrt(len(s)))
            if len(s) > 1
            else 0.0
        )

    gap = abs(float(np.mean(x)) - float(np.mean(y)))
    return bool(gap > k * math.sqrt(se(x) ** 2 + se(y) ** 2))


def below(
    a: Sequence[float], b: Sequence[float], *, k: float = 2.0
) -> bool:
    """Whether ``a`` ends lower than ``b`` by more than their scatter:
    ``mean(a) < mean(b)`` and :func:`differs` ``(a, b, k=k)``.

    The rule for "A beats B" over seeds; ``not below(a, b) and not
    below(b, a)`` is "within the scatter".
    """
    return bool(np.mean(_sample("a", a)) < np.mean(_sample("b", b))) and (
        differs(a, b, k=k)
    )
