"""The least-squares fit of the 2024 task's two tones (its maximum-likelihood
estimate, not its limit: that is :func:`tutorial_lib.classical.oracles.two_tone_posterior_mean`).

:func:`two_tone_oracle` fits ``g * (sin(f1 x) + cos(2 f2 x))`` to each noisy
signal: a grid search over ``(f1, f2)`` (:func:`_grid_search`), then
Gauss-Newton on ``(g, f1, f2)`` (:func:`_gauss_newton`), and returns the
unit-gain signal of the fitted frequencies. Every array is ``(n, T)`` signals
over ``(T,)`` sample points ``x``.
"""

from __future__ import annotations

import numpy as np

from tutorial_lib.checks import finite_batch, finite_number, integer
from tutorial_lib.data import two_tone


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
    y = finite_batch(noisy)
    x, low, high = two_tone_inputs(y, x, freq_range)
    grid = integer("grid", grid, minimum=2)
    iterations = integer("iterations", iterations, minimum=0)
    f1, f2 = _grid_search(y, x, np.linspace(low, high, grid))
    f1, f2 = _gauss_newton(y, x, f1, f2, iterations)
    fitted = two_tone(x[None, :], f1[:, None], f2[:, None])
    return (fitted, np.stack([f1, f2], axis=1)) if return_freqs else fitted


def _grid_search(
    y: np.ndarray, x: np.ndarray, lattice: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Step 1: the ``(f1, f2)`` of the ``(G, G)`` lattice whose signal,
    with the best positive gain, explains most of each ``y`` ``(n, T)``;
    two ``(n,)`` arrays."""
    grid = len(lattice)
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
    return f1, f2


def _gauss_newton(
    y: np.ndarray,
    x: np.ndarray,
    f1: np.ndarray,
    f2: np.ndarray,
    iterations: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Step 2: ``iterations`` Gauss-Newton steps on ``(g, f1, f2)`` from
    ``(f1, f2)`` ``(n,)`` each (the gain starts at its least-squares value),
    a step kept only where it lowers the residual."""

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
    return f1, f2
