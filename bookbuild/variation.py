"""The page "How much do the numbers vary?": the build's own seeds first,
then the stored runs of ``benchmarks/seed_spread_*.json`` as a cross-check.

Part I's chapter 4 trains the three recurrent models, and Part II's chapter 3
the depth x noise sweep, with several seeds, recording each seed's test
error (``part1/<model>/test_l1/seed<seed>``,
``part2/ae/d<depth>/alpha<alpha>/test_mse/seed<seed>``); the chapters'
verdicts, and the report's findings, rest on those. This module reads them
from the build's records: per number, the seeds' mean and spread; per
comparison, whether the difference is larger than the scatter
(:func:`tutorial_lib.bookkeeping.verdicts.differs`).

``benchmarks/seed_spread.py`` trained the same runs on a GPU with five seeds
and stored every value; the page shows them after the build's own, and, at
the full profile, whether this build's value lies within their scatter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from scipy import stats

from bookbuild.errors import BuildInputError
from bookbuild.perfpage import measurement_note
from tutorial_lib.bookkeeping.verdicts import differs

DEPTHS = (2, 4, 6, 8)
ALPHAS = (0.1, 0.2, 0.3, 0.4)
PART1 = {
    "rnn": "RNN",
    "birnn": "bidirectional RNN",
    "bigru": "bidirectional GRU",
}


def _record_id(part: str, run: str) -> str:
    """The build's record id of a seed-spread run (``part1``/``part2`` names)."""
    if part == "part1":
        return f"part1/{run}/test_l1"
    depth, alpha = run.split("/")
    return f"part2/ae/d{depth}/alpha{alpha}/val_mse"


def _label(part: str, run: str) -> str:
    if part == "part1":
        return f"Part I, {PART1.get(run, run)}: test L1"
    depth, alpha = run.split("/")
    return f"Part II, depth {depth}, alpha {alpha}: validation MSE"


def load(path: Path) -> dict:
    """The stored seed spread, with ``values[(part, run)] = {seed: value}``.

    Raises:
        BuildInputError: not JSON, or runs without part, run, seed and value.
    """
    try:
        data = json.loads(Path(path).read_text())
        values: dict[tuple[str, str], dict[int, float]] = {}
        for r in data["runs"]:
            value = float(r["value"])
            if not np.isfinite(value):
                raise ValueError(
                    f"run {r['run']} seed {r['seed']}: {value}"
                )
            values.setdefault((r["part"], r["run"]), {})[int(r["seed"])] = (
                value
            )
        data["values"] = values
        data["machine"]["gpu"]
        return data
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise BuildInputError(
            f"{path}: not a seed spread this page can show "
            f"({type(err).__name__}: {err}); expected what "
            "benchmarks/seed_spread.py writes"
        ) from err


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.4g}"


def _numbers_table(
    data: dict, build: dict[str, float]
) -> tuple[str, list[str]]:
    """The per-number table, and the numbers whose build value is outside the scatter."""
    rows, outside = [], []
    header = "| number | seeds | mean | std | min | max | book's seed | this build |"
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for (part, run), by_seed in sorted(data["values"].items()):
        v = np.array(list(by_seed.values()))
        std = float(v.std(ddof=1)) if len(v) > 1 else None
        here = build.get(_record_id(part, run))
        mark = ""
        if here is not None and std is not None:
            if abs(here - v.mean()) > 2 * std:
                mark = " (outside 2 std)"
                outside.append(_label(part, run))
        lines.append(
            f"| {_label(part, run)} | {len(v)} | {_fmt(v.mean())} | {_fmt(std)} "
            f"| {_fmt(v.min())} | {_fmt(v.max())} "
            f"| {_fmt(by_seed.get(data.get('book_seed', 0)))} "
            f"| {_fmt(here)}{mark} |"
        )
        rows.append((part, run))
    return "\n".join(lines), outside


