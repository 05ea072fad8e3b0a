"""The two tasks' data, generated from a seed.

* 2018 task: sines of period 60 at a random integer offset, plus uniform
  noise in [-0.35, 0.35]; 10,000 sequences of 100 samples, 8,000 train.
* 2024 task: ``f(x) = sin(f1 x) + cos(2 f2 x)`` with ``f1, f2 ~ U(0.5, 2.5)``
  on 256 points of [0, 4 pi], corrupted as ``g = (1 - alpha) f + alpha eps``
  with ``eps ~ N(0, 1)``; the same base signals at every ``alpha``; 70/30 split.

Arrays are NumPy ``float32`` of shape ``(n, length)``: one row per sequence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _positive_int(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Pairs:
    """Noisy inputs and their clean targets, each ``(n, length)`` float32."""

    noisy: np.ndarray
    clean: np.ndarray

    def __len__(self) -> int:
        return len(self.noisy)

    def __getitem__(self, index) -> "Pairs":
        return Pairs(self.noisy[index], self.clean[index])

    def __repr__(self) -> str:
        return f"Pairs(n={len(self)}, length={self.noisy.shape[1]})"


# ---------------------------------------------------------------- 2018 task

def sine(t: np.ndarray, period: float = 60.0) -> np.ndarray:
    """``sin(2 pi t / period)``: the clean signal of the 2018 task."""
    return np.sin(2 * np.pi * np.asarray(t, dtype=np.float64) / period)


def sine_dataset(
    n: int,
    length: int = 100,
    *,
    period: float = 60.0,
    noise: float = 0.35,
    max_offset: int | None = None,
    seed: int | np.random.Generator = 0,
) -> Pairs:
    """``n`` noisy/clean sines as in the 2018 post.

    Each row is ``sine(arange(length) + offset)`` with an integer offset drawn
    uniformly from ``0 .. max_offset`` inclusive (the post: ``0 .. length``),
    plus noise drawn uniformly from ``[-noise, noise]``.

    Returns:
        :class:`Pairs` of shape ``(n, length)``.
    """
    n, length = _positive_int("n", n), _positive_int("length", length)
    if noise < 0:
        raise ValueError(f"noise must be >= 0 (half-width of the uniform noise), got {noise}")
    max_offset = length if max_offset is None else max_offset
    rng = _rng(seed)
    offsets = rng.integers(0, max_offset + 1, size=(n, 1))
    clean = sine(np.arange(length)[None, :] + offsets, period)
    noisy = clean + rng.uniform(-noise, noise, size=clean.shape)
    return Pairs(noisy.astype(np.float32), clean.astype(np.float32))


def split(data: Pairs, n_train: int | float) -> tuple[Pairs, Pairs]:
    """First ``n_train`` rows (or that fraction of them) to train, the rest to test.

    The 2018 post uses ``n_train=8000`` of 10,000; the 2024 post ``0.7``.
    """
    n = len(data)
    count = int(round(n * n_train)) if isinstance(n_train, float) else int(n_train)
    if not 0 < count < n:
        raise ValueError(f"n_train={n_train!r} leaves an empty side for {n} sequences")
    return data[:count], data[count:]


# ---------------------------------------------------------------- 2024 task

def two_tone_grid(length: int = 256, x_max: float = 4 * math.pi) -> np.ndarray:
    """The sample points ``x``: ``length`` evenly spaced points of ``[0, x_max]``."""
    return np.linspace(0.0, x_max, _positive_int("length", length))


def two_tone(x: np.ndarray, f1, f2) -> np.ndarray:
    """``sin(f1 x) + cos(2 f2 x)``; ``f1``, ``f2`` scalars or ``(n, 1)`` columns."""
    return np.sin(np.asarray(f1) * x) + np.cos(2 * np.asarray(f2) * x)


def mix_noise(clean: np.ndarray, eps: np.ndarray, alpha: float) -> np.ndarray:
    """``(1 - alpha) * clean + alpha * eps``: the 2024 post's corruption."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"noise level alpha must lie in [0, 1], got {alpha}")
    return ((1.0 - alpha) * clean + alpha * eps).astype(np.float32)


@dataclass(frozen=True)
class TwoToneData:
    """Base signals and their corrupted versions at several noise levels.

    Attributes:
        x: ``(length,)`` sample points.
        freqs: ``(n, 2)`` the ``(f1, f2)`` of every signal.
        clean: ``(n, length)`` base signals, shared by every noise level.
        eps: ``(n, length)`` the standard-normal draw, shared by every level.
    """

    x: np.ndarray
    freqs: np.ndarray
    clean: np.ndarray
    eps: np.ndarray

    def at(self, alpha: float) -> Pairs:
        """The noisy/clean pairs at noise level ``alpha``."""
        return Pairs(mix_noise(self.clean, self.eps, alpha), self.clean)

    def __len__(self) -> int:
        return len(self.clean)


def two_tone_dataset(
    n: int,
    length: int = 256,
    *,
    x_max: float = 4 * math.pi,
    freq_range: tuple[float, float] = (0.5, 2.5),
    seed: int | np.random.Generator = 0,
) -> TwoToneData:
    """``n`` random two-tone signals as in the 2024 post, with one noise draw.

    The same noise draw ``eps`` serves every ``alpha`` (``data.at(alpha)``),
    so the levels differ only in how much of it is mixed in.
    """
    n = _positive_int("n", n)
    low, high = freq_range
    if not 0 <= low < high:
        raise ValueError(f"freq_range must be (low, high) with 0 <= low < high, got {freq_range}")
    rng = _rng(seed)
    x = two_tone_grid(length, x_max)
    freqs = rng.uniform(low, high, size=(n, 2))
    clean = two_tone(x[None, :], freqs[:, :1], freqs[:, 1:]).astype(np.float32)
    eps = rng.standard_normal(size=clean.shape).astype(np.float32)
    return TwoToneData(x=x, freqs=freqs, clean=clean, eps=eps)


# ---------------------------------------------------------------- missing targets

def hide_targets(
    targets: np.ndarray,
    *,
    count: int | None = None,
    fraction: float | None = None,
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """A copy of ``targets`` with ``count`` entries (or ``fraction`` of them) set to NaN.

    The hidden entries are distinct and drawn uniformly over the whole array.
    """
    if (count is None) == (fraction is None):
        raise ValueError("give exactly one of count= or fraction=")
    out = np.array(targets, dtype=np.float32, copy=True)
    if fraction is not None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"fraction must lie in [0, 1], got {fraction}")
        count = int(round(fraction * out.size))
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 0 <= count <= out.size:
        raise ValueError(f"count must be an integer in [0, {out.size}], got {count!r}")
    flat = _rng(seed).choice(out.size, size=int(count), replace=False)
    out.reshape(-1)[flat] = np.nan
    return out
