"""Where the book's files live: its root, and the cached trainings of a profile.

Here rather than in :mod:`tutorial_lib.cache` so that :class:`Run
<tutorial_lib.runtime.Run>` can name its cache folder (``run.artifacts``)
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


def artifacts_dir(profile: str, start: Path | None = None) -> Path:
    """Where ``profile``'s cached trainings live: ``_build/artifacts/<profile>/``
    next to the book's ``_toc.yml`` (elsewhere ``./artifacts/<profile>/``), or
    under :data:`ARTIFACTS_ENV_VAR` when it is set (the tests use a fresh folder)."""
    if os.environ.get(ARTIFACTS_ENV_VAR):
        return Path(os.environ[ARTIFACTS_ENV_VAR]) / profile
    root = book_root(start)
    base = (
        root / "_build"
        if root is not None
        else (start or Path.cwd()).resolve()
    )
    return base / "artifacts" / profile
