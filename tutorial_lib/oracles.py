"""The true limit of the 2018 task: match the noise's support, not its variance.

The 2018 generator adds noise drawn uniformly from ``[-noise, noise]``
(``noise = 0.35``). The likelihood of a candidate clean sine is then flat
inside that band and zero outside it: every candidate within ``noise`` of
*all* samples is equally likely, every other one is impossible. The
least-squares :func:`tutorial_lib.baselines.offset_oracle` is the optimum
for Gaussian noise and can pick an impossible candidate; the minimax
(L-infinity) matcher here picks one of the possible ones whenever there is
one.

:func:`minimax_offset_oracle` tries every integer offset ``k`` in
``0 .. max_offset`` of ``sin(2 pi (t + k) / period)`` and keeps, for every
sequence, the candidate with the smallest largest deviation
``max_t |noisy_t - candidate_t|``. The true candidate deviates by at most
``noise``, so the chosen one does too; when no other candidate is within
the band, the choice is the true signal exactly. When several distinct sines
are within it, all are equally likely and the one deviating least is kept:
``consistent`` then says the choice is possible, not that it is unique.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from tutorial_lib.baselines import _as_batch, _period
from tutorial_lib.checks import non_negative_int
from tutorial_lib.data import sine

_CELLS = 2**21  # entries of the (rows, K, T) table scored at once: 16 MB
_TIE = 1e-12  # deviations closer than this are equal (rounding of sin)


@dataclass(frozen=True)
class SupportMatch:
    """What :func:`minimax_offset_oracle` chose for each of ``n`` sequences.

    Attributes:
        estimate: ``(n, T)`` the chosen clean sines.
        offsets: ``(n,)`` int, the chosen offsets ``k``: the smallest of
            candidates within ``1e-12`` of the lowest deviation (``k`` and
            ``k + period`` give the same sine).
        max_error: ``(n,)`` ``max_t |noisy_t - estimate_t|``.
        consistent: ``(n,)`` bool, ``max_error <= noise + tol``: the chosen
            sine could have produced the sequence under the noise bound.
    """

    estimate: np.ndarray
    offsets: np.ndarray
    max_error: np.ndarray
    consistent: np.ndarray


def _bound(name: str, value) -> float:
    real = isinstance(value, numbers.Real) and not isinstance(
        value, (bool, np.bool_)
    )
    if not real or not np.isfinite(value) or value < 0:
        raise ValueError(
            f"{name} must be a non-negative finite number, got {value!r}"
        )
    return float(value)


def offset_templates(
    length: int, period: float, max_offset: int
) -> np.ndarray:
    """Every candidate ``sin(2 pi (t + k) / period)``, ``k = 0 .. max_offset``.

    Returns:
        ``(max_offset + 1, length)`` float64, row ``k`` for offset ``k``.
    """
    non_negative_int("max_offset", max_offset)
    t = np.arange(length)[None, :] + np.arange(max_offset + 1)[:, None]
    return sine(t, _period(period))


def minimax_offset_oracle(
    noisy,
    period: float = 60.0,
    max_offset: int = 100,
    *,
    noise: float = 0.35,
    tol: float = 1e-6,
    return_match: bool = False,
):
    """The candidate sine with the smallest largest deviation from each sequence.

    Args:
        noisy: ``(n, T)`` noisy sequences (finite).
        period, max_offset: the candidates, as in
            :func:`tutorial_lib.baselines.offset_oracle`.
        noise: the half-width of the uniform noise (the 2018 task: 0.35);
            it only decides ``consistent``, never the choice.
        tol: slack on ``noise`` for rounding (the data are float32).
        return_match: also return the :class:`SupportMatch`.

    Returns:
        ``(n, T)`` float64 estimates, and the :class:`SupportMatch` when
        ``return_match``.
    """
    x = _as_batch(noisy)
    noise, tol = _bound("noise", noise), _bound("tol", tol)
    templates = offset_templates(x.shape[1], period, max_offset)  # (K, T)
    offsets = np.empty(len(x), dtype=np.int64)
    max_error = np.empty(len(x))
    rows = max(1, _CELLS // templates.size)  # memory bounded whatever T is
    for start in range(0, len(x), rows):
        chunk = x[start : start + rows, None, :]  # (c, 1, T)
        cost = np.abs(chunk - templates[None]).max(axis=2)  # (c, K)
        lowest = cost.min(axis=1, keepdims=True)
        # the first offset within rounding of the lowest: k, k + period tie
        offsets[start : start + rows] = np.argmax(
            cost <= lowest + _TIE, axis=1
        )
        max_error[start : start + rows] = lowest[:, 0]
    estimate = templates[offsets]
    if not return_match:
        return estimate
    match = SupportMatch(
        estimate, offsets, max_error, max_error <= noise + tol
    )
    return estimate, match
