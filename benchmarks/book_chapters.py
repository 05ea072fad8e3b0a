"""Every chapter executed from scratch, one fresh kernel each, timed: the
execution part of a first build, without Sphinx.

    python benchmarks/book_chapters.py [--profile full] [--executed DIR]

For a machine where the book's toolchain is not installed (a GPU machine with
only PyTorch, nbclient and ipykernel): the chapters run in ``_toc.yml``'s
order, as ``make book`` runs them, each in its own folder, with saved runs and
records in fresh folders, so that nothing comes from an earlier build. A
chapter that fails is reported with its error and the next one runs.
Writes ``benchmarks/book_chapters_<device>.json`` (machine included, and
the claims the chapters checked, held or not: claims are not strict here, so
a claim that fails is recorded and the chapter goes on) and, with
``--executed``, the executed notebooks (videos left out) to DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import nbformat
import torch
import yaml
from common import table, write_json
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def toc_notebooks(toc: Path) -> list[Path]:
    """The notebooks ``toc`` lists, in its order."""
    found: list[Path] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            file = node.get("file")
            if file and (ROOT / f"{file}.ipynb").exists():
                found.append(ROOT / f"{file}.ipynb")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(toc.read_text()))
    return found


def without_videos(nb) -> None:
    """Drop outputs that embed a video (base64 MP4 in HTML) to keep the copy small."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            if "data:video" in html or len(html) > 200_000:
                out["data"]["text/html"] = "<p>(video left out)</p>"


def execute(path: Path, timeout: int) -> tuple[float, str | None, object]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except Exception as err:  # noqa: BLE001 - reported, next chapter runs
        error = f"{type(err).__name__}: {str(err)[-2000:]}"
    return time.perf_counter() - start, error, nb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full")
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--executed", type=Path)
    parser.add_argument(
        "--deadline",
        type=float,
        default=None,
        help="start no chapter after this many seconds (the rest are listed as skipped)",
    )
    parser.add_argument(
        "--scratch",
        type=Path,
        default=None,
        help="an empty folder for saved runs and records (default: a new one)",
    )
    args = parser.parse_args()
    scratch = args.scratch or Path(
        tempfile.mkdtemp(prefix="book_chapters_")
    )
    os.environ["TUTORIAL_PROFILE"] = args.profile
    os.environ["TUTORIAL_ARTIFACTS_DIR"] = str(scratch / "artifacts")
    os.environ["TUTORIAL_RESULTS_DIR"] = str(scratch / "records")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rows = []
    start = time.perf_counter()
    for path in toc_notebooks(ROOT / "_toc.yml"):
        elapsed = time.perf_counter() - start
        if args.deadline is not None and elapsed > args.deadline:
            rows.append(
                {"chapter": path.stem, "seconds": None, "error": "skipped"}
            )
            continue
        seconds, error, nb = execute(path, args.timeout)
        rows.append(
            {
                "chapter": path.stem,
                "seconds": round(seconds, 1),
                "error": error,
            }
        )
        print(f"{path.stem}: {seconds:.1f} s {'FAILED' if error else ''}")
        if error:
            print(error)
        if args.executed:
            args.executed.mkdir(parents=True, exist_ok=True)
            without_videos(nb)
            nbformat.write(nb, args.executed / path.name)
        report(
            rows, time.perf_counter() - start, args.profile, device, scratch
        )
    print(table(rows, ["chapter", "seconds"]))


def chapter_claims(records: Path) -> list[dict]:
    """The claims the chapters recorded under ``records`` (one folder a
    chapter): chapter, statement, held, margin (None where a claim has none,
    ``"exact"`` for an exact fact)."""
    found = []
    for path in sorted(records.glob("*/claim-*.json")):
        claim = json.loads(path.read_text())
        margin = claim.get("margin")
        found.append(
            {
                "chapter": path.parent.name,
                "statement": claim.get("statement"),
                "held": bool(claim.get("held")),
                "margin": "exact"
                if margin is not None and margin == float("inf")
                else margin,
            }
        )
    return found


def report(rows, total, profile, device, scratch) -> None:
    """Written after every chapter, so that a run cut short keeps what it timed."""
    write_json(
        f"book_chapters_{device}",
        {
            "profile": profile,
            "device": device,
            "chapters_seconds": round(total, 1),
            "complete": all(r["error"] is None for r in rows),
            "chapters": rows,
            "records": str(scratch / "records" / profile),
            "artifacts": str(scratch / "artifacts" / profile),
            "claims": chapter_claims(scratch / "records" / profile),
            "what": "every chapter executed from scratch in _toc.yml's "
            "order, one fresh kernel each (nbclient), no Sphinx",
        },
    )


if __name__ == "__main__":
    main()