def comparisons(values: dict) -> list[tuple[str, list[float], list[float]]]:
    """The book's comparisons that the stored runs can judge: ``(what, a, b)``
    where the claim is that ``a`` is lower (better) than ``b``."""
    out = []
    p1 = {
        run: list(v.values())
        for (part, run), v in values.items()
        if part == "part1"
    }
    for better, worse in (
        ("bigru", "birnn"),
        ("bigru", "rnn"),
        ("birnn", "rnn"),
    ):
        if better in p1 and worse in p1:
            out.append(
                (
                    f"Part I: {PART1[better]} below {PART1[worse]}",
                    p1[better],
                    p1[worse],
                )
            )
    for alpha in ALPHAS:
        for a, b in ((2, 8), (4, 2), (6, 4), (4, 8), (6, 8)):
            va = values.get(("part2", f"{a}/{alpha}"))
            vb = values.get(("part2", f"{b}/{alpha}"))
            if va and vb:
                out.append(
                    (
                        f"Part II, alpha {alpha}: depth {a} below depth {b}",
                        list(va.values()),
                        list(vb.values()),
                    )
                )
    return out


def verdict(a: list[float], b: list[float]) -> str:
    """How the seeds judge "a below b": held, reversed, within the scatter
    or not judged."""
    if len(a) < 2 or len(b) < 2:
        return "not judged (fewer than 2 seeds on a side)"
    if not differs(a, b):
        return "within the scatter"
    if np.mean(a) < np.mean(b):
        return "holds, larger than the scatter"
    return "reversed, larger than the scatter"


def chance_of_a_false_ranking(n: int, k: float = 2.0) -> float:
    """How often the rule (:func:`differs`, means ``k`` combined standard
    errors apart) ranks two equal methods with ``n`` seeds a side, for
    normally scattered results: ``P(|t| > k)``, Student's t with ``2n - 2``
    degrees of freedom (equal scatter on both sides)."""
    if n < 2:
        raise ValueError(f"n must be at least 2 seeds a side, got {n}")
    return float(2 * stats.t.sf(k, df=2 * n - 2))


def _multiplicity_note(values: dict) -> str:
    """What the comparisons' count does to the rule's false rankings."""
    found = comparisons(values)
    sizes = [min(len(a), len(b)) for _, a, b in found]
    if not sizes or min(sizes) < 2:
        return ""
    n = min(sizes)
    chance = chance_of_a_false_ranking(n)
    return (
        f"\n\nThe rule is a loose test. With {n} seeds a side it ranks two "
        f"equal methods about {chance:.0%} of the time (for normally "
        f"scattered results); over the {len(found)} comparisons above, about "
        f"{chance * len(found):.1f} would be ranked by chance if no pair "
        "differed. No correction for that many comparisons is made. What "
        "guards the book's claims instead is repetition: "
        "`benchmarks/claims_anywhere.py` builds the book again with another "
        "base seed (which shares most of its seeds with this one, so "
        "it is only a partial repetition) and with another set of float "
        "kernels, and every claim must hold in each build."
    )


def _comparisons_table(values: dict) -> str:
    lines = [
        "| comparison | mean (first) | mean (second) | seeds | verdict |",
        "|---|---:|---:|---|---|",
    ]
    for what, a, b in comparisons(values):
        lines.append(
            f"| {what} | {_fmt(float(np.mean(a)))} | {_fmt(float(np.mean(b)))} "
            f"| {len(a)} and {len(b)} | {verdict(a, b)} |"
        )
    return "\n".join(lines)


SEED_RECORDS = {
    "part2": re.compile(
        r"part2/ae/d(?P<depth>\d+)/alpha(?P<alpha>[0-9.]+)/test_mse"
        r"/seed(?P<seed>\d+)"
    ),
    "part1": re.compile(r"part1/(?P<run>[a-z]+)/test_l1/seed(?P<seed>\d+)"),
}
"""The record of one seed, as Part II's chapter 3 (the sweep) and Part I's
chapter 4 (the three recurrent models) write it."""


def build_values(records: list[dict]) -> dict:
    """The build's own seeds: ``{("part2", "d/a"): {seed: v}, ("part1",
    run): {seed: v}}``, from the records of one profile (full where the
    build has any)."""
    values: dict[tuple[str, str], dict[int, float]] = {}
    profiles = {r.get("profile") for r in records}
    profile = "full" if "full" in profiles else "smoke"
    for r in records:
        if r.get("profile") != profile:
            continue
        for part, pattern in SEED_RECORDS.items():
            found = pattern.fullmatch(r["id"])
            if found is None:
                continue
            fields = found.groupdict()
            run = (
                fields.get("run") or f"{fields['depth']}/{fields['alpha']}"
            )
            values.setdefault((part, run), {})[int(fields["seed"])] = float(
                r["value"]
            )
    return values


