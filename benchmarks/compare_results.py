"""Two builds' headline numbers, record by record.

    python benchmarks/compare_results.py BEFORE.json AFTER.json [--rtol 0]

Reads two ``_build/results.json`` files and prints one line a record id:
equal, changed (with both values and the relative change), only before, or
only after. Exits 1 when any value differs by more than ``--rtol`` or when
the two files hold different ids, so a refactor that should keep the book's
numbers can be checked with one command.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path


def load(path: Path) -> dict[str, float]:
    """``{id: value}`` of one results file."""
    try:
        entries = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise SystemExit(
            f"error: cannot read results file {path}: {err}"
        ) from err
    if not isinstance(entries, list):
        raise SystemExit(
            f"error: {path} holds {type(entries).__name__}; expected a list"
        )
    return {entry["id"]: entry["value"] for entry in entries}


def compare(
    before: dict, after: dict, rtol: float
) -> tuple[list[str], int]:
    """One line a record id, and how many of them differ."""
    lines, differing = [], 0
    for key in sorted(before.keys() | after.keys()):
        if key not in after:
            lines.append(f"only before  {key} = {before[key]:.6g}")
        elif key not in before:
            lines.append(f"only after   {key} = {after[key]:.6g}")
        elif math.isclose(
            before[key], after[key], rel_tol=rtol, abs_tol=0.0
        ):
            lines.append(f"equal        {key} = {after[key]:.6g}")
            continue
        else:
            change = (
                (after[key] - before[key]) / abs(before[key])
                if before[key]
                else math.inf
            )
            lines.append(
                f"changed      {key}: {before[key]:.6g} -> {after[key]:.6g} ({change:+.2%})"
            )
        differing += 1
    return lines, differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument(
        "--rtol", type=float, default=0.0, help="relative tolerance"
    )
    args = parser.parse_args(argv)
    before, after = load(args.before), load(args.after)
    lines, differing = compare(before, after, args.rtol)
    print("\n".join(lines))
    total = len(before.keys() | after.keys())
    print(
        f"{total - differing} of {total} records equal, {differing} differ"
    )
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
