"""The performance page's tables, rendered from the benchmarks' JSON files.

``benchmarks/fit_vs_plain.py`` writes ``fit_vs_plain_<device>.json``,
``benchmarks/stacked_training.py`` ``stacked_training_cpu.json`` and
``benchmarks/book_build.py`` ``book_build_<profile>.json`` and
``benchmarks/claims_anywhere.py`` ``claims_anywhere_<profile>.json``;
:func:`performance_markdown` turns whatever of them exists into MyST markdown.
Nothing here measures anything: it only reports what the scripts measured.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from bookbuild.errors import BuildInputError


def measurement_note(text: str) -> str:
    """A measurement's note (how and when it was made), folded away: the
    reader sees its title and opens it if they want the details."""
    return (
        "```{admonition} How this was measured\n:class: dropdown\n"
        f"{text}\n```"
    )


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


def _stacked_section(data: dict) -> str:
    """``stacked_training.py``'s table: one autoencoder at a time against
    stacks of N trained as one, seconds per model and epoch."""
    rows = [
        [
            r["case"],
            r["one_model_s"],
            r["stacked_s_per_model"],
            f"{r['gain']:.2f}x",
        ]
        for r in data["rows"]
    ]
    alone = (
        "one model on the GPU"
        if data.get("device") == "cuda"
        else f"one model, {data.get('threads', '?')} threads"
    )
    header = [
        "case",
        f"{alone} (s per epoch)",
        "stacked (s per model and epoch)",
        "work done per second, stacked",
    ]
    return "\n\n".join(
        [
            _table(header, rows),
            _machine_line(data["machine"])
            + (
                " One repeat."
                if data.get("repeats") == 1
                else f" Best of {data.get('repeats', '?')} repeats."
            ),
        ]
    )


FULL_BUILD_MINUTES = 35
"""The target for the first full build on the book's 2-core CPU."""


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
    parts = [summary, chapters, _machine_line(data["machine"])]
    if data["profile"] == "full":
        minutes = first["seconds"] / 60
        verdict = "met" if minutes <= FULL_BUILD_MINUTES else "not met"
        parts.insert(
            1,
            f"- The first full build within {FULL_BUILD_MINUTES} minutes "
            f"on this CPU: {verdict} ({minutes:.1f} min, measured "
            f"{data['machine'].get('date', 'on an unrecorded date')}).",
        )
    if data.get("note"):
        parts.insert(0, measurement_note(data["note"]))
    return "\n\n".join(parts)


SEEDED_BUILD_MINUTES = 75
"""The aim for a cold full build with every seed on the book's 2-core CPU."""


def _kind_of_build(build: dict) -> tuple[str, str, str]:
    """``(kernels, base seed, how it started)`` of one claims_anywhere build."""
    isa = build.get("env", {}).get("ONEDNN_MAX_CPU_ISA")
    kernels = f"oneDNN's {isa} kernels" if isa else "the CPU's own"
    seed = next(
        (a[5:] for a in build.get("make", []) if a.startswith("SEED=")), "0"
    )
    started = {
        True: "cold (nothing saved)",
        False: "resumed (saved runs reused)",
    }.get(build.get("cold"), "not recorded")
    return kernels, seed, started


