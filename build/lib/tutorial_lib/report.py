"""The reproduction report: every headline number beside the write-up's own value.

:func:`report_markdown` turns the records gathered into ``_build/results.json``
(see :mod:`tutorial_lib.results`) into one Markdown page. Nothing in it is
typed by hand: the build regenerates it from the records every time.

Whether a number "reaches" the original depends on its direction: for an
error or a loss lower is better, for a signal-to-noise ratio or an accuracy
higher is better. :func:`direction` decides from the result's id.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Mapping, Sequence

LOWER_IS_BETTER = ("loss", "l1", "l2", "mse", "mae", "rmse", "error", "err", "nrmse")
HIGHER_IS_BETTER = ("snr", "psnr", "accuracy", "acc", "r2", "gain", "improvement")
CLOSE = 0.10
"""A result within 10 % of the original, on the wrong side of it, counts as close."""

MARKS = {
    "reached": "✓ reached",
    "close": "≈ within 10 %",
    "missed": "✗ **not reached**",
    "none": "· no reference",
    "unknown": "· direction unknown",
}
REQUIRED = ("id", "value", "reference", "profile", "device", "seconds")


def direction(id: str) -> str | None:
    """``"lower"``, ``"higher"`` or ``None``, from the last part of a result id.

    ``part1/rnn/test_l1`` -> ``"lower"``; ``part2/depth4/snr_db`` -> ``"higher"``.
    """
    words = id.rsplit("/", 1)[-1].replace("-", "_").replace(".", "_").split("_")
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
    return "close" if abs(value - reference) <= CLOSE * abs(reference) else "missed"


def _check(records: Sequence[Mapping]) -> None:
    if not isinstance(records, Sequence) or isinstance(records, (str, bytes)):
        raise ValueError(f"records must be a list of dicts (as in _build/results.json), got {type(records).__name__}")
    for i, entry in enumerate(records):
        if not isinstance(entry, Mapping):
            raise ValueError(f"record {i} must be a dict, got {type(entry).__name__}")
        missing = [key for key in REQUIRED if key not in entry]
        if missing:
            raise ValueError(f"record {i} ({entry.get('id', '?')!r}) lacks {', '.join(missing)}; expected the keys {REQUIRED}")


def _number(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.4g}"


def _ratio(value: float, reference: float | None) -> str:
    if reference is None or reference == 0:
        return "—"
    return f"{value / reference:.3g}"


def report_markdown(records: Sequence[Mapping], *, build_versions: Mapping[str, str] | None = None) -> str:
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
    build_versions = dict(build_versions or {"python": platform.python_version()})
    lines: list[str] = []
    if not records:
        lines += [
            "```{note}",
            "No headline numbers were recorded in this build yet: the chapters record them as they execute.",
            "```",
            "",
        ]
        return "\n".join(lines + _versions_block(build_versions))

    profiles = sorted({str(e["profile"]) for e in records})
    devices = sorted({str(e["device"]) for e in records})
    torches = sorted({str(e.get("torch", "—")) for e in records})
    # What every record shares is said once; what varies gets a column.
    varying = [(key, title) for key, title, values in (("profile", "profile", profiles), ("device", "device", devices),
                                                       ("torch", "torch", torches)) if len(values) > 1]
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
            other_rows.append(f"| `{entry['id']}` | {_number(value)} | {seconds} |{extra}")
        else:
            compared_rows.append(
                f"| `{entry['id']}` | {_number(value)} | {_number(reference)} | {_ratio(value, reference)} "
                f"| {MARKS[mark]} | {seconds} |{extra}"
            )

    compared = len(compared_rows)
    lines.append(
        f"**{len(records)} headline numbers**, {compared} of them with a value in the write-ups: "
        f"{counts['reached']} reach the original, {counts['close']} come within {CLOSE:.0%} of it, "
        f"**{counts['missed']} do not reach it**."
    )
    lines.append("")
    lines.append(f"Profile: {', '.join(profiles)}. Device: {', '.join(devices)}. PyTorch: {', '.join(torches)}.")
    lines.append("")
    if profiles != ["full"]:
        lines += [
            "```{warning}",
            "Some numbers here come from the `smoke` profile: tiny data sets and a few training steps, "
            "so that the tests run in seconds. They say that the code runs, not how well it reproduces "
            "the write-ups; build with the `full` profile for that.",
            "```",
            "",
        ]
    head = "".join(f" {title} |" for _, title in varying)
    rule = " --- |" * len(varying)
    if compared_rows:
        lines += [
            "## Beside the write-ups",
            "",
            f"| result | this book | write-up | ratio | | seconds |{head}",
            f"| --- | ---: | ---: | ---: | --- | ---: |{rule}",
            *compared_rows,
            "",
            "*Ratio* is this book's value divided by the write-up's. For errors and losses lower is "
            "better, for signal-to-noise ratios higher is better; *seconds* is what producing the number "
            "cost (usually its training time).",
            "",
        ]
    if other_rows:
        lines += [
            "## The book's own numbers",
            "",
            "Numbers the write-ups do not give (checks of the data, the book's further experiments):",
            "",
            f"| result | this book | seconds |{head}",
            f"| --- | ---: | ---: |{rule}",
            *other_rows,
            "",
        ]
    return "\n".join(lines + _versions_block(build_versions))


def _versions_block(build_versions: Mapping[str, str]) -> list[str]:
    listed = ", ".join(f"{k} {v}" for k, v in build_versions.items())
    return [f"This page was generated with {listed}.", ""]
