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
* :func:`two_tone_oracle` (2024 task): ``sin(f1 x) + cos(2 f2 x)`` fitted over
  ``(f1, f2)`` by a grid search, then Gauss-Newton refinement.

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
    finite_number,
    integer,
    non_negative_int,
    positive_int,
)
from tutorial_lib.data import sine, two_tone


def _as_batch(noisy, name: str = "noisy") -> np.ndarray:
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


def _period(period) -> float:
    return finite_number("period", period, positive=True)


def _window(window: int, length: int, *, odd: bool = False) -> int:
    # at most the sequence length
    integer("window", window, minimum=1, maximum=length)
    if odd and window % 2 == 0:
        raise ValueError(
            f"window must be odd for a centred filter, got {window}"
        )
    return int(window)


# ---------------------------------------------------------------- classical filters


def moving_average(noisy, window: int) -> np.ndarray:
    """Centred mean over ``window`` (odd) samples; the ends reflect the signal."""
    x = _as_batch(noisy)
    return ndimage.uniform_filter1d(
        x, _window(window, x.shape[1], odd=True), axis=1, mode="reflect"
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
    x = _as_batch(noisy)
    window = _window(window, x.shape[1], odd=True)
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
    x = _as_batch(noisy)
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
    x, y = _as_batch(noisy), _as_batch(clean, "clean")
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
    x = _as_batch(noisy)
    non_negative_int("max_offset", max_offset)
    period = _period(period)
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
    x = _as_batch(noisy)
    period = _period(period)
    t = np.arange(x.shape[1])
    # basis: (T, 2)
    basis = np.stack(
        [np.sin(2 * np.pi * t / period), np.cos(2 * np.pi * t / period)],
        axis=1,
    )
    coef, *_ = np.linalg.lstsq(basis, x.T, rcond=None)  # (2, n)
    return (basis @ coef).T


# ---------------------------------------------------------------- oracle, 2024 task


def _two_tone_parts(x: np.ndarray, f1: np.ndarray, f2: np.ndarray):
    """Signal and its derivatives in ``f1`` and ``f2``, each ``(n, T)``."""
    s, c = np.sin(f1[:, None] * x), np.cos(2 * f2[:, None] * x)
    return (
        s + c,
        x * np.cos(f1[:, None] * x),
        -2 * x * np.sin(2 * f2[:, None] * x),
    )


def two_tone_inputs(
    y: np.ndarray, x, freq_range
) -> tuple[np.ndarray, float, float]:
    """``x`` as float64 ``(T,)`` for ``(n, T)`` signals ``y``, and
    ``freq_range``'s ``(low, high)``, each checked with a clear error."""
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (y.shape[1],):
        raise ValueError(
            f"x must have shape (T,) = ({y.shape[1]},), got {x.shape}"
        )
    if not np.isfinite(x).all():
        bad = int((~np.isfinite(x)).sum())
        raise ValueError(
            f"x must be finite, got {bad} NaN or infinite value(s)"
        )
    pair = isinstance(freq_range, (tuple, list)) and len(freq_range) == 2
    low, high = (
        (
            finite_number(f"freq_range[{i}]", f)
            for i, f in enumerate(freq_range)
        )
        if pair
        else (None, None)
    )
    if not pair or not 0 <= low < high:
        raise ValueError(
            "freq_range must be (low, high) with 0 <= low < high, "
            f"got {freq_range!r}"
        )
    return x, low, high


def two_tone_oracle(
    noisy,
    x: np.ndarray,
    freq_range: tuple[float, float] = (0.5, 2.5),
    *,
    grid: int = 201,
    iterations: int = 20,
    return_freqs: bool = False,
):
    """Least-squares fit of ``g * (sin(f1 x) + cos(2 f2 x))``; returns the unit-gain signal.

    The gain ``g`` absorbs the task's ``1 - alpha`` shrinkage and is dropped
    from the answer, since the generator's clean signal has gain 1. Step 1:
    every ``(f1, f2)`` of a ``grid x grid`` lattice over ``freq_range`` is
    scored at once (the fit's projections separate in ``f1`` and ``f2``).
    Step 2: Gauss-Newton on ``(g, f1, f2)`` from the best lattice point,
    a step kept only where it lowers the residual.

    Args:
        noisy: ``(n, T)``; x: ``(T,)`` sample points.

    Returns:
        ``(n, T)`` fitted clean signals, and the ``(n, 2)`` frequencies when
        ``return_freqs``.
    """
    y = _as_batch(noisy)
    x, low, high = two_tone_inputs(y, x, freq_range)
    grid = integer("grid", grid, minimum=2)
    iterations = integer("iterations", iterations, minimum=0)
    lattice = np.linspace(low, high, grid)
    # sines, cosines: (G, T) each
    sines, cosines = (
        np.sin(lattice[:, None] * x),
        np.cos(2 * lattice[:, None] * x),
    )
    # norms: (G, G)
    norms = (
        (sines**2).sum(1)[:, None]
        + (cosines**2).sum(1)[None, :]
        + 2 * sines @ cosines.T
    )
    f1, f2 = np.empty(len(y)), np.empty(len(y))
    # chunks keep the (chunk, G, G) score table small
    for start in range(0, len(y), 256):
        chunk = y[start : start + 256]
        dots = (chunk @ sines.T)[:, :, None] + (chunk @ cosines.T)[
            :, None, :
        ]
        # energy explained with a positive gain (the generator's gain is 1 - alpha > 0)
        best = (
            (np.maximum(dots, 0) ** 2 / norms)
            .reshape(len(chunk), -1)
            .argmax(axis=1)
        )
        f1[start : start + 256], f2[start : start + 256] = (
            lattice[best // grid],
            lattice[best % grid],
        )

    def residual(g, a, b):
        return y - g[:, None] * _two_tone_parts(x, a, b)[0]

    base = _two_tone_parts(x, f1, f2)[0]
    gain = (y * base).sum(1) / (base * base).sum(1)
    sse = (residual(gain, f1, f2) ** 2).sum(1)
    for _ in range(iterations):
        f, d1, d2 = _two_tone_parts(x, f1, f2)
        # jac: (n, T, 3)
        jac = np.stack([f, gain[:, None] * d1, gain[:, None] * d2], axis=2)
        r = residual(gain, f1, f2)
        jtj = jac.transpose(0, 2, 1) @ jac + 1e-9 * np.eye(3)
        step = np.linalg.solve(
            jtj, (jac.transpose(0, 2, 1) @ r[:, :, None])
        )[..., 0]
        g_new, a_new, b_new = (
            gain + step[:, 0],
            f1 + step[:, 1],
            f2 + step[:, 2],
        )
        sse_new = (residual(g_new, a_new, b_new) ** 2).sum(1)
        better = sse_new < sse
        gain, f1, f2 = (
            np.where(better, g_new, gain),
            np.where(better, a_new, f1),
            np.where(better, b_new, f2),
        )
        sse = np.where(better, sse_new, sse)
    fitted = two_tone(x[None, :], f1[:, None], f2[:, None])
    return (fitted, np.stack([f1, f2], axis=1)) if return_freqs else fitted
