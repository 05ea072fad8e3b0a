"""Training on the CPU: one model with every core's thread, one model with one
thread, and one one-thread model per core side by side.

    .venv/bin/python benchmarks/parallel_training.py [--repeats 2]

The book trains its saved runs the third way (tutorial_lib/workers.py). For
each case (the write-ups' own sizes: an autoencoder epoch of Part II, a
full-batch step of Part I's RNN and bidirectional GRU) it times a few epochs
in a fresh process each way and reports the throughput of the side-by-side
way against one model with all threads (the gain). The minimum over repeats
is kept. Writes benchmarks/parallel_training_cpu.json.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import time

import torch
from common import table, write_json

import tutorial_lib as tl
from tutorial_lib import part1, part2, workers

CASES = {
    "Part II autoencoder, depth 4, alpha 0.3 (epoch of 110 steps)": 6,
    "Part I RNN, full batch (step)": 12,
    "Part I bidirectional GRU, full batch (step)": 4,
}
"""Each case and how many epochs one timing trains."""


def _setup(case: str):
    """``(model, inputs, targets, FitConfig)`` of ``case`` at full size."""
    if case.startswith("Part II"):
        config = part2.autoencoder_config(4, 0.3, seed=0)
        train, _ = config.data()
        fit = tl.FitConfig(
            epochs=CASES[case], lr=1e-3, batch_size=32, loss="mse"
        )
        return config.build(), train.noisy, train.clean, fit
    name = "rnn" if "RNN" in case else "bigru"
    config = part1.post_config(name, epochs=CASES[case])
    train, _ = config.data()
    return config.build(quiet=True), train.noisy, train.clean, config.fit


def seconds_per_epoch(case: str, threads: int) -> float:
    """Train ``case`` a few epochs with ``threads`` torch threads; seconds
    per epoch, after one untimed warm-up epoch."""
    torch.set_num_threads(threads)
    model, x, y, fit = _setup(case)
    quiet = dict(progress=False, snapshot_every=0)
    tl.fit(model, x, y, tl.FitConfig(**{**vars(fit), **quiet, "epochs": 1}))
    started = time.perf_counter()
    tl.fit(model, x, y, tl.FitConfig(**{**vars(fit), **quiet}))
    return (time.perf_counter() - started) / fit.epochs


def measure(case: str, cores: int) -> dict:
    """One case three ways, each in fresh processes, one way at a time."""
    all_threads = _in_fresh_process(case, cores)
    one_thread = _in_fresh_process(case, 1)
    task = functools.partial(seconds_per_epoch, case, 1)
    side = max(s for _, s in workers.run_all([task] * cores, workers=cores))
    return {
        "all threads": all_threads,
        "one thread": one_thread,
        "side by side": side,
    }


def _in_fresh_process(case: str, threads: int) -> float:
    """:func:`seconds_per_epoch` in a new process, alone on the machine."""
    pool = multiprocessing.get_context("spawn").Pool(1)
    try:
        return pool.apply(seconds_per_epoch, (case, threads))
    finally:
        pool.close()
        pool.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cores = workers.cpu_cores()
    rows = []
    for case in CASES:
        runs = [measure(case, cores) for _ in range(args.repeats)]
        best = {k: min(r[k] for r in runs) for k in runs[0]}
        rows.append(
            {
                "case": case,
                "all_threads_s": round(best["all threads"], 3),
                "one_thread_s": round(best["one thread"], 3),
                "side_by_side_s": round(best["side by side"], 3),
                "gain": round(
                    best["all threads"] * cores / best["side by side"], 2
                ),
            }
        )
        print(table(rows[-1:], list(rows[-1])), flush=True)
    write_json(
        "parallel_training_cpu",
        {"cores_used": cores, "repeats": args.repeats, "rows": rows},
    )


if __name__ == "__main__":
    main()
