"""Headline numbers: recorded by the chapters, gathered into ``_build/results.json``.

A chapter calls ``run.record("part1/rnn/test_l1", value, reference=0.0611)``.
Each record is one small JSON file, written atomically under
``_build/records/<profile>/`` (next to the book's ``_toc.yml``; elsewhere,
on Colab say, under ``./results/<profile>/``, or wherever
``TUTORIAL_RESULTS_DIR`` points). Records live per profile because the book's
execution cache is per profile: a rebuild that serves a chapter from the cache
keeps the records its last execution wrote.

``python -m tutorial_lib gather --profile full --out _build/results.json``
collects them into one JSON list.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import tempfile
import time
from pathlib import Path

import torch

ENV_VAR = "TUTORIAL_RESULTS_DIR"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)+$")


def book_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the working directory) holding ``_toc.yml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file():
            return folder
    return None


def records_dir(profile: str, start: Path | None = None) -> Path:
    """The folder that holds ``profile``'s records (see the module docstring)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]) / profile
    root = book_root(start)
    if root is not None:
        return root / "_build" / "records" / profile
    return (start or Path.cwd()).resolve() / "results" / profile


def _check(id: str, value: float, reference: float | None) -> tuple[float, float | None]:
    if not isinstance(id, str) or not ID_PATTERN.match(id):
        raise ValueError(
            f"result id {id!r} is not valid; expected lower-case slash-separated parts "
            "such as 'part1/rnn/test_l1'"
        )
    checked = []
    for name, number in (("value", value), ("reference", reference)):
        if number is None and name == "reference":
            checked.append(None)
            continue
        try:
            number = float(number)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name} of {id!r} must be a number, got {number!r}") from err
        if not math.isfinite(number):
            raise ValueError(f"{name} of {id!r} is {number}; only finite numbers can be recorded")
        checked.append(number)
    return checked[0], checked[1]


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def record(
    id: str,
    value: float,
    reference: float | None = None,
    *,
    profile: str,
    device: str,
    seconds: float,
    directory: Path | None = None,
) -> dict:
    """Save one headline number and print it beside the write-up's value.

    Args:
        id: stable, slash-separated, e.g. ``"part1/rnn/test_l1"``.
        value: the number the chapter shows (finite).
        reference: the write-up's own value for it, where it has one.
        profile, device, seconds: what produced it.
        directory: where to write; default :func:`records_dir`.

    Returns:
        The record, as written.
    """
    value, reference = _check(id, value, reference)
    entry = {
        "id": id,
        "value": value,
        "reference": reference,
        "profile": profile,
        "device": device,
        "seconds": round(float(seconds), 3),
        "torch": torch.__version__,
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    folder = records_dir(profile) if directory is None else Path(directory)
    write_atomically(folder / (id.replace("/", "__") + ".json"), json.dumps(entry, indent=1))
    beside = "" if reference is None else f"  (write-up: {reference:.4g})"
    print(f"recorded {id} = {value:.4g}{beside}")
    return entry


def gather(directory: Path) -> list[dict]:
    """Every record under ``directory``, sorted by id."""
    entries = [json.loads(path.read_text()) for path in sorted(Path(directory).glob("*.json"))]
    return sorted(entries, key=lambda e: e["id"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Gather recorded headline numbers into one JSON file.")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("gather")
    g.add_argument("--profile", required=True, choices=["full", "smoke"])
    g.add_argument("--out", required=True, type=Path)
    g.add_argument("--records", type=Path, default=None, help="records folder (default: the book's)")
    args = parser.parse_args(argv)
    folder = args.records or records_dir(args.profile)
    entries = gather(folder)
    write_atomically(args.out, json.dumps(entries, indent=1) + "\n")
    print(f"{len(entries)} records from {folder} -> {args.out}")


if __name__ == "__main__":
    main()
