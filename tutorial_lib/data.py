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

from tutorial_lib.checks import finite_number, is_integer, positive_int


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    """``seed`` itself if it is a Generator, else a new one seeded with it."""
    if isinstance(seed, np.random.Generator):
        return seed
    if not is_integer(seed) or seed < 0:
        raise ValueError(
            f"seed must be a non-negative integer or a numpy Generator, got {seed!r}"
        )
    return np.random.default_rng(seed)


@dataclass(frozen=True)
class Pairs:
    """Noisy inputs and their clean targets, each ``(n, length)`` float32.

    Indexing selects rows and keeps the ``(n, length)`` shape: ``pairs[:10]``,
    ``pairs[[0, 5]]`` or a boolean mask give a :class:`Pairs`. A single integer
    is refused (it would drop the row axis): take ``pairs[i : i + 1]`` for a
    Pairs of one row, or ``pairs.noisy[i]`` for the ``(length,)`` array.
    """

    noisy: np.ndarray
    clean: np.ndarray

    def __post_init__(self):
        noisy, clean = np.shape(self.noisy), np.shape(self.clean)
        if len(noisy) != 2 or noisy != clean:
            raise ValueError(
                "noisy and clean must be 2-D arrays of the same shape (n, length), "
                f"got {noisy} and {clean}"
            )

    def __len__(self) -> int:
        return len(self.noisy)

    def __getitem__(self, index) -> "Pairs":
        if is_integer(index):
            raise TypeError(
                f"Pairs index must be a slice, a list of rows or a mask, got the "
                f"integer {index!r}: use pairs[{index}:{index + 1}] for a Pairs of "
                f"one row, or pairs.noisy[{index}] and pairs.clean[{index}]"
            )
        return Pairs(self.noisy[index], self.clean[index])

    def __repr__(self) -> str:
        return f"Pairs(n={len(self)}, length={self.noisy.shape[1]})"


# ---------------------------------------------------------------- 2018 task


def sine(t: np.ndarray, period: float = 60.0) -> np.ndarray:
    """``sin(2 pi t / period)``: the clean signal of the 2018 task, shape of ``t``."""
    period = finite_number("period", period, positive=True)
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
    n, length = positive_int("n", n), positive_int("length", length)
    finite_number("period", period, positive=True)
    # the uniform noise's half-width
    finite_number("noise", noise, minimum=0.0)
    max_offset = length if max_offset is None else max_offset
    if not is_integer(max_offset) or max_offset < 0:
        raise ValueError(
            f"max_offset must be a non-negative integer or None, got {max_offset!r}"
        )
    rng = _rng(seed)
    offsets = rng.integers(0, max_offset + 1, size=(n, 1))
    clean = sine(np.arange(length)[None, :] + offsets, period)
    noisy = clean + rng.uniform(-noise, noise, size=clean.shape)
    return Pairs(noisy.astype(np.float32), clean.astype(np.float32))


def split(data: Pairs, n_train: int | float) -> tuple[Pairs, Pairs]:
    """First ``n_train`` rows (or that fraction of them) to train, the rest to test.

    The 2018 post uses ``n_train=8000`` of 10,000; the 2024 post ``0.7``.
    A float is a fraction in (0, 1); an integer a count; anything else (a
    bool included) is refused.
    """
    n = len(data)
    if isinstance(n_train, (float, np.floating)):
        if not 0 < n_train < 1:
            raise ValueError(
                f"n_train as a float must be a fraction in (0, 1), got {n_train!r}"
            )
        count = int(round(n * n_train))
    elif is_integer(n_train):
        count = int(n_train)
    else:
        raise ValueError(
            "n_train must be a count (an integer) or a fraction (a float in (0, 1)), "
            f"got {n_train!r}"
        )
    if not 0 < count < n:
        raise ValueError(
            f"n_train={n_train!r} leaves an empty side for {n} sequences"
        )
    return data[:count], data[count:]


# ---------------------------------------------------------------- 2024 task


def two_tone_grid(
    length: int = 256, x_max: float = 4 * math.pi
) -> np.ndarray:
    """The sample points ``x``: ``(length,)`` evenly spaced points of ``[0, x_max]``."""
    length = positive_int("length", length)
    return np.linspace(
        0.0, finite_number("x_max", x_max, positive=True), length
    )


def two_tone(x: np.ndarray, f1, f2) -> np.ndarray:
    """``sin(f1 x) + cos(2 f2 x)``; ``f1``, ``f2`` scalars or ``(n, 1)`` columns."""
    return np.sin(np.asarray(f1) * x) + np.cos(2 * np.asarray(f2) * x)


def mix_noise(
    clean: np.ndarray, eps: np.ndarray, alpha: float
) -> np.ndarray:
    """``(1 - alpha) * clean + alpha * eps``: the 2024 post's corruption, float32."""
    if not 0.0 <= finite_number("noise level alpha", alpha) <= 1.0:
        raise ValueError(
            f"noise level alpha must lie in [0, 1], got {alpha!r}"
        )
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
        """The ``(n, length)`` noisy/clean pairs at noise level ``alpha``.

        Both arrays are new: writing to one level's pairs changes neither
        ``self`` nor any other level.
        """
        return Pairs(
            mix_noise(self.clean, self.eps, alpha), self.clean.copy()
        )

    def __len__(self) -> int:
        return len(self.clean)


def _freq_range(freq_range) -> tuple[float, float]:
    expected = "freq_range must be (low, high), finite numbers with 0 <= low < high"
    try:
        low, high = freq_range
        low, high = finite_number("low", low), finite_number("high", high)
    except (TypeError, ValueError):
        raise ValueError(f"{expected}, got {freq_range!r}") from None
    if not 0 <= low < high:
        raise ValueError(f"{expected}, got {freq_range!r}")
    return low, high


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
    n = positive_int("n", n)
    x = two_tone_grid(length, x_max)
    low, high = _freq_range(freq_range)
    rng = _rng(seed)
    freqs = rng.uniform(low, high, size=(n, 2))
    clean = two_tone(x[None, :], freqs[:, :1], freqs[:, 1:]).astype(
        np.float32
    )
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
    Returns a float32 array of the shape of ``targets``.
    """
    if (count is None) == (fraction is None):
        raise ValueError(
            f"give exactly one of count= or fraction=, got count={count!r}, "
            f"fraction={fraction!r}"
        )
    out = np.array(targets, dtype=np.float32, copy=True)
    if fraction is not None:
        if not 0.0 <= finite_number("fraction", fraction) <= 1.0:
            raise ValueError(
                f"fraction must lie in [0, 1], got {fraction!r}"
            )
        count = int(round(fraction * out.size))
    if not is_integer(count) or not 0 <= count <= out.size:
        raise ValueError(
            f"count must be an integer in [0, {out.size}], got {count!r}"
        )
    flat = _rng(seed).choice(out.size, size=int(count), replace=False)
    out.reshape(-1)[flat] = np.nan
    return out
