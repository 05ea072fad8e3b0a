"""Pages generated from results at build time, written to ``_build/generated/<name>.md``.

``python -m tutorial_lib pages --profile full`` writes one Markdown file per
generator; a page in ``book/`` includes it with
```` ```{include} ../_build/generated/<name>.md``` ````. The build runs it
before and after executing the chapters (see the Makefile), so the pages show
the records the chapters have just written.

Generators that live in modules written alongside the chapters (the
leaderboard, the performance page) are used only when their module imports;
a build never fails because one of them is absent.
"""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path
from typing import Callable

from tutorial_lib.report import report_markdown
from tutorial_lib.results import book_root, gather, records_dir, write_atomically
from tutorial_lib.runtime import versions


def _optional(module: str, function: str) -> Callable | None:
    """``module.function``, or ``None`` when that module is not there (yet)."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name != module:
            raise  # the module is there but is broken: say so rather than hide it
        return None
    return getattr(loaded, function)


def generate(records: list[dict], *, out: Path, benchmarks: Path) -> dict[str, Path]:
    """Write every available generated page into ``out``; return ``{name: path}``."""
    written = {}
    pages: dict[str, Callable[[], str]] = {
        "report": lambda: report_markdown(records, build_versions=versions()),
    }
    leaderboard = _optional("tutorial_lib.leaderboard", "leaderboard_markdown")
    if leaderboard is not None:
        pages["leaderboard"] = lambda: leaderboard(records)
    performance = _optional("tutorial_lib.perfpage", "performance_markdown")
    if performance is not None:
        pages["performance"] = lambda: performance(benchmarks)
    for name, make in pages.items():
        text = make()
        if not isinstance(text, str):
            raise ValueError(f"the {name} page generator returned {type(text).__name__}; expected Markdown text")
        path = out / f"{name}.md"
        write_atomically(path, text if text.endswith("\n") else text + "\n")
        written[name] = path
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tutorial_lib pages", description=__doc__.split("\n")[0])
    parser.add_argument("--profile", required=True, choices=["full", "smoke"])
    parser.add_argument("--results", type=Path, default=None,
                        help="a gathered results JSON file (default: gather the profile's records now)")
    root = book_root() or Path.cwd()
    parser.add_argument("--out", type=Path, default=root / "_build" / "generated")
    parser.add_argument("--benchmarks", type=Path, default=root / "benchmarks")
    args = parser.parse_args(argv)
    if args.results is not None:
        if not args.results.is_file():
            raise SystemExit(f"error: --results {args.results} does not exist; run `python -m tutorial_lib gather` first")
        records = json.loads(args.results.read_text())
    else:
        records = gather(records_dir(args.profile))
    written = generate(records, out=args.out, benchmarks=args.benchmarks)
    print(f"{len(records)} records -> " + ", ".join(str(p) for p in written.values()))
