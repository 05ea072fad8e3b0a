"""Where a chapter runs: its device, its seeds and the versions it ran with.

The lesson's part of a chapter's first call: ``tutorial_lib.start`` (in
:mod:`tutorial_lib.bookkeeping.run`) chooses the device with
:func:`choose_device` and seeds everything with :func:`seed_everything`.
"""

from __future__ import annotations

import platform
import random

import numpy as np
import torch
from torch import nn

from tutorial_lib.checks import non_negative_int

BOOK_SEED = 0
"""The book's one seed, fixed before any result was looked at."""


def choose_device(
    device: str | torch.device | None = "auto",
) -> torch.device:
    """Return ``device``, or for ``"auto"``/``None`` the best available one.

    The order is CUDA, then Apple's MPS, then the CPU.

    Raises:
        ValueError: an explicit device that this machine does not have.
    """
    mps = getattr(torch.backends, "mps", None)
    available = {
        "cuda": torch.cuda.is_available(),
        "mps": bool(mps is not None and mps.is_available()),
        "cpu": True,
    }
    if device is None or device == "auto":
        return torch.device(next(k for k, ok in available.items() if ok))
    try:
        chosen = torch.device(device)
    except RuntimeError as err:
        raise ValueError(
            f"unknown device {device!r}; expected 'auto', 'cpu', 'cuda' or 'mps'"
        ) from err
    if chosen.type not in available:
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda' or 'mps', got {device!r}"
        )
    if not available[chosen.type]:
        raise ValueError(
            f"device {device!r} was asked for, but {chosen.type.upper()} is "
            "not available here; use 'auto' or 'cpu'"
        )
    return chosen


def _model_device(model: nn.Module) -> torch.device:
    first = next(model.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


DEVICE_TYPES = ("cpu", "cuda", "mps")
"""The devices a model can train and predict on here."""


def resolve_device(model: nn.Module, device) -> torch.device:
    """``device`` as :func:`choose_device` takes it, or the model's own
    device when ``None``; a ValueError unless it is one of DEVICE_TYPES."""
    chosen = (
        _model_device(model) if device is None else choose_device(device)
    )
    if chosen.type not in DEVICE_TYPES:
        given = (
            f"{device!r}"
            if device is not None
            else f"None (the model's parameters are on {str(chosen)!r})"
        )
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda' or 'mps', got {given}"
        )
    return chosen


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (all devices)."""
    seed = non_negative_int("seed", seed)
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
        return (
            f"cpu ({torch.get_num_threads()} threads, {platform.machine()})"
        )
    return device.type
