"""The status page: each chapter's execution time, profile, device and date.

Read from the build's own execution cache (jupyter-cache, as myst-nb fills it:
one record per executed notebook, with ``data["execution_seconds"]``), not
written by hand. The profile and the device come from the run stamp that ends
every chapter (``Executed with profile=..., device=..., seed=...``); the date is
when the record was made, that is when the chapter was last executed.

``python -m bookbuild.status _build/.jupyter_cache-full`` prints the page.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Mapping

from bookbuild.errors import BuildInputError

STAMP = re.compile(
    r"Executed with profile=(?P<profile>[^,]+), device=(?P<device>.*?), seed="
)


def _stamp(nb) -> dict[str, str]:
    """Profile and device from the run stamp in a cached notebook's outputs (empty if none)."""
    for cell in reversed(nb.cells):
        for out in (
            cell.get("outputs", []) if cell.cell_type == "code" else []
        ):
            text = (
                out.get("text", "")
                if out.get("output_type") == "stream"
                else out.get("data", {}).get("text/plain", "")
            )
            m = STAMP.search(
                "".join(text) if isinstance(text, list) else text
            )
            if m:
                return m.groupdict()
    return {}


def _page(uri: str, root: Path | None) -> str:
    """The chapter as the book names it: a link to its page when it is under ``root``."""
    path = Path(uri)
    if root is not None:
        try:
            rel = path.resolve().relative_to(root.resolve())
        except ValueError:
            rel = None
        if rel is not None and path.exists():
            return f"{{doc}}`/{rel.with_suffix('').as_posix()}`"
    return f"`{path.parent.name}/{path.stem}`"


def _reason(err: BaseException) -> str:
    """What went wrong, in a line: the innermost cause's first line
    (sqlite's own words rather than SQLAlchemy's statement)."""
    while err.__cause__ is not None or err.__context__ is not None:
        err = err.__cause__ or err.__context__
    err = getattr(err, "orig", None) or err
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def unreadable_cache(
    cache_dir: Path, err: BaseException
) -> BuildInputError:
    """The error for an execution cache that cannot be read: its path, why,
    and the way out."""
    return BuildInputError(
        f"execution cache {cache_dir} cannot be read ({_reason(err)}); "
        f"expected the jupyter-cache (database {Path(cache_dir) / 'global.db'} "
        "and executed notebooks) "
        f"that the book's build writes: remove it (rm -rf {cache_dir}, or "
        "make clean-cache, which also removes the saved trainings and "
        "records); the next make book executes every chapter again"
    )


def status_markdown(
    cache_dir: Path,
    root: Path | None = None,
    alone: Mapping[str, float] | None = None,
) -> str:
    """A Markdown table of every chapter in the execution cache ``cache_dir``.

    Args:
        cache_dir: a jupyter-cache folder (``_build/.jupyter_cache-<profile>``).
        root: the book's root, to link each chapter to its page; by default the
            folder two levels above ``cache_dir`` (``<root>/_build/<cache>``)
            when it holds ``_toc.yml``.
        alone: ``{chapter: seconds}`` each chapter takes when it trains every
            run it uses (:mod:`tutorial_lib.bookkeeping.cost`), a column of
            its own; ``None`` leaves the column out.

    Raises:
        BuildInputError: the cache cannot be read (a corrupt database, one
            without jupyter-cache's tables, a missing executed notebook),
            naming its path and ``make clean-cache``.
    """
    cache_dir = Path(cache_dir)
    if (
        root is None
        and (cache_dir.resolve().parent.parent / "_toc.yml").is_file()
    ):
        root = cache_dir.resolve().parent.parent
    if not (cache_dir / "global.db").is_file():
        return "No chapter has been executed yet: the execution cache is empty.\n"
    try:
        return _table(cache_dir, root, alone)
    except BuildInputError:
        raise
    except Exception as err:  # sqlite, SQLAlchemy, jupyter-cache, files
        raise unreadable_cache(cache_dir, err) from err


def _took(seconds: float | None) -> str:
    """``"3.2 s"`` under two minutes, else ``"6.9 min"``; ``""`` for None."""
    if seconds is None:
        return ""
    return (
        f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
    )


def _table(
    cache_dir: Path, root: Path | None, alone: Mapping[str, float] | None
) -> str:
    """:func:`status_markdown`'s page, any error of the cache left to it."""
    # Imported here: only a build has jupyter-cache (the book extra).
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    latest = {}
    # a chapter may have older records: keep the newest
    for record in cache.list_cache_records():
        if (
            record.uri not in latest
            or record.created > latest[record.uri].created
        ):
            latest[record.uri] = record
    if not latest:
        return "No chapter has been executed yet: the execution cache is empty.\n"
    extra = alone is not None
    lines = [
        "| chapter | execution time | "
        + ("alone, training every run it uses | " if extra else "")
        + "profile | device | executed (UTC) |",
        "| --- | ---: | "
        + ("---: | " if extra else "")
        + "--- | --- | --- |",
    ]
    total = 0.0
    for uri in sorted(latest, key=lambda u: Path(u).as_posix()):
        record = latest[uri]
        seconds = (record.data or {}).get("execution_seconds")
        total += seconds or 0.0
        stamp = _stamp(cache.get_cache_bundle(record.pk).nb)
        own = f"{_took(alone.get(Path(uri).stem))} | " if extra else ""
        lines.append(
            f"| {_page(uri, root)} | {_took(seconds)} | {own}"
            f"{stamp.get('profile', '')} | {stamp.get('device', '')} "
            f"| {record.created:%Y-%m-%d %H:%M} |"
        )
    lines.append(
        f"| **all {len(latest)} chapters** | **{total / 60:.1f} min** | "
        + ("| " if extra else "")
        + "| | |"
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    try:
        print(
            status_markdown(
                Path(sys.argv[1])
                if len(sys.argv) > 1
                else Path("_build/.jupyter_cache-full")
            ),
            end="",
        )
    except BuildInputError as err:
        raise SystemExit(f"error: {err}") from err
