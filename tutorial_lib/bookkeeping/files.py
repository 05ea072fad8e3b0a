"""Writing a file so that a reader never sees half of it.

:func:`write_atomically` is the package's one atomic writer: records
(:mod:`tutorial_lib.bookkeeping.records`), cached runs (:mod:`tutorial_lib.bookkeeping.cache`) and the
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


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def _holder(path: Path) -> int | None:
    """The process id written in the lock file ``path`` (None: unreadable)."""
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None


def hold_lock(path: Path, what: str) -> None:
    """Claim the lock file ``path`` for this process (it holds our id).

    A lock left by a process that has ended, or by this process, is taken
    over; the lock is never removed by its holder, so a killed kernel
    leaves nothing that blocks the next one.

    Raises:
        RuntimeError: another running process holds it, named with ``what``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            other = _holder(path)
            if other not in (None, os.getpid()) and _alive(other):
                raise RuntimeError(
                    f"{what} is being written by another process (pid "
                    f"{other}, lock {path}); wait for it to finish or stop "
                    "it, then run this again"
                ) from None
            path.unlink(missing_ok=True)  # its process has ended
            continue
        with os.fdopen(fd, "w") as out:
            out.write(str(os.getpid()))
        return
    raise RuntimeError(f"could not take the lock {path} for {what}")