def _seeded_builds_section(data: dict) -> str:
    """``claims_anywhere.py``'s builds: every claim checked on one CPU with
    its own kernels, with another kernel set and with another base seed;
    then each cold build's chapters."""
    rows = []
    for b in data["builds"]:
        machine = b["machine"]
        kernels, seed, started = _kind_of_build(b)
        avx = "AVX-512" if machine["avx512"] else "AVX2, no AVX-512"
        rows.append(
            [
                f"{machine['cpu']} ({avx}), {machine['date']}",
                kernels,
                seed,
                started,
                f"{b['seconds (venv included)'] / 60:.1f} min",
                f"{b['claims held']} of {b['claims']}",
            ]
        )
    header = [
        "machine",
        "kernels",
        "base seed",
        "started",
        "wall time",
        "claims held",
    ]
    parts = [_table(header, rows)]
    for b in data["builds"]:
        if b.get("cold") is not True or b["returncode"]:
            continue
        minutes = b["seconds (venv included)"] / 60
        verdict = "met" if minutes <= SEEDED_BUILD_MINUTES else "not met"
        parts.append(
            f"- A cold full build with every seed within "
            f"{SEEDED_BUILD_MINUTES} minutes on {b['machine']['cpu']}: "
            f"{verdict} ({minutes:.1f} min, measured {b['machine']['date']})."
        )
        chapters = b.get("chapters (s)", {})
        parts.append(
            _table(
                ["chapter", "execution (s)"],
                [[name, chapters[name]] for name in sorted(chapters)],
            )
        )
        if b.get("note"):
            parts.append(measurement_note(b["note"]))
    return "\n\n".join(parts)


def _chapters_section(data: dict) -> str:
    """Per-chapter execution times from ``book_chapters.py`` (a chapter cut
    off by the end of its run is marked so)."""
    rows = []
    for c in data["chapters"]:
        if c["seconds"] is None:
            here = "not run"
        elif c.get("error"):
            here = f"{c['seconds']} (did not finish)"
        else:
            here = c["seconds"]
        rows.append([c["chapter"], here])
    parts = [
        _table([f"chapter ({data['device']})", "execution (s)"], rows),
        _machine_line(data["machine"]),
    ]
    if data.get("claims"):
        parts.insert(1, _claims_line(data["claims"]))
    if data.get("note"):
        parts.insert(0, measurement_note(data["note"]))
    return "\n\n".join(parts)


def _claims_line(claims: list[dict]) -> str:
    """How many of the chapters' claims held on that machine, and the
    closest call: the smallest margin of a claim that held."""
    failed = [c for c in claims if not c["held"]]
    measured = [
        c
        for c in claims
        if c["held"] and isinstance(c.get("margin"), (int, float))
    ]
    line = f"{len(claims) - len(failed)} of the {len(claims)} claims these chapters check held there"
    if measured:
        close = min(measured, key=lambda c: c["margin"])
        line += (
            f"; the closest call, {close['margin']:.1%} from failing: "
            f'{close["chapter"]}, "{close["statement"]}"'
        )
    line += "."
    if failed:
        line += " Failed: " + "; ".join(
            f'{c["chapter"]}, "{c["statement"]}"' for c in failed
        )
    return line


def targets_markdown(cpu_fit: dict, gpu_fit: dict, chapters: dict) -> str:
    """The GPU targets (book <= 3 min, ``fit`` within 5 % of the plain loop,
    the full-batch bidirectional GRU step >= 30x this CPU), met or not, each
    from the stored measurements."""
    worst = max(gpu_fit["rows"], key=lambda r: r["ratio"])
    on_cpu = {r["case"]: r["plain_ms_per_step"] for r in cpu_fit["rows"]}
    gru = [
        on_cpu[r["case"]] / r["plain_ms_per_step"]
        for r in gpu_fit["rows"]
        if r["case"].startswith("BiGRU") and r["case"] in on_cpu
    ]
    done = [c for c in chapters["chapters"] if c["seconds"] is not None]
    finished = [c for c in done if not c.get("error")]
    total = sum(c["seconds"] for c in done)
    if len(finished) == len(chapters["chapters"]) and chapters.get(
        "complete"
    ):
        book = (
            f"{'met' if total <= 180 else 'not met'}: every chapter in "
            f"{total:.0f} s"
        )
    else:
        cut = [c["chapter"] for c in done if c.get("error")]
        book = (
            f"not met: {len(finished)} chapter"
            f"{'' if len(finished) == 1 else 's'} ran to the end in "
            f"{sum(c['seconds'] for c in finished):.0f} s"
            + (
                f", then {cut[0]} had not finished after {total - sum(c['seconds'] for c in finished):.0f} s"
                if cut
                else ""
            )
            + "; the whole book was not timed"
        )
    lines = [
        f"- The whole book in 3 minutes or less: {book}.",
        f"- `fit` within 5 % of the plain loop on the GPU: "
        f"{'met' if worst['ratio'] <= 1.05 else 'not met'} (largest ratio "
        f"{worst['ratio']:.3f}, {worst['case']}).",
    ]
    if gru:
        lines.append(
            "- The full-batch bidirectional GRU step at least 30 times faster "
            f"than this CPU: {'met' if min(gru) >= 30 else 'not met'} "
            f"({min(gru):.0f} to {max(gru):.0f} times)."
        )
    return "\n".join(lines)


