"""``make linkcheck``: Sphinx's linkcheck of the book's external links, and
what its report means.

The check needs no executed chapter: the links are in the prose and the
code. :func:`write_config` writes a copy of ``_config.yml`` that turns
execution off (and names the build's own extension by its absolute path, as
the copy lives elsewhere); the Makefile runs jupyter-book's linkcheck
builder with it and keeps its exit status. :func:`verdict` then reads
Sphinx's report (``output.json``, one JSON object per line) and tells three
outcomes apart:

``ok``
    every external link answered;
``broken``
    some link is broken: a server answered with an error (404, ...) or did
    not answer while others did;
``not-run``
    the check could not run: no report (the build failed first), a build
    that failed without reporting a broken link, a report with no external
    link, or not one link reached (no network).

:func:`main` writes the verdict to ``report.md`` in the linkcheck folder, to
``$GITHUB_OUTPUT`` as ``status=<outcome>`` (the weekly workflow reads it) and
to ``$GITHUB_STEP_SUMMARY``, and exits 0, 1 or 2 for the three outcomes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from bookbuild.errors import BuildInputError

# Where jupyter-book's linkcheck builder writes its report under
# ``--path-output DIR`` (DIR/_build/html/output.json).
REPORT = Path("_build") / "html" / "output.json"
# The exit status of the linkcheck build, written by the Makefile.
BUILD_STATUS = "build-status"
# The verdict, for people (kept as the weekly run's artifact).
SUMMARY = "report.md"
# The key of ``$GITHUB_OUTPUT`` that holds the outcome.
OUTPUT_KEY = "status"
EXIT = {"ok": 0, "broken": 1, "not-run": 2}
FAILED = ("broken", "timeout")
# Statuses of links that were not checked at all.
UNCHECKED = ("unchecked", "ignored", "local")


def write_config(source: Path, out: Path) -> Path:
    """``source`` (the book's ``_config.yml``) with execution off -> ``out``.

    ``sphinx.local_extensions`` paths are made absolute: jupyter-book
    resolves them against the folder of the configuration file.
    """
    config = yaml.safe_load(Path(source).read_text()) or {}
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    local = (config.get("sphinx") or {}).get("local_extensions") or {}
    for name, path in local.items():
        local[name] = str((Path(source).parent / path).resolve())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "# Written by `make linkcheck` (bookbuild/linkcheck.py) from "
        f"{Path(source).name}: execution off.\n"
        + yaml.safe_dump(config, sort_keys=False)
    )
    return out


def read_report(path: Path) -> list[dict]:
    """The entries of Sphinx's ``output.json`` (one JSON object a line)."""
    entries = []
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as err:
            raise BuildInputError(
                f"{path}, line {n}: not JSON ({err.msg})"
            ) from err
        if not isinstance(entry, dict) or "status" not in entry:
            raise BuildInputError(
                f"{path}, line {n}: expected an object with a status"
            )
        entries.append(entry)
    return entries


@dataclass
class Verdict:
    status: str  # "ok", "broken" or "not-run"
    text: str  # Markdown, for people


def _line(entry: dict) -> str:
    where = f"{entry.get('filename', '?')}:{entry.get('lineno', '?')}"
    info = str(entry.get("info") or "").strip()
    code = entry.get("code") or ""
    return (
        f"- {entry.get('uri', '?')} ({where}): {entry['status']}"
        + (f" {code}" if code else "")
        + (f": {info[:200]}" if info else "")
    )


def verdict(report: Path, build_status: int | None) -> Verdict:
    """What the linkcheck build's report (and exit status) says."""
    if build_status is None:
        return Verdict(
            "not-run",
            "The link check could not run: the linkcheck build did not "
            "finish (no exit status recorded).",
        )
    if not Path(report).is_file():
        return Verdict(
            "not-run",
            "The link check could not run: the linkcheck build "
            f"(exit status {build_status}) wrote no report ({report}); "
            "see the build's log.",
        )
    entries = read_report(report)
    checked = [e for e in entries if e["status"] not in UNCHECKED]
    failed = [e for e in checked if e["status"] in FAILED]
    if not checked:
        return Verdict(
            "not-run",
            f"The link check could not run: the report ({report}) lists no "
            f"external link (build exit status {build_status}).",
        )
    # A server that answered gives its HTTP status as the code; a link
    # that could not be reached at all has code 0.
    reached = [
        e
        for e in checked
        if e["status"] not in FAILED or int(e.get("code") or 0) != 0
    ]
    if not reached:
        return Verdict(
            "not-run",
            f"The link check could not run: not one of the {len(checked)} "
            "external links could be reached (no network?). The first:\n\n"
            + "\n".join(_line(e) for e in failed[:3]),
        )
    if failed:
        return Verdict(
            "broken",
            f"{len(failed)} of {len(checked)} external links are broken:\n\n"
            + "\n".join(_line(e) for e in failed),
        )
    if build_status != 0:
        return Verdict(
            "not-run",
            f"The link check could not run: the linkcheck build failed "
            f"(exit status {build_status}) without reporting a broken "
            "link; see the build's log.",
        )
    return Verdict("ok", f"All {len(checked)} external links answered.")


def main(folder: Path, environ: dict | None = None) -> int:
    """Read the linkcheck build in ``folder``; write the verdict; its exit code."""
    environ = os.environ if environ is None else environ
    status_file = Path(folder) / BUILD_STATUS
    try:
        build_status = int(status_file.read_text().strip())
    except (OSError, ValueError):
        build_status = None
    try:
        result = verdict(Path(folder) / REPORT, build_status)
    except BuildInputError as err:
        result = Verdict("not-run", f"The link check could not run: {err}")
    text = f"## Link check: {result.status}\n\n{result.text}\n"
    (Path(folder) / SUMMARY).write_text(text)
    print(text)
    if environ.get("GITHUB_OUTPUT"):
        with open(environ["GITHUB_OUTPUT"], "a") as out:
            out.write(f"{OUTPUT_KEY}={result.status}\n")
    if environ.get("GITHUB_STEP_SUMMARY"):
        with open(environ["GITHUB_STEP_SUMMARY"], "a") as out:
            out.write(text)
    return EXIT[result.status]
