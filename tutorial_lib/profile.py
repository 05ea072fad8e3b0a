"""Experiment sizes: the ``TUTORIAL_PROFILE`` environment variable.

``full`` (the default) runs every experiment at the write-ups' own sizes;
``smoke`` shrinks them so that every chapter executes in seconds (tests, CI).
Notebooks never read the variable themselves: they ask :func:`current_profile`
or, more often, ``run.size(full=..., smoke=...)`` on the object returned by
:func:`tutorial_lib.start`.
"""

from __future__ import annotations

import os
from typing import Mapping, TypeVar

PROFILES = ("full", "smoke")
ENV_VAR = "TUTORIAL_PROFILE"
DEFAULT_PROFILE = "full"

T = TypeVar("T")


def current_profile(environ: Mapping[str, str] | None = None) -> str:
    """Return the profile named by ``TUTORIAL_PROFILE`` (``full`` when unset).

    Raises:
        ValueError: the variable holds anything but ``full`` or ``smoke``.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(ENV_VAR, "").strip().lower() or DEFAULT_PROFILE
    if value not in PROFILES:
        raise ValueError(
            f"{ENV_VAR}={environ.get(ENV_VAR)!r} is not a known profile; "
            f"expected one of {', '.join(PROFILES)} (unset means {DEFAULT_PROFILE!r})"
        )
    return value


def by_profile(profile: str, *, full: T, smoke: T) -> T:
    """Pick the value that belongs to ``profile`` (``full`` or ``smoke``)."""
    if profile not in PROFILES:
        raise ValueError(
            f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}"
        )
    return full if profile == "full" else smoke


SEED_ENV_VAR = "TUTORIAL_SEED"
"""The base seed of a whole build (``make book SEED=1``); unset: the book's."""
STRICT_ENV_VAR = "TUTORIAL_STRICT_CLAIMS"
"""``1`` in the book's build: a failed claim stops the chapter there."""


def current_seed(
    environ: Mapping[str, str] | None = None, *, default: int = 0
) -> int:
    """The base seed named by ``TUTORIAL_SEED`` (``default`` when unset).

    Raises:
        ValueError: the variable holds anything but a non-negative integer.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(SEED_ENV_VAR, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ValueError(
            f"{SEED_ENV_VAR}={environ.get(SEED_ENV_VAR)!r} is not a seed; "
            "expected a non-negative integer such as 0 or 1 (unset means "
            f"{default})"
        )
    return int(value)


def strict_claims(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``TUTORIAL_STRICT_CLAIMS`` asks failed claims to stop a
    chapter (``1``); ``0`` or unset: they are printed, not raised.

    Raises:
        ValueError: any other value.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(STRICT_ENV_VAR, "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(
            f"{STRICT_ENV_VAR}={value!r} must be 1 (stop at a failed claim) "
            "or 0 (print it)"
        )
    return value == "1"


def build_label(
    profile: str, environ: Mapping[str, str] | None = None
) -> str:
    """The name of one build's folders (records, execution cache):
    ``profile``, or ``profile-seed<N>`` for a build with another base seed
    (``TUTORIAL_SEED=N``, N > 0), so that two seeds never mix their records."""
    seed = current_seed(environ)
    return profile if seed == 0 else f"{profile}-seed{seed}"
