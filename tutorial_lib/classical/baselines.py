"""What a signal-processing engineer would try first, and the best possible.

Classical filters (no training, one knob each):

* :func:`moving_average`, :func:`savgol` (Savitzky-Golay), :func:`lowpass`
  (zero-phase Butterworth); their knob is chosen with :func:`choose_parameter`
  on the data it is given, which must be the training split.

Oracles, which cheat on purpose by knowing how the data were generated:

* :func:`offset_oracle` (2018 task): the period is known and only the integer
  offset is random, so try every offset and keep the best least-squares fit.
* :func:`lsq_sine` (2018 task): a sinusoid of known period, amplitude and
  phase free (linear least squares).

The 2024 task's least-squares fit is :mod:`tutorial_lib.classical.two_tone_fit`.

Every function takes ``(n, T)`` noisy sequences and returns ``(n, T)``.
Every one refuses data with a NaN or an infinite value (the error names the
argument and the first such entry): a filter would spread it, and a score
computed with it would be NaN and pick a wrong knob.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy import ndimage, signal

from tutorial_lib.checks import (
    finite_batch,
    finite_number,
    non_negative_int,
    positive_int,
    window_size,
)
from tutorial_lib.data import sine

# ---------------------------------------------------------------- classical filters


def moving_average(noisy, window: int) -> np.ndarray:
    """Centred mean over ``window`` (odd) samples; the ends reflect the signal."""
    x = finite_batch(noisy)
    return ndimage.uniform_filter1d(
        x, window_size(window, x.shape[1], odd=True), axis=1, mode="reflect"
    )


SAVGOL_MATRIX_MAX = 1024
"""Longest sequence :func:`savgol` filters with a ``(T, T)`` matrix (8 MB)."""


def savgol(noisy, window: int, polyorder: int = 3) -> np.ndarray:
    """Savitzky-Golay: a polynomial of ``polyorder`` fitted in every ``window`` (odd) samples.

    ``(n, T) -> (n, T)``. Up to ``T = SAVGOL_MATRIX_MAX`` (the book's
    sequences: 100 and 256 samples) the filter's ``(T, T)`` matrix is built
    once and one product filters every row; longer sequences go through
    scipy directly, equal up to rounding, in memory that grows with ``T``
    rather than ``T ** 2``.
    """
    x = finite_batch(noisy)
    window = window_size(window, x.shape[1], odd=True)
    if not 0 <= polyorder < window:
        raise ValueError(
            f"polyorder must lie in [0, window), got {polyorder} for window {window}"
        )
    if x.shape[1] > SAVGOL_MATRIX_MAX:
        return signal.savgol_filter(
            x, window, polyorder, axis=1, mode="interp"
        )
    # The filter is linear: build its (T, T) matrix once from the identity, then
    # one product filters every row (scipy's edge fitting is slow row by row).
    matrix = signal.savgol_filter(
        np.eye(x.shape[1]), window, polyorder, axis=0, mode="interp"
    )
    return x @ matrix.T


def lowpass(noisy, cutoff: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth low-pass; ``cutoff`` in cycles per sample, in (0, 0.5)."""
    x = finite_batch(noisy)
    order = positive_int("order", order)
    if not 0 < cutoff < 0.5:
        raise ValueError(
            f"cutoff must lie in (0, 0.5) cycles per sample (0.5 is Nyquist), got {cutoff}"
        )
    sos = signal.butter(order, cutoff, fs=1.0, output="sos")
    return signal.sosfiltfilt(sos, x, axis=1, padtype="even")


@dataclass(frozen=True)
class Choice:
    """The knob a filter was given and the gain applied after it.

    Attributes:
        value: the chosen parameter (window, cutoff).
        gain: least-squares output scale (1.0 unless fitted).
        scores: ``{candidate: loss}`` on the data the choice was made on.
    """

    value: float
    gain: float
    scores: dict

    def apply(self, filter_fn: Callable, noisy) -> np.ndarray:
        """``gain * filter_fn(noisy, value)``, ``(n, T) -> (n, T)``."""
        return self.gain * filter_fn(noisy, self.value)


