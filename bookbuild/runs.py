"""The book's trained runs, packed for publishing with the site.

    python -m bookbuild runs --profile full --out _build/html/_downloads/runs-full.zip

Every saved run of the profile (``<artifacts>/<name>-<key>.pt``, see
:mod:`tutorial_lib.bookkeeping.cache`) goes into one archive, and the SHA-256 sum of
each into ``runs-full.sha256`` beside it, in ``sha256sum``'s format.
A reader's chapter downloads both and loads a run whose name and sum match
instead of training it (:mod:`tutorial_lib.bookkeeping.published`).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from tutorial_lib.bookkeeping.files import write_atomically
from tutorial_lib.bookkeeping.published import sha256


def pack(artifacts: Path, out: Path) -> tuple[int, Path]:
    """Write ``out`` (the archive) and its ``.sha256`` list from the saved
    runs in ``artifacts``; return how many runs and the list's path (an
    empty archive when there are none: a build that trained nothing)."""
    runs = sorted(artifacts.glob("*.pt"))

    def write_archive(tmp: Path) -> None:
        with zipfile.ZipFile(
            tmp, "w", compression=zipfile.ZIP_DEFLATED
        ) as zf:
            for run in runs:
                zf.write(run, run.name)

    def write_sums(tmp: Path) -> None:
        tmp.write_text("".join(f"{sha256(r)}  {r.name}\n" for r in runs))

    sums = out.with_suffix(".sha256")
    write_atomically(out, write_archive)
    write_atomically(sums, write_sums)
    return len(runs), sums
