"""The reproduction report: every headline number beside the write-up's own value.

:func:`report_markdown` turns the records gathered into ``_build/results.json``
(see :mod:`bookbuild.gather`) into one Markdown page. Nothing in it is
typed by hand: the build regenerates it from the records every time.

Whether a number "reaches" the original depends on its direction: for an
error or a loss lower is better, for a signal-to-noise ratio or an accuracy
higher is better. :func:`direction` decides from the result's id.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence

from bookbuild.gather import validate_record

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
CLOSE = 0.10
"""A result within 10 % of the original, on the wrong side of it, counts as close."""

MARKS = {
    "reached": "✓ reached",
    "close": "≈ within 10 %",
    "missed": "✗ **not reached**",
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
    better = value <= reference if sense == "lower" else value >= reference
    if better:
        return "reached"
    return (
        "close"
        if abs(value - reference) <= CLOSE * abs(reference)
        else "missed"
    )


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
        f"the write-ups: {counts['reached']} reach the original, {counts['close']} "
        f"come within {CLOSE:.0%} of it, **{counts['missed']} do not reach it**.",
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


def report_markdown(
    records: Sequence[Mapping],
    *,
    build_versions: Mapping[str, str] | None = None,
) -> str:
    """The report page's body (Markdown, no title) for ``records``.

    Args:
        records: dicts with at least ``id, value, reference, profile, device,
            seconds`` (``torch`` and ``recorded_at`` when present are shown).
        build_versions: package versions of the environment that wrote the
            page (default: Python's, from :mod:`platform`, only).

    Raises:
        ValueError: ``records`` is not a list of such dicts.
    """
    _check(records)
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
    lines += _tables(compared_rows, other_rows, varying)
    return "\n".join(lines + _versions_block(build_versions))


def _versions_block(build_versions: Mapping[str, str]) -> list[str]:
    listed = ", ".join(f"{k} {v}" for k, v in build_versions.items())
    return [f"This page was generated with {listed}.", ""]
