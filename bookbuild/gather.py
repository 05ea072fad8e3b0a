"""Collect the chapters' records (:mod:`tutorial_lib.records`) into one JSON list.

``python -m bookbuild gather --profile full --out _build/results.json``
"""

from __future__ import annotations

import json
from pathlib import Path

from tutorial_lib.records import write_atomically


def gather(directory: Path) -> list[dict]:
    """Every record under ``directory``, sorted by id."""
    paths = sorted(Path(directory).glob("*.json"))
    entries = [json.loads(path.read_text()) for path in paths]
    return sorted(entries, key=lambda e: e["id"])


def write_results(entries: list[dict], out: Path) -> None:
    """Write ``entries`` to ``out`` as one JSON list (atomically)."""
    write_atomically(Path(out), json.dumps(entries, indent=1) + "\n")