LOSS_FNS = {
    "l1": lambda a, b: float(np.mean(np.abs(a - b))),
    "mse": lambda a, b: float(np.mean((a - b) ** 2)),
}


def choose_parameter(
    filter_fn: Callable,
    candidates: Sequence,
    noisy,
    clean,
    *,
    loss: str = "l1",
    fit_gain: bool = False,
) -> Choice:
    """The candidate knob (and optionally output gain) with the lowest ``loss`` on ``(noisy, clean)``.

    Only the data passed in are looked at: pass the training split, never the
    test split. ``fit_gain`` also fits one scale factor by least squares on
    the same data (the 2024 task shrinks the signal by ``1 - alpha``).
    ``noisy`` and ``clean`` are ``(n, T)`` and must be finite (a NaN would
    make every score NaN); a candidate whose loss is not finite is an error.
    """
    x, y = finite_batch(noisy), finite_batch(clean, "clean")
    if x.shape != y.shape:
        raise ValueError(
            f"noisy {x.shape} and clean {y.shape} must have the same shape"
        )
    if loss not in LOSS_FNS:
        raise ValueError(
            f"unknown loss {loss!r}; expected one of {', '.join(LOSS_FNS)}"
        )
    if len(candidates) == 0:
        raise ValueError(
            "candidates is empty; give at least one parameter value to try"
        )
    if fit_gain and not x.any():
        raise ValueError(
            "noisy is all zeros, so fit_gain=True has no gain to fit; "
            "expected some non-zero input (or fit_gain=False)"
        )
    scores, gains = {}, {}
    for value in candidates:
        out = filter_fn(x, value)
        gains[value] = 1.0
        if fit_gain and not out.any():
            raise ValueError(
                f"candidate {value!r} filters noisy to all zeros, so "
                "fit_gain=True has no gain to fit; expected some non-zero "
                "output: drop it from candidates"
            )
        if fit_gain:
            # checked below
            with np.errstate(invalid="ignore", divide="ignore"):
                gains[value] = float(np.sum(out * y) / np.sum(out * out))
        scores[value] = LOSS_FNS[loss](gains[value] * out, y)
        if not np.isfinite(scores[value]):
            raise ValueError(
                f"candidate {value!r} scores {scores[value]} (gain {gains[value]}): "
                "every candidate must give a finite loss; drop it from candidates"
            )
    best = min(scores, key=scores.get)
    return Choice(value=best, gain=gains[best], scores=scores)


# ---------------------------------------------------------------- oracles, 2018 task


def offset_oracle(
    noisy, period: float = 60.0, max_offset: int = 100
) -> np.ndarray:
    """The sine ``sin(2 pi (t + k) / period)`` with the integer ``k`` in ``0..max_offset`` that fits best."""
    x = finite_batch(noisy)
    non_negative_int("max_offset", max_offset)
    period = finite_number("period", period, positive=True)
    # templates: (K, T)
    templates = sine(
        np.arange(x.shape[1])[None, :] + np.arange(max_offset + 1)[:, None],
        period,
    )
    # ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2; the first term is the same for every k
    # cost: (n, K)
    cost = (templates**2).sum(axis=1)[None, :] - 2 * x @ templates.T
    return templates[cost.argmin(axis=1)]


def lsq_sine(noisy, period: float = 60.0) -> np.ndarray:
    """Least-squares ``a sin(w t) + b cos(w t)``, ``w = 2 pi / period``: amplitude and phase free."""
    x = finite_batch(noisy)
    period = finite_number("period", period, positive=True)
    t = np.arange(x.shape[1])
    # basis: (T, 2)
    basis = np.stack(
        [np.sin(2 * np.pi * t / period), np.cos(2 * np.pi * t / period)],
        axis=1,
    )
    coef, *_ = np.linalg.lstsq(basis, x.T, rcond=None)  # (2, n)
    return (basis @ coef).T
