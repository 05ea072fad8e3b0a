"""Where the book's files live: its root, and the cached trainings of a profile.

Here rather than in :mod:`tutorial_lib.bookkeeping.cache` so that :class:`Run
<tutorial_lib.bookkeeping.run.Run>` can name its cache folder (``run.artifacts``)
without importing the training code the cache's results hold.
"""

from __future__ import annotations

import os
from pathlib import Path

ARTIFACTS_ENV_VAR = "TUTORIAL_ARTIFACTS_DIR"
"""When set, cached trainings go to ``$TUTORIAL_ARTIFACTS_DIR/<profile>/``."""


def book_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the working
    directory) holding ``_toc.yml``; ``None`` when there is none."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file():
            return folder
    return None


def folder_from_env(name: str) -> Path | None:
    """The absolute folder that environment variable ``name`` names, ``None``
    when it is unset or empty; ValueError naming the variable and its value
    when it is relative (the chapters run in ``notebooks/`` and the build at
    the root, so a relative folder would mean two places)."""
    value = os.environ.get(name)
    if not value:
        return None
    if not Path(value).is_absolute():
        raise ValueError(
            f"{name}={value!r} is a relative path; expected an absolute path "
            "(chapters run in notebooks/ and the build at the root, so a "
            f'relative one names two folders), such as {name}="$PWD/{value}"'
        )
    return Path(value)


def artifacts_dir(profile: str, start: Path | None = None) -> Path:
    """Where ``profile``'s cached trainings live: ``_build/artifacts/<profile>/``
    next to the book's ``_toc.yml`` (elsewhere ``./artifacts/<profile>/``), or
    under :data:`ARTIFACTS_ENV_VAR` when it is set (the tests use a fresh
    folder; it must be an absolute path, see :func:`folder_from_env`)."""
    folder = folder_from_env(ARTIFACTS_ENV_VAR)
    if folder is not None:
        return folder / profile
    root = book_root(start)
    base = (
        root / "_build"
        if root is not None
        else (start or Path.cwd()).resolve()
    )
    return base / "artifacts" / profile
