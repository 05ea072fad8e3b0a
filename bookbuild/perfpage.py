"""The performance page's tables, rendered from the benchmarks' JSON files.

``benchmarks/fit_vs_plain.py`` writes ``fit_vs_plain_<device>.json`` and
``benchmarks/book_build.py`` writes ``book_build_<profile>.json``;
:func:`performance_markdown` turns whatever of them exists into MyST markdown.
Nothing here measures anything: it only reports what the scripts measured.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from bookbuild.errors import BuildInputError


def _machine_line(machine: dict) -> str:
    get = machine.get
    gpu = get("gpu") or "no GPU"
    return (
        f"*Measured {get('date', '?')} on {get('cpu', '?')}, {get('cores', '?')} cores"
        f" ({get('torch_threads', '?')} torch threads), {get('memory_gib', '?')} GiB,"
        f" {gpu}; Python {get('python', '?')}, torch {get('torch', '?')}.*"
    )


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join("" if v is None else str(v) for v in row) + " |"
        for row in rows
    ]
    return "\n".join(lines)


def _fit_section(data: dict) -> str:
    rows = [
        [
            r["case"],
            r["device"],
            r["steps"],
            r["plain_ms_per_step"],
            r["fit_ms_per_step"],
            f"{r['ratio']:.3f}"
            + (" (over 1.05)" if r["ratio"] > 1.05 else ""),
        ]
        for r in data["rows"]
    ]
    header = [
        "case",
        "device",
        "steps",
        "plain loop (ms/step)",
        "`fit` (ms/step)",
        "ratio",
    ]
    return "\n\n".join(
        [
            _table(header, rows),
            _machine_line(data["machine"])
            + f" {data.get('statistic', '')}, {data.get('repeats', '?')} repeats.",
        ]
    )


def _build_section(data: dict) -> str:
    first, again = data["first_build"], data["cached_rebuild"]
    summary = _table(
        ["build", "wall time", "peak resident memory"],
        [
            [
                f"first build, profile `{data['profile']}`",
                f"{first['seconds'] / 60:.1f} min",
                f"{first['peak_rss_mib']} MiB",
            ],
            [
                "cached rebuild",
                f"{again['seconds']:.0f} s",
                f"{again['peak_rss_mib']} MiB",
            ],
        ],
    )
    chapters = _table(
        ["chapter", "execution (s)"],
        [[c["chapter"], c["seconds"]] for c in data["chapters"]],
    )
    return "\n\n".join([summary, chapters, _machine_line(data["machine"])])


def _section(path: Path, render: Callable[[dict], str]) -> tuple[str, bool]:
    """``(markdown, measured on a GPU)`` for one benchmark file.

    Raises:
        BuildInputError: the file is not valid JSON or lacks what ``render`` needs.
    """
    try:
        data = json.loads(path.read_text())
        return render(data), bool(data["machine"].get("gpu"))
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        script = path.stem.rsplit("_", 1)[0]
        raise BuildInputError(
            f"{path}: not a benchmark result this page can show "
            f"({type(err).__name__}: {err}); "
            f"expected what benchmarks/{script}.py writes"
        ) from err


def performance_markdown(benchmarks_dir: Path) -> str:
    """MyST markdown for every benchmark result found in ``benchmarks_dir``."""
    folder = Path(benchmarks_dir)
    fits = [
        _section(p, _fit_section)
        for p in sorted(folder.glob("fit_vs_plain_*.json"))
    ]
    builds = [
        _section(p, _build_section)
        for p in sorted(folder.glob("book_build_*.json"))
    ]
    not_yet = ["*Not measured yet.*"]
    parts = ["## The training loop against a plain loop\n"]
    parts += [text for text, _ in fits] or not_yet
    parts.append("\n## The whole book\n")
    parts += [text for text, _ in builds] or not_yet
    if not any(gpu for _, gpu in fits + builds):
        parts.append(
            "\n```{note}\nNo GPU was available where these benchmarks ran, "
            "so this page has no GPU figures. "
            "Run `benchmarks/fit_vs_plain.py --device cuda` on a "
            "machine with one to add them.\n```"
        )
    return "\n\n".join(parts) + "\n"
