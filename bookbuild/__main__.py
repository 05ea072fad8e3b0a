"""Command line of the book's build: ``python -m bookbuild {gather,pages,colab,runs,linkcheck-config,linkcheck} ...``.

Run from the repository's root (the Makefile does); see :mod:`bookbuild`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bookbuild import linkcheck
from bookbuild.colab import write_editions
from bookbuild.errors import BuildInputError
from bookbuild.gather import (
    gather,
    gather_claims,
    toc_chapters,
    toc_notebooks,
    unlisted,
    write_results,
)
from bookbuild.pages import generate, read_claims, read_results
from bookbuild.runs import pack
from tutorial_lib.bookkeeping.cost import read_cost
from tutorial_lib.bookkeeping.folders import artifacts_dir, book_root
from tutorial_lib.bookkeeping.records import records_dir
from tutorial_lib.profile import build_label

PROFILES = ("full", "smoke")


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per build step, both listed in --help."""
    root = book_root() or Path.cwd()
    main_parser = argparse.ArgumentParser(
        prog="python -m bookbuild", description="The book's build steps."
    )
    sub = main_parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND"
    )
    g = sub.add_parser(
        "gather",
        help="collect the chapters' records (and claims) into JSON files",
    )
    g.add_argument("--profile", required=True, choices=PROFILES)
    g.add_argument(
        "--out", required=True, type=Path, help="the results JSON to write"
    )
    g.add_argument(
        "--claims-out",
        type=Path,
        default=None,
        help="the claims JSON to write (default: claims.json next to --out)",
    )
    g.add_argument(
        "--records",
        type=Path,
        default=None,
        help="the profile's records folder (default: the book's)",
    )
    g.add_argument(
        "--toc",
        type=Path,
        default=root / "_toc.yml",
        help="the table of contents that lists the chapters to read",
    )
    g.add_argument(
        "--missing-ok",
        action="store_true",
        help="a missing records folder gives no records (a fresh build's first pass)",
    )
    p = sub.add_parser(
        "pages",
        help="write the generated pages (report, leaderboard, performance)",
    )
    p.add_argument("--profile", required=True, choices=PROFILES)
    p.add_argument(
        "--results",
        type=Path,
        default=None,
        help="a gathered results JSON file (default: gather the profile's records now)",
    )
    p.add_argument(
        "--claims",
        type=Path,
        default=None,
        help="a gathered claims JSON file (default: claims.json next to "
        "--results; without --results: gather the claims now)",
    )
    p.add_argument(
        "--toc",
        type=Path,
        default=root / "_toc.yml",
        help="without --results: the chapters to gather",
    )
    p.add_argument(
        "--out", type=Path, default=root / "_build" / "generated"
    )
    p.add_argument("--benchmarks", type=Path, default=root / "benchmarks")
    c = sub.add_parser(
        "linkcheck-config",
        help="write _config.yml with execution off for the linkcheck build",
    )
    c.add_argument("--config", type=Path, default=root / "_config.yml")
    c.add_argument("--out", required=True, type=Path)
    k = sub.add_parser(
        "linkcheck",
        help="read the linkcheck build's report: exit 0 (links answer), "
        "1 (a link is broken) or 2 (the check could not run)",
    )
    k.add_argument(
        "--dir",
        required=True,
        type=Path,
        help="the linkcheck build's --path-output folder",
    )
    c = sub.add_parser(
        "colab",
        help="write each chapter's Colab edition (directives and glue resolved)",
    )
    c.add_argument(
        "--toc",
        type=Path,
        default=root / "_toc.yml",
        help="the table of contents that lists the chapters",
    )
    c.add_argument(
        "--out",
        type=Path,
        default=root / "_build" / "colab",
        help="where the editions go (the colab branch's tree)",
    )
    c.add_argument(
        "--sources",
        type=Path,
        default=root / "_build" / "html" / "_sources",
        help="the site's download copies, replaced by the editions",
    )
    r = sub.add_parser(
        "runs",
        help="pack the profile's saved runs and their SHA-256 sums to publish",
    )
    r.add_argument("--profile", required=True, choices=PROFILES)
    r.add_argument(
        "--out",
        required=True,
        type=Path,
        help="the archive to write (.zip)",
    )
    return main_parser


def check_out(path: Path, option: str, *, folder: bool) -> None:
    """BuildInputError unless ``path`` can be written as a file (or, with
    ``folder``, a folder): no file where a folder on its way should be, and
    not a folder where the file should be (or the other way round)."""
    path = Path(path)
    above = next((p for p in path.parents if p.exists()), None)
    if above is not None and not above.is_dir():
        raise BuildInputError(
            f"{option} {path}: {above} is a file, not a folder; expected a "
            "path under a folder"
        )
    if path.exists() and path.is_dir() != folder:
        kind, expected = (
            ("a file", "a folder") if folder else ("a folder", "a file")
        )
        raise BuildInputError(
            f"{option} {path} is {kind}; expected {expected} or a new path"
        )


