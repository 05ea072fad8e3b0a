"""Claims as code: a chapter's sentence checked against the numbers it rests on.

A chapter that writes "the Wiener filter beats every smoothing filter"
states it with :func:`check` next to the numbers::

    claim = check("the Wiener filter beats the low-pass at every alpha",
                  less(wiener, lowpass),   # element by element: a Verdict
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

:mod:`tutorial_lib.bookkeeping.verdicts` writes ``holds`` as a
:class:`~tutorial_lib.bookkeeping.verdicts.Verdict` (``below(a, b)`` over
seeds, ``less(x, y)``, ``fact(b)``, combined with ``&``): the claim then
keeps its *margin*, how far it is from failing, beside its numbers.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from tutorial_lib.bookkeeping.verdicts import Verdict
from tutorial_lib.profile import PROFILES


class ClaimFailed(AssertionError):
    """A claim checked at profile ``full`` did not hold."""


@dataclass(frozen=True)
class Claim:
    """One checked claim: its words, whether it held, the numbers behind it,
    and its margin (a :class:`~tutorial_lib.bookkeeping.verdicts.Verdict`'s;
    ``inf`` for exact facts, ``None`` when ``holds`` was a plain bool)."""

    statement: str
    held: bool
    values: Mapping[str, float]
    margin: float | None = None

    def line(self, note: str = "") -> str:
        """``"claim held<note>: <statement> (name=value, ...; margin 12.3%)"``
        (``FAILED`` if not)."""
        listed = ", ".join(f"{k}={v:.6g}" for k, v in self.values.items())
        if self.margin is not None and math.isfinite(self.margin):
            listed += f"; margin {self.margin:.1%}"
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
    if not isinstance(holds, (bool, np.bool_, Verdict)):
        raise ValueError(
            f"holds must be a Verdict, a bool or a numpy bool, got "
            f"{type(holds).__name__} {holds!r}: reduce an array with all() "
            "or any() first"
        )
    if profile not in PROFILES:
        raise ValueError(
            f"profile must be one of {', '.join(PROFILES)}, got {profile!r}"
        )
    margin = holds.margin if isinstance(holds, Verdict) else None
    return Claim(statement, bool(holds), _values(values), margin)


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
        holds: a :class:`~tutorial_lib.bookkeeping.verdicts.Verdict` (its
            margin is kept), or ``True``/``False`` (a Python or NumPy bool; an
            array is refused: reduce it with ``all()`` or ``any()`` first).
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
