"""Training on several CPU cores at once: one process per core.

Part II's small autoencoders and Part I's recurrent networks keep a core
busy only in short bursts, so two torch threads on one model gain little;
two processes of one thread each, each training its own runs, gain nearly
twice. :func:`in_processes` runs picklable calls that way and yields each
result as soon as it is done, so that the caller saves it at once.

What it guarantees (each is tested in ``tests/test_parallel.py``):

* a worker that dies (killed, or by the out-of-memory killer) stops the
  call with an error naming the runs it lost, never a hang;
* the runs that finished are handed back before any error is raised, also
  when a sibling failed at the same moment;
* Ctrl-C, or the caller's error, terminates the workers; and a worker whose
  parent dies (a killed notebook kernel) is killed with it (Linux);
* a chapter run as a plain script (``python chapter.py``, no main guard)
  trains in its own process: :func:`processes_for` says 0 there, because a
  new worker would run the script again.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterator, TypeVar

import torch

T = TypeVar("T")
_PR_SET_PDEATHSIG = (
    1  # prctl option: a signal for the child when its parent dies
)


def processes_for(device: torch.device) -> int:
    """How many worker processes should train independent runs: one per
    CPU core when training on the CPU; 0 (train in this process) on a GPU,
    on a single core, or when the main module is a script run by path
    (a new worker would run it again)."""
    if device.type != "cpu" or _main_is_a_script():
        return 0
    return _cores() if _cores() > 1 else 0


def _cores() -> int:
    """The CPU cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _main_is_a_script() -> bool:
    """Whether ``__main__`` is a file run by path (``python chapter.py``),
    which a spawned worker would execute again; a notebook kernel's is not."""
    main = sys.modules.get("__main__")
    return getattr(main, "__spec__", None) is None and bool(
        getattr(main, "__file__", None)
    )


def in_processes(
    calls: list[Callable[[], T]], labels: list[str], processes: int
) -> Iterator[tuple[int, T, float]]:
    """Run ``calls`` in ``processes`` workers; yield ``(i, result, seconds)``
    for each as it finishes (in order of finishing).

    Each worker uses ``cores // processes`` torch threads (at least 1).
    ``labels[i]`` names call i in errors.

    Raises:
        RuntimeError: a worker died; names the calls that did not finish
            (the finished ones were yielded first).
        Exception: the first error a call raised, after the calls already
            running have finished and been yielded.
    """
    threads = max(1, _cores() // processes)
    pool = ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(threads, os.getpid()),
    )
    futures = {
        pool.submit(_timed_call, call): i for i, call in enumerate(calls)
    }
    done: set[int] = set()
    try:
        yield from _collect(futures, labels, pool, done)
    except BaseException:
        _terminate(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _collect(futures: dict[Future, int], labels, pool, done: set[int]):
    """The results of ``futures`` as they finish; the first error last."""
    failure: BaseException | None = None
    for future in as_completed(futures):
        i = futures[future]
        if future.cancelled():
            continue
        error = future.exception()
        if isinstance(error, BrokenProcessPool):
            yield from _finished(futures, done)
            lost = [labels[j] for j in sorted(set(futures.values()) - done)]
            raise RuntimeError(
                "a training process died (killed, perhaps by the out-of-memory "
                f"killer); these runs did not finish: {'; '.join(lost)}. The "
                "finished runs are saved: run the cell again to train the rest."
            ) from error
        if error is not None:
            failure = failure or error
            pool.shutdown(wait=False, cancel_futures=True)
            continue
        done.add(i)
        yield (i, *future.result())
    if failure is not None:
        raise failure


def _finished(futures: dict[Future, int], done: set[int]):
    """The futures that finished well but were not yielded yet."""
    for future, i in futures.items():
        if i not in done and future.done() and not future.cancelled():
            if future.exception() is None:
                done.add(i)
                yield (i, *future.result())


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's workers now (Ctrl-C, or the caller's error)."""
    for process in list((pool._processes or {}).values()):
        if process.is_alive():
            process.terminate()


def _timed_call(call: Callable[[], T]) -> tuple[T, float]:
    """``(call(), seconds)``: what a worker runs."""
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def _start_worker(threads: int, parent: int) -> None:
    """A worker's set-up: its torch threads, Ctrl-C left to the parent,
    and death with the parent (Linux's ``PR_SET_PDEATHSIG``)."""
    torch.set_num_threads(threads)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl
            os._exit(1)
