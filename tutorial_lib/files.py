"""Writing a file so that a reader never sees half of it.

:func:`write_atomically` is the package's one atomic writer: records
(:mod:`tutorial_lib.records`), cached runs (:mod:`tutorial_lib.cache`) and the
build's generated pages all go through it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it
    to ``path``, so that a reader sees the old file or the new one, never half
    of one. The temporary file (``.<name>.<random>.tmp``) is removed when
    ``write`` fails or is interrupted; the parent folder is made if missing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """:func:`write_atomically` for a text file holding ``text``."""
    write_atomically(path, lambda tmp: tmp.write_text(text))
