"""Independent trainings side by side on the CPU: one process a core, one torch
thread each.

The write-ups' models are small. On a 2-core CPU one of Part II's
autoencoders trains only about 1.2x faster with two torch threads than with
one, while two one-thread processes train two of them at once: 1.6x the
throughput (Part I's recurrent models: 1.3x to 1.4x). So on the CPU Part I's
and Part II's saved runs (:func:`tutorial_lib.part1.train_all`,
:func:`tutorial_lib.part2.train_grid`) train with **one torch thread**, as
many at a time as there are cores. Their numbers then do not depend on how
many cores the machine has (a run's rounding does depend on its thread
count). On a GPU they train one after another in this process.

:func:`run_all` is the one entry point; :func:`tutorial_lib.cache.run_jobs`
uses it to train the runs that are not saved yet.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
from typing import Callable, Iterator, Sequence, TypeVar

import torch

T = TypeVar("T")


def cpu_cores() -> int:
    """How many cores this process may run on (at least 1)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run the block with one torch thread, then restore the count."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _start_worker() -> None:
    """Each worker: one torch thread; no progress bars (a worker's bars would
    go to the terminal that started the kernel, not to the page); Ctrl-C
    ignored, since the parent stops the workers when it is interrupted."""
    torch.set_num_threads(1)
    os.environ["TQDM_DISABLE"] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _check_picklable(task: Callable) -> None:
    try:
        pickle.dumps(task)
    except (pickle.PicklingError, AttributeError, TypeError) as err:
        raise ValueError(
            f"tasks must be picklable to run in worker processes (a module-level "
            f"function or a functools.partial of one), got {task!r}: {err}; "
            "or pass workers=1 to run them here"
        ) from err


def run_all(
    tasks: Sequence[Callable[[], T]], *, workers: int
) -> Iterator[tuple[int, T]]:
    """Run every task, each with one torch thread; yield ``(index, result)``
    as each one finishes.

    Args:
        tasks: argument-free callables. With ``workers > 1`` they go to other
            processes, so they must be picklable: a module-level function, or
            a ``functools.partial`` of one (not a lambda or a notebook's
            closure).
        workers: processes to run at once, >= 1. With 1 (or one task) the
            tasks run here, one after another.

    Raises:
        ValueError: ``workers`` is not a positive integer.
        KeyboardInterrupt: interrupted; the workers are stopped, and the
            results already yielded are all that was kept.
        Exception: the first task that failed, re-raised here.
    """
    if (
        isinstance(workers, bool)
        or not isinstance(workers, int)
        or workers < 1
    ):
        raise ValueError(
            f"workers must be a positive integer (processes at once), got {workers!r}"
        )
    if workers == 1 or len(tasks) <= 1:
        with one_torch_thread():
            for i, task in enumerate(tasks):
                yield i, task()
        return
    _check_picklable(tasks[0])
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(min(workers, len(tasks)), initializer=_start_worker)
    try:
        pending = {
            i: pool.apply_async(task) for i, task in enumerate(tasks)
        }
        while pending:
            done = [i for i, r in pending.items() if r.ready()]
            if not done:
                next(iter(pending.values())).wait(0.2)
                continue
            for i in done:
                yield i, pending.pop(i).get()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.close()
        pool.join()