def _own_label(part: str, run: str) -> str:
    """A row of this build's table: the number as its chapter records it."""
    if part == "part1":
        return f"Part I, {PART1.get(run, run)}: test L1"
    depth, alpha = run.split("/")
    return f"Part II, depth {depth}, alpha {alpha}: test MSE"


def build_markdown(records: list[dict]) -> str:
    """This build's seed spread (Part I's models, Part II's sweep), and its
    comparisons."""
    values = build_values(records)
    if not values:
        return "*This build recorded no seeds.*"
    lines = [
        "| number | seeds | mean | std | min | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for (part, run), by_seed in sorted(values.items()):
        v = np.array(list(by_seed.values()))
        std = float(v.std(ddof=1)) if len(v) > 1 else None
        lines.append(
            f"| {_own_label(part, run)} | {len(v)} | {_fmt(v.mean())} "
            f"| {_fmt(std)} | {_fmt(v.min())} | {_fmt(v.max())} |"
        )
    profile = {r.get("profile") for r in records}
    seeds = sorted({s for by_seed in values.values() for s in by_seed})
    return (
        f"*Part I's three models and Part II's sweep as this build trained "
        f"them ({'full' if 'full' in profile else 'smoke'} profile), seeds "
        f"{', '.join(map(str, seeds))}: each model's error on its held-out "
        "test data.*\n\n"
        + "\n".join(lines)
        + "\n\n### The comparisons, on this build's seeds\n\n"
        + _comparisons_table(values)
        + _multiplicity_note(values)
    )


def variation_markdown(benchmarks_dir: Path, records: list[dict]) -> str:
    """MyST markdown: this build's own seeds, then every stored seed spread in
    ``benchmarks_dir`` as a cross-check; this build's values are set beside
    the stored ones only where the build ran at the full profile."""
    own = "## This build's seeds\n\n" + build_markdown(records) + "\n"
    paths = sorted(Path(benchmarks_dir).glob("seed_spread_*.json"))
    paths = [p for p in paths if not p.stem.endswith("_smoke")]
    if not paths:
        return (
            own + "\n## Cross-check: stored runs\n\n"
            "*Not measured yet: run `benchmarks/seed_spread.py`.*\n"
        )
    full = {
        r["id"]: r["value"] for r in records if r.get("profile") == "full"
    }
    parts = []
    for path in paths:
        data = load(path)
        m = data["machine"]
        n_runs = sum(len(v) for v in data["values"].values())
        numbers, outside = _numbers_table(data, full)
        parts.append(
            f"### {m.get('gpu') or m.get('cpu')}\n\n"
            f"*{n_runs} runs, seeds {', '.join(map(str, data['seeds']))} "
            f"(the book's seed is {data.get('book_seed', 0)}), measured "
            f"{m.get('date', '?')} on {m.get('gpu') or 'no GPU'}, "
            f"{m.get('cores', '?')} CPU cores; Python {m.get('python', '?')}, "
            f"torch {m.get('torch', '?')}; file `benchmarks/{path.name}`.*"
        )
        if data.get("note"):
            parts.append(measurement_note(data["note"]))
        parts.append("#### Every number\n\n" + numbers)
        if full:
            placed = (
                "Every number of this build lies within two seed standard "
                "deviations of the stored runs' mean."
                if not outside
                else "Outside two seed standard deviations of the stored runs' "
                "mean: " + "; ".join(outside) + "."
            )
        else:
            placed = (
                "This build did not run at the full profile, so its values "
                "are not set beside the stored runs."
            )
        parts.append(placed)
        parts.append(
            "#### The book's comparisons\n\n"
            "A comparison holds beyond the scatter when the two means differ "
            "by more than twice the combined standard error "
            "(`tutorial_lib.bookkeeping.verdicts.differs`). Each row is its own test at "
            "about the 5 % level, with no correction for testing many rows: "
            "among twenty rows whose difference is not real, about one may "
            "still pass by chance, so read a single marginal pass with care.\n\n"
            + _comparisons_table(data["values"])
        )
    return (
        own
        + "\n## Cross-check: stored runs on a GPU\n\n"
        + "\n\n".join(parts)
        + "\n"
    )