def _speedup_section(cpu: dict, gpu: dict) -> str:
    """The plain loop's time per step on the GPU against this CPU, case by case."""
    on_cpu = {r["case"]: r["plain_ms_per_step"] for r in cpu["rows"]}
    rows = [
        [
            r["case"],
            on_cpu[r["case"]],
            r["plain_ms_per_step"],
            f"{on_cpu[r['case']] / r['plain_ms_per_step']:.1f}x",
        ]
        for r in gpu["rows"]
        if r["case"] in on_cpu and r["plain_ms_per_step"] > 0
    ]
    return _table(
        [
            "case (plain loop)",
            "CPU (ms/step)",
            "GPU (ms/step)",
            "GPU speed-up",
        ],
        rows,
    )


def _section(path: Path, render: Callable[[dict], str]) -> tuple[str, bool]:
    """``(markdown, measured on a GPU)`` for one benchmark file.

    Raises:
        BuildInputError: the file is not valid JSON or lacks what ``render`` needs.
    """
    try:
        data = json.loads(path.read_text())
        return render(data), bool(data.get("machine", {}).get("gpu"))
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
    chapters = [
        _section(p, _chapters_section)
        for p in sorted(folder.glob("book_chapters_*.json"))
    ]
    fit_files = {
        p.stem.rsplit("_", 1)[1]: p
        for p in folder.glob("fit_vs_plain_*.json")
    }
    not_yet = ["*Not measured yet.*"]
    parts = ["## The training loop against a plain loop\n"]
    parts += [text for text, _ in fits] or not_yet
    if {"cpu", "cuda"} <= set(fit_files):
        parts.append("\n## One training step: GPU against this CPU\n")
        parts.append(
            _speedup_section(
                json.loads(fit_files["cpu"].read_text()),
                json.loads(fit_files["cuda"].read_text()),
            )
        )
    parallel = [
        _section(p, _stacked_section)
        for p in sorted(folder.glob("stacked_training_*.json"))
    ]
    if parallel:
        parts.append("\n## Many autoencoders trained as one\n")
        parts += [text for text, _ in parallel]
    parts.append("\n## The whole book\n")
    parts += [text for text, _ in builds] or not_yet
    for path in sorted(folder.glob("claims_anywhere_*.json")):
        parts.append("\n## The whole book with its seeds, on any machine\n")
        parts.append(_section(path, _seeded_builds_section)[0])
    if chapters:
        parts.append("\n## Every chapter on a GPU\n")
        parts += [text for text, _ in chapters]
    gpu_chapters = folder / "book_chapters_cuda.json"
    if {"cpu", "cuda"} <= set(fit_files) and gpu_chapters.exists():
        parts.append("\n## The GPU targets\n")
        parts.append(
            targets_markdown(
                json.loads(fit_files["cpu"].read_text()),
                json.loads(fit_files["cuda"].read_text()),
                json.loads(gpu_chapters.read_text()),
            )
        )
    if not any(gpu for _, gpu in fits + parallel + builds + chapters):
        parts.append(
            "\n```{note}\nNo GPU was available where these benchmarks ran, "
            "so this page has no GPU figures. "
            "Run `benchmarks/fit_vs_plain.py --device cuda` on a "
            "machine with one to add them.\n```"
        )
    return "\n\n".join(parts) + "\n"
