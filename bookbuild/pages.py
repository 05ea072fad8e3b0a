"""Pages generated from the results at build time: ``_build/generated/<name>.md``.

``python -m bookbuild pages --profile full`` writes one Markdown file per
generator; a page in ``book/`` includes it with
```` ```{include} ../_build/generated/<name>.md``` ````. The build runs it
before and after executing the chapters (see the Makefile), so the pages show
the records the chapters have just written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from bookbuild.errors import BuildInputError
from bookbuild.gather import validate_claim, validate_record
from bookbuild.leaderboard import leaderboard_markdown
from bookbuild.perfpage import performance_markdown
from bookbuild.report import report_markdown
from bookbuild.status import status_markdown
from bookbuild.variation import build_values, variation_markdown
from tutorial_lib.bookkeeping.files import write_text_atomically
from tutorial_lib.runtime import versions


def _json_list(path: Path, what: str) -> list:
    """The JSON list of ``what`` (records or claims) in a gathered file."""
    try:
        items = json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise BuildInputError(f"{path}: not readable JSON ({err})") from err
    if not isinstance(items, list):
        raise BuildInputError(
            f"{path}: expected a JSON list of {what}, got {type(items).__name__}"
        )
    return items


def read_results(path: Path) -> list[dict]:
    """The records in a gathered results JSON file, each checked.

    Raises:
        BuildInputError: the file is missing, is not a JSON list, or holds a
            record that is not usable (the message names the file and record).
    """
    if not Path(path).is_file():
        raise BuildInputError(
            f"results file {path} does not exist; "
            "run `python -m bookbuild gather` first"
        )
    records = _json_list(path, "records")
    first: dict[str, int] = {}
    for i, entry in enumerate(records):
        validate_record(entry, f"{path}, record {i}")
        if entry["id"] in first:
            raise BuildInputError(
                f"{path}: records {first[entry['id']]} and {i} both have id "
                f"{entry['id']!r}; expected each id once"
            )
        first[entry["id"]] = i
    return records


def read_claims(path: Path) -> list[dict] | None:
    """The claims in a gathered claims JSON file, each checked; ``None``
    when there is no such file (the report then says so).

    Raises:
        BuildInputError: the file is not a JSON list, or holds a claim that
            is not usable (the message names the file and the claim).
    """
    if not Path(path).is_file():
        return None
    claims = _json_list(path, "claims")
    for i, entry in enumerate(claims):
        validate_claim(entry, f"{path}, claim {i}")
    return claims


def generate(
    records: list[dict],
    *,
    out: Path,
    benchmarks: Path,
    cache: Path,
    claims: list[dict] | None = None,
    alone: dict[str, float] | None = None,
) -> dict[str, Path]:
    """Write every generated page into ``out``; return ``{name: path}``.

    ``cache`` is the profile's execution cache (``_build/.jupyter_cache-<profile>``),
    which the status page reads; ``claims`` are the gathered claims the report
    lists (``None``: no claims file); ``alone`` what each chapter takes when
    it trains every run it uses (a column of the status page).
    """
    pages: dict[str, Callable[[], str]] = {
        "report": lambda: report_markdown(
            records,
            build_versions=versions(),
            claims=claims,
            seeds=build_values(records) or None,
        ),
        "leaderboard": lambda: leaderboard_markdown(records),
        "performance": lambda: performance_markdown(benchmarks),
        "status": lambda: status_markdown(cache, alone=alone),
        "variation": lambda: variation_markdown(benchmarks, records),
    }
    written = {}
    for name, make in pages.items():
        text = make()
        if not isinstance(text, str):
            raise ValueError(
                f"the {name} page generator returned {type(text).__name__}; "
                "expected Markdown text"
            )
        path = Path(out) / f"{name}.md"
        write_text_atomically(
            path, text if text.endswith("\n") else text + "\n"
        )
        written[name] = path
    return written
