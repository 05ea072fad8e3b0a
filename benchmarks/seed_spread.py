"""How much the book's headline numbers move with the seed.

    python benchmarks/seed_spread.py [--seeds 0 1 2 3 4] [--workers 8] [--device auto]

Trains, for every seed, the runs behind the book's comparisons at the full
profile's settings, with the same code the chapters use (no saved runs):
Part I's three models at the post's settings (``part1.post_config``: test L1)
and Part II's sixteen-model depth x noise sweep (``part2.sweep_configs``:
validation MSE). A seed sets the data draw and the initialisation, as the
book's seed does. Runs are spread over ``--workers`` processes (one GPU can
run several of these small models at once). Writes
``benchmarks/seed_spread_<device>.json``: every run's value, seconds and
device, the seeds, the git commit and the machine.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import torch
from common import table, write_json

from tutorial_lib import part1, part2
from tutorial_lib.bookkeeping.cache import cached
from tutorial_lib.runtime import BOOK_SEED

DEPTHS = (2, 4, 6, 8)
ALPHAS = (0.1, 0.2, 0.3, 0.4)
ROOT = Path(__file__).resolve().parent.parent


def jobs(seeds: list[int]) -> list[tuple[str, tuple, int]]:
    """``(part, what, seed)`` for every run, Part II's (longer) first."""
    out = [
        ("part2", (c.depth, c.alpha), c.seed)
        for s in seeds
        for c in part2.sweep_configs(DEPTHS, ALPHAS, seed=s)
    ]
    out += [
        ("part1", (name,), s) for s in seeds for name in part1.POST_MODELS
    ]
    return out


def run_one(
    part: str,
    what: tuple,
    seed: int,
    device: str,
    smoke: bool,
    artifacts: str,
) -> dict:
    """Train one run through the book's cache in ``artifacts`` (a run the book
    or an earlier call already trained is reused); its headline value and
    training time. ``smoke``: the chapters' smoke sizes (to try the script
    out, never to report)."""
    torch.set_num_threads(1)
    if part == "part1":
        sizes = dict(n_sequences=300, epochs=6) if smoke else {}
        config = part1.post_config(what[0], seed=seed, **sizes)
        compute = functools.partial(
            part1.fit_post_model, config, device=device
        )
        name, metric = f"part1-{config.name}", "test_l1"
    else:
        sizes = part2.SMOKE if smoke else {}
        config = part2.autoencoder_config(*what, seed=seed, **sizes)
        compute = functools.partial(
            part2.fit_autoencoder, config, device=device
        )
        name, metric = part2.NAME, "val_mse"
    result = cached(name, config.key(), compute, directory=Path(artifacts))
    value = result[metric]
    used = result["history"].device
    return {
        "part": part,
        "run": "/".join(str(w) for w in what),
        "seed": seed,
        "metric": metric,
        "value": float(value),
        "seconds": round(result["history"].seconds, 2),
        "device": used,
    }


def summary(runs: list[dict]) -> list[dict]:
    """Mean, sample standard deviation, min, max and the book seed's value per run."""
    rows = []
    for key in sorted({(r["part"], r["run"]) for r in runs}):
        values = {
            r["seed"]: r["value"]
            for r in runs
            if (r["part"], r["run"]) == key
        }
        v = np.array(list(values.values()))
        rows.append(
            {
                "part": key[0],
                "run": key[1],
                "n": len(v),
                "mean": float(v.mean()),
                "std": float(v.std(ddof=1)) if len(v) > 1 else None,
                "min": float(v.min()),
                "max": float(v.max()),
                "book_seed": values.get(BOOK_SEED),
            }
        )
    return rows


def commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4]
    )
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument(
        "--done",
        type=Path,
        default=None,
        help="an earlier call's JSON: its runs are kept and not trained again",
    )
    parser.add_argument(
        "--part1-first",
        action="store_true",
        help="train Part I's (short) runs before Part II's",
    )
    parser.add_argument(
        "--artifacts",
        default=None,
        help="the saved runs' folder (the book's, to reuse its seed; default: a new one)",
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=None,
        help="stop waiting after this many seconds; keep the runs that finished",
    )
    args = parser.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.device != "auto":
        device = args.device
    todo = jobs(args.seeds)
    earlier: list[dict] = []
    if args.done:
        earlier = json.loads(args.done.read_text())["runs"]
        seen = {(r["part"], r["run"], r["seed"]) for r in earlier}
        todo = [
            j
            for j in todo
            if (j[0], "/".join(map(str, j[1])), j[2]) not in seen
        ]
    if args.part1_first:
        todo.sort(key=lambda j: j[0] != "part1")
    artifacts = args.artifacts or tempfile.mkdtemp(prefix="seed_spread_")
    runs: list[dict] = []
    start = time.perf_counter()
    # spawn: each worker sets CUDA up itself (a forked one cannot).
    pool = ProcessPoolExecutor(
        args.workers, mp_context=multiprocessing.get_context("spawn")
    )
    futures = [
        pool.submit(run_one, *job, device, args.smoke, artifacts)
        for job in todo
    ]
    try:
        for future in as_completed(futures, timeout=args.deadline):
            runs.append(future.result())
            r = runs[-1]
            print(
                f"[{len(runs)}/{len(todo)} {time.perf_counter() - start:.0f} s] "
                f"{r['part']} {r['run']} seed {r['seed']}: {r['value']:.5f}",
                flush=True,
            )
    except TimeoutError:
        print(f"deadline: {len(runs)} of {len(todo)} runs finished")
    for process in list(pool._processes.values()):
        process.terminate()  # runs still going at the deadline
    pool.shutdown(wait=False, cancel_futures=True)
    for r in earlier:
        r.setdefault("call", "earlier")
    runs = earlier + runs
    rows = summary(runs)
    print(table(rows, ["part", "run", "n", "mean", "std", "book_seed"]))
    write_json(
        f"seed_spread_{device}" + ("_smoke" if args.smoke else ""),
        {
            "seeds": args.seeds,
            "book_seed": BOOK_SEED,
            "commit": commit(),
            "workers": args.workers,
            "wall_seconds": round(time.perf_counter() - start, 1),
            "complete": len(runs) == len(jobs(args.seeds)),
            "settings": "the full profile's: part1.post_config(name, seed=s) "
            "and part2.sweep_configs((2, 4, 6, 8), (0.1, 0.2, 0.3, 0.4), seed=s)",
            "runs": sorted(
                runs, key=lambda r: (r["part"], r["run"], r["seed"])
            ),
            "summary": rows,
        },
    )


if __name__ == "__main__":
    main()
