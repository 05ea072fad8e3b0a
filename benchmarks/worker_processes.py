"""Training on a 2-core CPU: one process with two threads, or two with one.

    .venv/bin/python benchmarks/worker_processes.py [--depths 4 8] [--stack 4]

The book's full-size chapters train their missing runs in one worker
process per core, one torch thread each (tutorial_lib/bookkeeping/parallel.py). This
measures why, for each depth: seconds per model and epoch of Part II's
autoencoders (the write-ups' sizes, 110 steps an epoch)

* in one process with every core's thread, a stack of ``cores x N`` models;
* in ``cores`` processes side by side, one thread and a stack of N each;
* one model alone in one process with one thread, for scale.

Epochs after the first are timed (``stacked_training.per_epoch``). Run it
on an otherwise idle machine: a second busy process changes everything
measured here. Writes benchmarks/worker_processes_cpu.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import torch
from common import table, write_json
from stacked_training import alone, per_epoch, stacked


def child(depth: int, n: int, threads: int) -> float:
    """Seconds per epoch of a stack of ``n`` (``alone`` when n is 1)."""
    torch.set_num_threads(threads)
    return per_epoch(alone(depth) if n == 1 else stacked(depth, n))


def side_by_side(depth: int, n: int, processes: int) -> list[float]:
    """Seconds per epoch of each of ``processes`` one-thread children,
    started together, each training a stack of ``n``."""
    command = [sys.executable, __file__, "--child", str(depth), str(n), "1"]
    running = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    return [json.loads(p.communicate()[0]) for p in running]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--stack", type=int, default=4)
    parser.add_argument(
        "--child", type=int, nargs=3, help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    cores = len(os.sched_getaffinity(0))
    n, rows = args.stack, []
    for depth in args.depths:
        together = child(depth, cores * n, cores) / (cores * n)
        each = side_by_side(depth, n, cores)
        pair = max(each) / (cores * n)
        one = child(depth, 1, 1)
        rows.append(
            {
                "depth": depth,
                f"1 process, {cores} threads, stack of {cores * n}": round(
                    together, 3
                ),
                f"{cores} processes, 1 thread, stack of {n} each": round(
                    pair, 3
                ),
                "one model alone, 1 thread": round(one, 3),
                "gain of the processes": round(together / pair, 2),
            }
        )
        print(rows[-1], flush=True)
    write_json(
        "worker_processes_cpu",
        {
            "statistic": "seconds per model and epoch (the slowest "
            "process's time for the side-by-side case)",
            "rows": rows,
        },
    )
    print(table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
