"""Singular-spectrum analysis: the subspace denoiser for sums of sinusoids.

A sum of ``r / 2`` real sinusoids, written into the trajectory (Hankel)
matrix of its lagged windows,

    H[i, j] = x[i + j]   (window rows i < L, columns j < T - L + 1),

has rank ``r``: every window is a combination of the same ``r`` complex
exponentials. White noise spreads over every singular direction instead.
So :func:`ssa` keeps the ``rank`` largest singular components of each
sequence's ``H`` and averages each anti-diagonal ``i + j = t`` of the
result back into sample ``t``. Repeating that (``iterations`` > 1) is
Cadzow's method, which alternates between the rank-``r`` matrices and the
Hankel ones. For Part II's two tones, ``rank=4``: the model knows only "two
real tones", not their frequencies.
"""

from __future__ import annotations

import numpy as np
import torch

from tutorial_lib.checks import finite_batch, integer, window_size


def _lags(window: int, length: int) -> np.ndarray:
    """``(window, length - window + 1)`` indices ``i + j`` of the Hankel matrix."""
    return np.arange(window)[:, None] + np.arange(length - window + 1)


def _low_rank(h: torch.Tensor, rank: int) -> torch.Tensor:
    """``(n, L, K)`` -> the ``rank`` largest singular components of each
    matrix: ``U U^T h`` with ``U`` the top ``rank`` eigenvectors of the
    ``(L, L)`` Gram matrix ``h h^T`` (the left singular vectors; cheaper
    than an SVD of ``h`` when ``L <= K``). Batched in torch, float64."""
    _, vectors = torch.linalg.eigh(h @ h.transpose(1, 2))
    u = vectors[:, :, -rank:]  # eigh sorts ascending: the largest last
    return u @ (u.transpose(1, 2) @ h)


def _unhankel(h: torch.Tensor, length: int) -> torch.Tensor:
    """``(n, L, K)`` -> ``(n, T)``: the mean of each anti-diagonal ``i + j = t``."""
    n, rows, cols = h.shape
    sums = torch.zeros(n, length, dtype=h.dtype)
    counts = torch.zeros(length, dtype=h.dtype)
    for i in range(rows):  # row i holds samples i .. i + K - 1
        sums[:, i : i + cols] += h[:, i, :]
        counts[i : i + cols] += 1
    return sums / counts


def ssa(
    noisy, window: int, rank: int = 4, iterations: int = 1
) -> np.ndarray:
    """Denoise each sequence by its rank-``rank`` trajectory matrix.

    Args:
        noisy: ``(n, T)`` finite sequences.
        window: ``L``, the rows of the trajectory matrix, ``rank <= L <= (T
            + 1) / 2`` (``T / 4`` to ``T / 2`` is usual).
        rank: singular components kept: 2 per real sinusoid.
        iterations: 1 for SSA, more for Cadzow's alternating projections.

    Returns:
        ``(n, T)`` float64.
    """
    x = finite_batch(noisy)
    length = x.shape[1]
    rank = integer("rank", rank, minimum=1, maximum=length)
    window = window_size(window, length)
    widest = (length + 1) // 2  # L <= K: the Gram matrix is the smaller
    if not rank <= window <= widest:
        raise ValueError(
            f"window must lie in [rank, (T + 1) // 2] = [{rank}, {widest}] "
            f"(at least the {rank} components kept, at most half the "
            f"sequence), got {window}"
        )
    iterations = integer("iterations", iterations, minimum=1)
    lags = torch.from_numpy(_lags(window, length))
    out = torch.from_numpy(x)
    for _ in range(iterations):
        out = _unhankel(_low_rank(out[:, lags], rank), length)
    return out.numpy()
