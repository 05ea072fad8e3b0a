"""The true limits of the book's two tasks: the best any method can do.

Task 1 (2018): match the noise's support, not its variance.

The 2018 generator adds noise drawn uniformly from ``[-noise, noise]``
(``noise = 0.35``). The likelihood of a candidate clean sine is then flat
inside that band and zero outside it: every candidate within ``noise`` of
*all* samples is equally likely, every other one is impossible. The
least-squares :func:`tutorial_lib.classical.baselines.offset_oracle` is the optimum
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

Task 2 (2024): :func:`two_tone_posterior_mean`. The generator's prior is
known exactly (``f1``, ``f2`` uniform on ``[0.5, 2.5]``, gain ``1 - alpha``,
Gaussian noise of standard deviation ``alpha``), so the estimate with the
lowest expected squared error is the mean of the clean signal under the
posterior over ``(f1, f2)``: no method scores lower on average.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from tutorial_lib.checks import (
    finite_batch,
    finite_number,
    integer,
    non_negative_int,
)
from tutorial_lib.classical.two_tone_fit import two_tone_inputs
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
    return sine(t, finite_number("period", period, positive=True))


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
            :func:`tutorial_lib.classical.baselines.offset_oracle`.
        noise: the half-width of the uniform noise (the 2018 task: 0.35);
            it only decides ``consistent``, never the choice.
        tol: slack on ``noise`` for rounding (the data are float32).
        return_match: also return the :class:`SupportMatch`.

    Returns:
        ``(n, T)`` float64 estimates, and the :class:`SupportMatch` when
        ``return_match``.
    """
    x = finite_batch(noisy)
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


def _templates(f1, f2, x):
    """Sines ``(len(f1), T)``, cosines ``(len(f2), T)`` and the squared
    norm of every sum ``sin(f1 x) + cos(2 f2 x)``, ``(len(f1), len(f2))``:
    the terms in ``f1`` and ``f2`` separate but for the cross term."""
    sines, cosines = np.sin(f1[:, None] * x), np.cos(2 * f2[:, None] * x)
    norm = (
        (sines**2).sum(1)[:, None]
        + (cosines**2).sum(1)[None, :]
        + 2 * sines @ cosines.T
    )
    return sines, cosines, norm


def _log_weights(y, sines, cosines, norm, alpha):
    """Log-posterior (up to a constant) of every pair of the templates for
    one signal ``y`` ``(T,)``: ``-|y - g s|^2 / (2 alpha^2)``, with
    ``g = 1 - alpha``; ``(len(sines), len(cosines))``."""
    g = 1.0 - alpha
    fit = (sines @ y)[:, None] + (cosines @ y)[None, :]
    return (g * fit - 0.5 * g * g * norm) / alpha**2


def _refined_mean(y, coarse, lattice, x, alpha, subdivide, within):
    """The posterior mean of one signal ``y`` ``(T,)`` from its coarse
    log-weights ``(G, G)``: every lattice cell within ``within`` nats of the
    best, and its neighbours, split into ``subdivide`` x ``subdivide``
    cells; the weights of all of them, outside the prior's range zero."""
    keep = coarse >= coarse.max() - within
    padded = np.pad(keep, 1)
    near = np.zeros_like(keep)
    for di in (0, 1, 2):
        for dj in (0, 1, 2):
            near |= padded[di : di + len(keep), dj : dj + len(keep)]
    step = lattice[1] - lattice[0]
    parts = (np.arange(subdivide) + 0.5) / subdivide - 0.5
    rows = []
    for i in np.unique(np.nonzero(near)[0]):
        f1 = lattice[i] + parts * step
        f2 = (lattice[near[i]][:, None] + parts * step).ravel()
        sines, cosines, norm = _templates(f1, f2, x)
        logw = _log_weights(y, sines, cosines, norm, alpha)
        inside = (f1 >= lattice[0]) & (f1 <= lattice[-1])
        inside = inside[:, None] & (
            (f2 >= lattice[0]) & (f2 <= lattice[-1])
        )
        rows.append((np.where(inside, logw, -np.inf), sines, cosines))
    peak = max(logw.max() for logw, _, _ in rows)
    total, mean = 0.0, np.zeros_like(y)
    for logw, sines, cosines in rows:
        w = np.exp(logw - peak)
        total += w.sum()
        mean += w.sum(1) @ sines + w.sum(0) @ cosines
    return mean / total


def two_tone_posterior_mean(
    noisy,
    x,
    alpha: float,
    freq_range: tuple[float, float] = (0.5, 2.5),
    *,
    grid: int = 401,
    subdivide: int = 8,
    within: float = 40.0,
) -> np.ndarray:
    """The Bayes (lowest mean squared error) estimate of each clean signal.

    For ``noisy = (1 - alpha) * (sin(f1 x) + cos(2 f2 x)) + alpha * eps``,
    ``eps`` standard normal and ``f1``, ``f2`` uniform on ``freq_range``:
    the posterior mean of ``sin(f1 x) + cos(2 f2 x)``. Step 1 scores a
    ``grid`` x ``grid`` lattice of ``(f1, f2)``; step 2 splits the cells
    that hold the posterior's mass (within ``within`` nats of the best, and
    their neighbours) ``subdivide`` times along each axis and averages the
    templates with their posterior weights. A finer lattice changes the
    defaults' estimate by less than a millionth of its squared error
    (``tests/test_oracles.py``).

    Args:
        noisy: ``(n, T)``; x: ``(T,)`` sample points; alpha: in ``(0, 1)``.

    Returns:
        ``(n, T)`` float64 posterior means.
    """
    y = finite_batch(noisy)
    x, low, high = two_tone_inputs(y, x, freq_range)
    alpha = finite_number("noise level alpha", alpha)
    if not 0 < alpha < 1:
        raise ValueError(
            f"noise level alpha must lie in (0, 1) for a posterior, got "
            f"{alpha!r}"
        )
    grid = integer("grid", grid, minimum=3)
    subdivide = integer("subdivide", subdivide, minimum=1)
    within = finite_number("within", within, positive=True)
    lattice = np.linspace(low, high, grid)
    # the lattice's terms shared by every signal: (G, T), (G, T), (G, G)
    sines, cosines, norm = _templates(lattice, lattice, x)
    out = np.empty_like(y)
    for row, signal in enumerate(y):
        coarse = _log_weights(signal, sines, cosines, norm, alpha)
        out[row] = _refined_mean(
            signal, coarse, lattice, x, alpha, subdivide, within
        )
    return out