def profile_records(profile: str) -> Path:
    """:func:`records_dir` of ``profile``, a bad setting (a relative
    ``TUTORIAL_RESULTS_DIR``, say) as a BuildInputError."""
    try:
        return records_dir(profile)
    except ValueError as err:
        raise BuildInputError(str(err)) from err


def run_gather(args: argparse.Namespace) -> None:
    """``gather``: the records of the chapters ``_toc.yml`` lists -> ``args.out``,
    their claims -> ``args.claims_out`` (default: ``claims.json`` beside it)."""
    folder = args.records or profile_records(args.profile)
    claims_out = args.claims_out or args.out.with_name("claims.json")
    if claims_out.resolve() == args.out.resolve():
        raise BuildInputError(
            f"the results and the claims would both go to {args.out}; "
            "expected another --out or --claims-out"
        )
    check_out(args.out, "--out", folder=False)
    check_out(claims_out, "--claims-out", folder=False)
    chapters = toc_chapters(args.toc)
    if args.missing_ok and not folder.is_dir():
        entries, claims = [], []
    else:
        entries = gather(folder, chapters)
        claims = gather_claims(folder, chapters)
    write_results(entries, args.out)
    write_results(claims, claims_out)
    print(
        f"{len(entries)} records of {len(chapters)} chapters from {folder} "
        f"-> {args.out}"
    )
    print(f"{len(claims)} claims -> {claims_out}")
    left_out = unlisted(folder, chapters)
    if left_out:
        print(
            f"left out (not chapters in {args.toc.name}): {', '.join(left_out)}"
        )


def chapter_costs(folder: Path, chapters: list[str]) -> dict | None:
    """``{chapter: seconds}`` each chapter takes alone, training every run it
    uses, as its last execution saved in ``folder``; None when none did."""
    costs = {c: read_cost(folder / c) for c in chapters}
    found = {c: x["alone"] for c, x in costs.items() if x is not None}
    return found or None


def run_pages(args: argparse.Namespace) -> None:
    """``pages``: the results (and claims) -> one Markdown file per page.

    The claims come from ``--claims``, else from ``claims.json`` next to
    ``--results``, else (no ``--results``) from the records folder now; a
    claims file that does not exist gives ``None``, which the report states.
    """
    check_out(args.out, "--out", folder=True)
    if args.results is not None:
        records = read_results(args.results)
        claims = read_claims(
            args.claims or args.results.with_name("claims.json")
        )
    else:
        folder, chapters = (
            profile_records(args.profile),
            toc_chapters(args.toc),
        )
        records = gather(folder, chapters)
        claims = (
            read_claims(args.claims)
            if args.claims
            else gather_claims(folder, chapters)
        )
    cache = args.out.parent / f".jupyter_cache-{build_label(args.profile)}"
    written = generate(
        records,
        out=args.out,
        benchmarks=args.benchmarks,
        cache=cache,
        claims=claims,
        alone=chapter_costs(
            profile_records(args.profile), toc_chapters(args.toc)
        ),
    )
    counted = (
        "no claims file" if claims is None else f"{len(claims)} claims"
    )
    print(
        f"{len(records)} records, {counted} -> "
        + ", ".join(str(p) for p in written.values())
    )


def run_linkcheck_config(args: argparse.Namespace) -> None:
    """``linkcheck-config``: ``args.config`` with execution off -> ``args.out``."""
    check_out(args.out, "--out", folder=False)
    print(f"{linkcheck.write_config(args.config, args.out)}: execution off")


def run_colab(args: argparse.Namespace) -> None:
    """Write the Colab editions (:mod:`bookbuild.colab`)."""
    root = args.toc.resolve().parent
    chapters = [str(p) for p in toc_notebooks(args.toc)]
    written = write_editions(root, chapters, args.out, args.sources)
    print(
        f"colab: {len(chapters)} editions in {args.out} ({len(written)} files)"
    )


def run_runs(args: argparse.Namespace) -> None:
    """Pack the profile's saved runs (:mod:`bookbuild.runs`)."""
    count, sums = pack(artifacts_dir(args.profile), args.out)
    print(
        f"runs: {count} saved runs in {args.out}, their sums in {sums.name}"
    )


def run_linkcheck(args: argparse.Namespace) -> None:
    """``linkcheck``: the verdict on the report in ``args.dir``, as the exit code."""
    code = linkcheck.main(args.dir)
    if code:
        raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    """Parse ``argv`` (default: ``sys.argv[1:]``) and run the subcommand."""
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        {
            "gather": run_gather,
            "pages": run_pages,
            "colab": run_colab,
            "runs": run_runs,
            "linkcheck-config": run_linkcheck_config,
            "linkcheck": run_linkcheck,
        }[args.command](args)
    except BuildInputError as err:
        raise SystemExit(f"error: {err}") from err


if __name__ == "__main__":
    main()
