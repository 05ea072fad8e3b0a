"""The book's trained runs, published with its site: load them, don't wait.

The book's build packs every saved run of its full-size chapters into one
archive published with the site, ``runs-full.zip``, with a list of their
SHA-256 sums beside it, ``runs-full.sha256`` (``bookbuild/runs.py``).
When a chapter asks for runs it has not saved, :func:`fetch` downloads the
sums and the archive once (into the artifacts folder), and puts each
missing run whose file is in the archive and whose sum matches where the
cache looks for it. A file whose sum differs is refused, with a message,
and trained instead; offline, or for a configuration the book never
trained (a run's file name holds its configuration's hash), nothing is
downloaded and the chapter trains as usual.

``TUTORIAL_PUBLISHED_RUNS`` names the archive's address (``off``: never
download). The book's own build and its tests set ``off``: their numbers
come from their own training.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Mapping

from tutorial_lib.bookkeeping.files import write_atomically

ENV_VAR = "TUTORIAL_PUBLISHED_RUNS"
SITE = "https://denoising-book.github.io/denoising-signals-pytorch"
DEFAULT = f"{SITE}/_downloads/runs-full.zip"
TIMEOUT = 30.0  # seconds a download may stall before the chapter trains


def archive_url(
    profile: str, environ: Mapping[str, str] | None = None
) -> str | None:
    """Where the published runs of ``profile`` are: only ``full`` has them;
    ``TUTORIAL_PUBLISHED_RUNS`` overrides the address, ``off`` gives None."""
    environ = os.environ if environ is None else environ
    value = environ.get(ENV_VAR, "").strip()
    if profile != "full" or value.lower() == "off":
        return None
    return value or DEFAULT


def sha256(path: Path) -> str:
    """The SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(url: str, target: Path) -> None:
    """``url`` to ``target``, whole or not at all."""

    def write(tmp: Path) -> None:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            with open(tmp, "wb") as out:
                shutil.copyfileobj(response, out)

    write_atomically(target, write)


def _sums(url: str, folder: Path) -> tuple[dict[str, str], str]:
    """``{file name: sha256}`` from the list published beside the archive,
    and the list's own digest (which names the archive it belongs to)."""
    target = folder / "runs.sha256"
    _download(url.removesuffix(".zip") + ".sha256", target)
    sums = {}
    for line in target.read_text().splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) == 64 and name:
            sums[name] = digest
    return sums, sha256(target)[:16]


def fetch(paths: list[Path], url: str) -> list[Path]:
    """Put the published runs among ``paths`` (missing saved-run files of
    one folder) in place; return those put there.

    The archive is downloaded once per published version (its name holds
    the sum list's digest). Nothing is raised for a network failure: the
    runs are trained instead.
    """
    if not paths:
        return []
    folder = paths[0].parent / "published"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        sums, version = _sums(url, folder)
        wanted = [p for p in paths if p.name in sums]
        if not wanted:
            return []
        archive = folder / f"runs-{version}.zip"
        if not archive.is_file():
            print(f"downloading the book's trained runs ({url})")
            _download(url, archive)
        return _extract(archive, wanted, sums)
    except (OSError, urllib.error.URLError, zipfile.BadZipFile) as err:
        print(
            f"the book's published runs are not available ({err}); "
            "training here"
        )
        return []


def _extract(
    archive: Path, wanted: list[Path], sums: dict[str, str]
) -> list[Path]:
    """The ``wanted`` members of ``archive`` whose SHA-256 matches ``sums``."""
    placed = []
    with zipfile.ZipFile(archive) as zf:
        members = set(zf.namelist())
        for path in wanted:
            if path.name not in members:
                continue

            def write(tmp: Path, name: str = path.name) -> None:
                with zf.open(name) as src, open(tmp, "wb") as out:
                    shutil.copyfileobj(src, out)

            unchecked = path.with_name(path.name + ".download")
            write_atomically(unchecked, write)
            if sha256(unchecked) != sums[path.name]:
                unchecked.unlink()
                print(
                    f"refused the published run {path.name}: its SHA-256 "
                    "differs from the published sum (a damaged or altered "
                    "download); training it here instead"
                )
                continue
            os.replace(unchecked, path)
            placed.append(path)
    return placed
