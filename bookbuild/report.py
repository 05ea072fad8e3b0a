"""The reproduction report: every headline number beside the write-up's own value.

:func:`report_markdown` turns the records gathered into ``_build/results.json``
(see :mod:`bookbuild.gather`) into one Markdown page. Nothing in it is
typed by hand: the build regenerates it from the records every time.

Whether a number matches the original depends on how far it lies from it,
and in which direction: for an error or a loss lower is better, for a
signal-to-noise ratio or an accuracy higher is better (:func:`direction`
decides from the result's id). A number within :data:`MATCH` of the
write-up's matches it; one further away on the better side is *better*,
which is not a reproduction either: it says the book's experiment differs
from the write-up's. The findings table (:mod:`bookbuild.findings`) says
which of the write-ups' conclusions hold.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Mapping, Sequence

from bookbuild.findings import findings_markdown
from bookbuild.gather import validate_claim, validate_record

LOWER_IS_BETTER = (
    "loss",
    "l1",
    "l2",
    "mse",
    "mae",
    "rmse",
    "error",
    "err",
    "nrmse",
)
HIGHER_IS_BETTER = (
    "snr",
    "psnr",
    "accuracy",
    "acc",
    "r2",
    "gain",
    "improvement",
)
MATCH = 1.25
"""A result within a factor of 1.25 of the original, either way, matches it
(the write-ups' numbers are one unseeded run each, or read off a figure)."""

MARKS = {
    "matched": "≈ matches (within a factor of 1.25)",
    "better": "↓ better than the write-up",
    "worse": "✗ **worse than the write-up**",
    "none": "· no reference",
    "unknown": "· direction unknown",
}


def direction(id: str) -> str | None:
    """``"lower"``, ``"higher"`` or ``None``, from the last part of a result id.

    ``part1/rnn/test_l1`` -> ``"lower"``; ``part2/depth4/snr_db`` -> ``"higher"``.
    """
    words = (
        id.rsplit("/", 1)[-1].replace("-", "_").replace(".", "_").split("_")
    )
    if any(w in LOWER_IS_BETTER for w in words):
        return "lower"
    if any(w in HIGHER_IS_BETTER for w in words):
        return "higher"
    return None


def verdict(id: str, value: float, reference: float | None) -> str:
    """One of the keys of :data:`MARKS`: how ``value`` compares with ``reference``."""
    if reference is None:
        return "none"
    sense = direction(id)
    if sense is None:
        return "unknown"
    if reference == 0 or value == 0 or (value > 0) != (reference > 0):
        matched = value == reference
    else:
        matched = 1 / MATCH <= value / reference <= MATCH
    if matched:
        return "matched"
    better = value < reference if sense == "lower" else value > reference
    return "better" if better else "worse"


def _check(records: Sequence[Mapping]) -> None:
    if not isinstance(records, Sequence) or isinstance(
        records, (str, bytes)
    ):
        raise ValueError(
            "records must be a list of dicts (as in _build/results.json), "
            f"got {type(records).__name__}"
        )
    for i, entry in enumerate(records):
        validate_record(entry, f"record {i}")


def _number(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.4g}"


def _ratio(value: float, reference: float | None) -> str:
    if reference is None or reference == 0:
        return "—"
    return f"{value / reference:.3g}"


def _rows(
    records: Sequence[Mapping],
    varying: list[tuple[str, str]],
) -> tuple[dict[str, int], list[str], list[str]]:
    """Verdict counts, the rows with a reference and the rows without one."""
    counts = {key: 0 for key in MARKS}
    compared_rows, other_rows = [], []
    for entry in sorted(records, key=lambda e: e["id"]):
        value, reference = float(entry["value"]), entry["reference"]
        reference = None if reference is None else float(reference)
        mark = verdict(entry["id"], value, reference)
        counts[mark] += 1
        extra = "".join(f" {entry.get(key, '—')} |" for key, _ in varying)
        seconds = f"{float(entry['seconds']):.1f}"
        if reference is None:
            other_rows.append(
                f"| `{entry['id']}` | {_number(value)} | {seconds} |{extra}"
            )
        else:
            compared_rows.append(
                f"| `{entry['id']}` | {_number(value)} | {_number(reference)} "
                f"| {_ratio(value, reference)} | {MARKS[mark]} | {seconds} |{extra}"
            )
    return counts, compared_rows, other_rows


def _summary(
    records: Sequence[Mapping],
    counts: dict[str, int],
    compared: int,
    found: dict[str, list[str]],
) -> list[str]:
    """The opening sentences, and a warning for smoke-profile numbers."""
    lines = [
        f"**{len(records)} headline numbers**, {compared} of them with a value in "
        f"the write-ups: {counts['matched']} match the original (within a "
        f"factor of {MATCH}), {counts['better']} are better than it by more "
        f"than that, **{counts['worse']} are worse**. A number far better "
        "than the original is no reproduction of it: it means the book's "
        "experiment differs, and the findings below say which of the "
        "write-ups' conclusions survive.",
        "",
        f"Profile: {', '.join(found['profile'])}. "
        f"Device: {', '.join(found['device'])}. "
        f"PyTorch: {', '.join(found['torch'])}.",
        "",
    ]
    if found["profile"] != ["full"]:
        lines += [
            "```{warning}",
            "Some numbers here come from the `smoke` profile: tiny data sets and a few "
            "training steps, so that the tests run in seconds. They say that the code "
            "runs, not how well it reproduces the write-ups; build with the `full` "
            "profile for that.",
            "```",
            "",
        ]
    return lines


def _tables(
    compared_rows: list[str],
    other_rows: list[str],
    varying: list[tuple[str, str]],
) -> list[str]:
    """The two tables: numbers beside the write-ups', and the book's own."""
    head = "".join(f" {title} |" for _, title in varying)
    rule = " --- |" * len(varying)
    lines: list[str] = []
    if compared_rows:
        lines += [
            "## Beside the write-ups",
            "",
            f"| result | this book | write-up | ratio | | seconds |{head}",
            f"| --- | ---: | ---: | ---: | --- | ---: |{rule}",
            *compared_rows,
            "",
            "*Ratio* is this book's value divided by the write-up's. For errors and "
            "losses lower is better, for signal-to-noise ratios higher is better; "
            "*seconds* is what producing the number cost (usually its training time).",
            "",
        ]
    if other_rows:
        lines += [
            "## The book's own numbers",
            "",
            "Numbers the write-ups do not give (checks of the data, the book's further "
            "experiments):",
            "",
            f"| result | this book | seconds |{head}",
            f"| --- | ---: | ---: |{rule}",
            *other_rows,
            "",
        ]
    return lines


def _cell(text: str) -> str:
    """``text`` fit for one cell of a Markdown table."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _claim_row(claim: Mapping) -> str:
    verdict = "held" if claim["held"] else "**FAILED**"
    if claim["profile"] == "smoke":
        verdict += " (not enforced at smoke size)"
    numbers = ", ".join(
        f"{_cell(name)}={float(value):.4g}"
        for name, value in claim["values"].items()
    )
    return (
        f"| {_cell(claim['chapter'])} | {_cell(claim['statement'])} "
        f"| {verdict} | {margin_text(claim.get('margin'))} "
        f"| {numbers or '—'} |"
    )


def margin_text(margin: float | None) -> str:
    """A claim's margin for the table: ``12.3 %``, ``exact`` (an exact
    fact, infinite margin) or ``—`` (none recorded: a plain bool)."""
    if margin is None:
        return "—"
    if math.isinf(margin):
        return "exact" if margin > 0 else "exact, false"
    return f"{margin:.1%}".replace("%", " %")


def claims_markdown(claims: Sequence[Mapping] | None) -> list[str]:
    """The section "Claims the build checked", as lines, for ``claims``.

    ``claims`` are dicts as in ``_build/claims.json`` (see
    :func:`bookbuild.gather.validate_claim`), in chapter order; ``None``
    means that there is no claims file. A claim that did not hold at profile
    ``full`` stops its chapter, so it should never get here; one that does
    is listed first, under a warning.

    Raises:
        ValueError: ``claims`` is not a list of such dicts.
    """
    lines = ["## Claims the build checked", ""]
    if claims is None:
        return lines + [
            "No claims file was found, so this page lists no claims: "
            "`python -m bookbuild gather` writes `_build/claims.json`.",
            "",
        ]
    if not isinstance(claims, Sequence) or isinstance(claims, (str, bytes)):
        raise ValueError(
            "claims must be a list of dicts (as in _build/claims.json), "
            f"got {type(claims).__name__}"
        )
    for i, claim in enumerate(claims):
        validate_claim(claim, f"claim {i}")
    if not claims:
        return lines + ["No chapter checked a claim in this build.", ""]

    def stops(claim: Mapping) -> bool:  # should have stopped its chapter
        return claim["profile"] == "full" and not claim["held"]

    broken = [c for c in claims if stops(c)]
    rest = [c for c in claims if not stops(c)]
    failed = sum(not c["held"] for c in claims)
    lines += [
        f"Each chapter checks the sentences it states against its own "
        f"numbers: **{len(claims)} claims**, {len(claims) - failed} held, "
        f"**{failed} did not hold**.",
        "",
    ]
    if broken:
        lines += [
            "```{danger}",
            f"**{len(broken)} claims did not hold at full size**, listed first "
            "below: the book states sentences that its own numbers "
            "contradict. A failed claim stops its chapter at full size, so "
            "these come from an execution that did not stop; fix the "
            "sentence or the experiment, and build again.",
            "```",
            "",
        ]
    if any(c["profile"] == "smoke" for c in claims):
        lines += [
            "At smoke size a claim is checked but not enforced: on tiny data "
            "a failed claim says little about the full-size experiment.",
            "",
        ]
    return lines + [
        "A claim's **margin** is how far it is from failing: the smallest gap "
        "among the comparisons it rests on, as a fraction of the numbers "
        "compared, after the seed-to-seed scatter for comparisons over seeds "
        "(`tutorial_lib.bookkeeping.verdicts`). *Exact* marks a claim about "
        "exact facts only, *—* one checked as a plain yes or no.",
        "",
        "| chapter | claim | | margin | numbers |",
        "| --- | --- | --- | --- | --- |",
        *(_claim_row(c) for c in broken + rest),
        "",
    ]


def report_markdown(
    records: Sequence[Mapping],
    *,
    build_versions: Mapping[str, str] | None = None,
    claims: Sequence[Mapping] | None = None,
    seeds: Mapping | None = None,
) -> str:
    """The report page's body (Markdown, no title) for ``records``.

    Args:
        records: dicts with at least ``id, value, reference, profile, device,
            seconds`` (``torch`` and ``recorded_at`` when present are shown).
        build_versions: package versions of the environment that wrote the
            page (default: Python's, from :mod:`platform`, only).
        claims: the gathered claims, listed last (:func:`claims_markdown`;
            ``None``: there is no claims file, which the page says).
        seeds: the build's own seeds for the findings table
            (:func:`bookbuild.variation.build_values`; ``None``: none recorded).

    Raises:
        ValueError: ``records`` or ``claims`` is not a list of such dicts.
    """
    _check(records)
    claim_lines = claims_markdown(claims)
    finding_lines = [
        "## Findings",
        "",
        "Each write-up's headline conclusions, and the book's own, with what "
        "this build found. An outcome is shown only when every chapter claim "
        "it rests on was checked and held in this build (and, where named, "
        "the seed-to-seed comparison agrees); otherwise the row says what is "
        "missing.",
        "",
        findings_markdown(claims, seeds),
    ]
    build_versions = dict(
        build_versions or {"python": platform.python_version()}
    )
    if not records:
        return "\n".join(
            [
                "```{note}",
                "No headline numbers were recorded in this build yet: the chapters "
                "record them as they execute.",
                "```",
                "",
                *finding_lines,
                *claim_lines,
                *_versions_block(build_versions),
            ]
        )
    found = {
        key: sorted({str(e.get(key, "—")) for e in records})
        for key in ("profile", "device", "torch")
    }
    # What every record shares is said once; what varies gets a column.
    varying = [
        (key, key)
        for key in ("profile", "device", "torch")
        if len(found[key]) > 1
    ]
    counts, compared_rows, other_rows = _rows(records, varying)
    lines = _summary(records, counts, len(compared_rows), found)
    lines += finding_lines
    lines += _tables(compared_rows, other_rows, varying)
    return "\n".join(lines + claim_lines + _versions_block(build_versions))


def _versions_block(build_versions: Mapping[str, str]) -> list[str]:
    listed = ", ".join(f"{k} {v}" for k, v in build_versions.items())
    return [f"This page was generated with {listed}.", ""]
