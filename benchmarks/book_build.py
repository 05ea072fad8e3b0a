"""The whole book's first build and its cached rebuild, timed, with peak memory and per-chapter times.

    .venv/bin/python benchmarks/book_build.py [--profile full]

Removes the profile's execution cache, saved runs and records first (so the
first build executes every chapter from scratch), runs `make book`, then runs it
again (served from the cache). While each build runs, the resident memory of
the whole process tree (make, jupyter-book, every kernel) is sampled; the
peak of the sum is reported. Per-chapter execution times come from the
execution cache. Writes benchmarks/book_build_<profile>.json.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import threading
import time
from pathlib import Path

import psutil
from common import table, write_json

ROOT = Path(__file__).resolve().parent.parent


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def timed_build(profile: str) -> dict:
    """Run `make book PROFILE=profile`; return wall seconds and peak tree RSS."""
    peak = [0]
    proc = subprocess.Popen(
        ["make", "book", f"PROFILE={profile}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watched = psutil.Process(proc.pid)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                peak[0] = max(peak[0], tree_rss(watched))
            except psutil.Error:
                pass
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(
            f"make book failed ({proc.returncode}):\n{err[-4000:]}"
        )
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(peak[0] / 2**20),
    }


def chapter_times(profile: str) -> list[dict]:
    """Execution seconds of every notebook in the profile's jupyter-cache."""
    from jupyter_cache import get_cache

    cache = get_cache(ROOT / "_build" / f".jupyter_cache-{profile}")
    rows = []
    for record in cache.list_cache_records():
        seconds = (record.data or {}).get("execution_seconds")
        rows.append(
            {
                "chapter": Path(record.uri).stem,
                "seconds": round(seconds, 1) if seconds else None,
            }
        )
    return sorted(rows, key=lambda r: r["chapter"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profile", default="full", choices=["full", "smoke"]
    )
    parser.add_argument(
        "--note",
        help="what the Performance page should say beside the numbers "
        "(e.g. what else ran on the machine)",
    )
    args = parser.parse_args()
    for stale in (
        ROOT / "_build" / f".jupyter_cache-{args.profile}",
        ROOT / "_build" / "artifacts" / args.profile,
        ROOT / "_build" / "records" / args.profile,
    ):
        shutil.rmtree(stale, ignore_errors=True)
    first = timed_build(args.profile)
    print(f"first build: {first}")
    rebuild = timed_build(args.profile)
    print(f"cached rebuild: {rebuild}")
    chapters = chapter_times(args.profile)
    print(table(chapters, ["chapter", "seconds"]))
    write_json(
        f"book_build_{args.profile}",
        {
            "profile": args.profile,
            "first_build": first,
            "cached_rebuild": rebuild,
            "chapters": chapters,
            **({"note": args.note} if args.note else {}),
        },
    )


if __name__ == "__main__":
    main()
