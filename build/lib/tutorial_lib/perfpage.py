"""The performance page's tables, rendered from the benchmarks' JSON files.

``benchmarks/fit_vs_plain.py`` writes ``fit_vs_plain_<device>.json`` and
``benchmarks/book_build.py`` writes ``book_build_<profile>.json``;
:func:`performance_markdown` turns whatever of them exists into MyST markdown.
Nothing here measures anything: it only reports what the scripts measured.
"""

from __future__ import annotations

import json
from pathlib import Path


def _machine_line(machine: dict) -> str:
    gpu = machine.get("gpu") or "no GPU"
    return (
        f"*Measured {machine.get('date', '?')} on {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores"
        f" ({machine.get('torch_threads', '?')} torch threads), {machine.get('memory_gib', '?')} GiB, {gpu};"
        f" Python {machine.get('python', '?')}, torch {machine.get('torch', '?')}.*"
    )


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _fit_section(data: dict) -> str:
    rows = [
        [r["case"], r["device"], r["steps"], r["plain_ms_per_step"], r["fit_ms_per_step"],
         f"{r['ratio']:.3f}" + (" (over 1.05)" if r["ratio"] > 1.05 else "")]
        for r in data["rows"]
    ]
    return "\n\n".join([
        _table(["case", "device", "steps", "plain loop (ms/step)", "`fit` (ms/step)", "ratio"], rows),
        _machine_line(data["machine"]) + f" {data.get('statistic', '')}, {data.get('repeats', '?')} repeats.",
    ])


def _build_section(data: dict) -> str:
    first, again = data["first_build"], data["cached_rebuild"]
    summary = _table(
        ["build", "wall time", "peak resident memory"],
        [
            [f"first build, profile `{data['profile']}`", f"{first['seconds'] / 60:.1f} min", f"{first['peak_rss_mib']} MiB"],
            ["cached rebuild", f"{again['seconds']:.0f} s", f"{again['peak_rss_mib']} MiB"],
        ],
    )
    chapters = _table(
        ["chapter", "execution (s)"],
        [[c["chapter"], c["seconds"]] for c in data["chapters"]],
    )
    return "\n\n".join([summary, chapters, _machine_line(data["machine"])])


def performance_markdown(benchmarks_dir: Path) -> str:
    """MyST markdown for every benchmark result found in ``benchmarks_dir``."""
    folder = Path(benchmarks_dir)
    parts = []
    fits = sorted(folder.glob("fit_vs_plain_*.json"))
    parts.append("## The training loop against a plain loop\n")
    parts += [_fit_section(json.loads(p.read_text())) for p in fits] or ["*Not measured yet.*"]
    builds = sorted(folder.glob("book_build_*.json"))
    parts.append("\n## The whole book\n")
    parts += [_build_section(json.loads(p.read_text())) for p in builds] or ["*Not measured yet.*"]
    if not any(json.loads(p.read_text())["machine"].get("gpu") for p in fits + builds):
        parts.append(
            "\n```{note}\nNo GPU was available where these benchmarks ran, so this page has no GPU figures. "
            "Run `benchmarks/fit_vs_plain.py --device cuda` on a machine with one to add them.\n```"
        )
    return "\n\n".join(parts) + "\n"
