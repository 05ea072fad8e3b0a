"""Where and how a chapter runs: device, seeds, profile, and its run stamp.

Every chapter starts with ``run = tutorial_lib.start()``. That one call
reads the profile, picks the device, seeds torch, NumPy and Python's
``random``, and prints all three, so the page says what produced it. The
returned :class:`Run` is passed around explicitly; nothing here is global.
"""

from __future__ import annotations

import platform
import random
import time
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import torch

from tutorial_lib.profile import by_profile, current_profile
from tutorial_lib.results import record as _record

BOOK_SEED = 0
"""The book's one seed, fixed before any result was looked at."""

T = TypeVar("T")


def choose_device(device: str | torch.device | None = "auto") -> torch.device:
    """Return ``device``, or for ``"auto"``/``None`` the best available one.

    The order is CUDA, then Apple's MPS, then the CPU.

    Raises:
        ValueError: an explicit device that this machine does not have.
    """
    if device is None or device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        chosen = torch.device(device)
    except RuntimeError as err:
        raise ValueError(f"unknown device {device!r}; expected 'auto', 'cpu', 'cuda' or 'mps'") from err
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} was asked for, but CUDA is not available here; use 'auto' or 'cpu'")
    if chosen.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError(f"device {device!r} was asked for, but MPS is not available here; use 'auto' or 'cpu'")
    return chosen


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (all devices)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed))
    torch.manual_seed(int(seed))


def versions() -> dict[str, str]:
    """Versions of the packages that decide a chapter's numbers."""
    import matplotlib
    import scipy

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "matplotlib": matplotlib.__version__,
    }


def device_name(device: torch.device) -> str:
    """A readable name: ``cpu (2 threads)``, ``cuda (NVIDIA H100 ...)``."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads, {platform.machine()})"
    return device.type


@dataclass
class Run:
    """What one chapter runs with. Made by :func:`start`; pass it on explicitly."""

    profile: str
    device: torch.device
    seed: int
    started: float = field(default_factory=time.perf_counter)

    def size(self, *, full: T, smoke: T) -> T:
        """The value for this run's profile: ``run.size(full=10_000, smoke=300)``."""
        return by_profile(self.profile, full=full, smoke=smoke)

    @property
    def elapsed(self) -> float:
        """Seconds since :func:`start`."""
        return time.perf_counter() - self.started

    def record(self, id: str, value: float, reference: float | None = None, *, seconds: float | None = None) -> dict:
        """Save a headline number (see :func:`tutorial_lib.results.record`).

        ``seconds`` is what producing the number cost (a training time, say);
        it defaults to the time since :func:`start`.
        """
        return _record(
            id,
            value,
            reference,
            profile=self.profile,
            device=self.device.type,
            seconds=self.elapsed if seconds is None else seconds,
        )

    def stamp(self) -> str:
        """Print and return the line that ends every chapter: what produced the page."""
        v = versions()
        line = (
            f"Executed with profile={self.profile}, device={device_name(self.device)}, seed={self.seed}, "
            f"in {self.elapsed:.1f} s; " + ", ".join(f"{k} {val}" for k, val in v.items())
        )
        print(line)
        return line


def start(seed: int = BOOK_SEED, device: str | torch.device | None = "auto", *, profile: str | None = None) -> Run:
    """Begin a chapter: read the profile, choose the device, seed everything, and say so.

    Args:
        seed: seeds torch, NumPy and ``random`` (the book uses :data:`BOOK_SEED`).
        device: ``"auto"`` (CUDA, then MPS, then CPU) or an explicit device.
        profile: overrides ``TUTORIAL_PROFILE`` (tests use this).
    """
    profile = current_profile() if profile is None else by_profile(profile, full="full", smoke="smoke")
    chosen = choose_device(device)
    seed_everything(seed)
    print(f"profile={profile}  device={device_name(chosen)}  seed={seed}  torch {torch.__version__}")
    return Run(profile=profile, device=chosen, seed=seed)
