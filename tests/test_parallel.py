"""Worker processes (tutorial_lib.bookkeeping.parallel): no hang, no lost run, no orphan.

The waits here poll for what they expect with generous limits, so that a
busy machine makes the tests slower, never red.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import torch

from tutorial_lib.bookkeeping import cache
from tutorial_lib.bookkeeping.parallel import in_processes, processes_for

WAIT = 120  # seconds: the longest a poll waits on a busy machine


def _square(x: int) -> int:
    return x * x


def _die_after(seconds: float) -> None:
    time.sleep(seconds)
    os._exit(3)  # as the out-of-memory killer would end it: no exception


def _fail_after(seconds: float) -> None:
    time.sleep(seconds)
    raise FloatingPointError("training loss became nan")


def _wait_for(predicate, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT} s for {what}")
        time.sleep(0.1)


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "zombie" in status.read()
    except FileNotFoundError:
        return True


def test_a_killed_worker_names_the_lost_runs_and_keeps_the_finished_one():
    calls = [
        functools.partial(_square, 3),
        functools.partial(_die_after, 2.0),
        functools.partial(_square, 4),
    ]
    got = []
    labels = ["run-a", "run-b", "run-c"]
    with pytest.raises(RuntimeError, match="did not finish") as err:
        for i, result, _ in in_processes(calls, labels, 2):
            got.append((i, result))
    assert (0, 9) in got
    assert "run-b" in str(err.value) and "run-a" not in str(err.value)
    assert not multiprocessing.active_children()


def test_a_failing_run_still_hands_back_its_siblings_result():
    calls = [
        functools.partial(_fail_after, 0.5),
        functools.partial(time.sleep, 3.0),  # still running when 0 fails
    ]
    got = []
    with pytest.raises(FloatingPointError, match="nan"):
        for i, _, _ in in_processes(calls, ["fails", "sleeps"], 2):
            got.append(i)
    assert got == [1]


def test_cached_runs_of_a_broken_pool_are_saved_and_the_rest_train_next_time(
    tmp_path,
):
    jobs = [
        ("j", {"i": 0}, functools.partial(_square, 5)),
        ("j", {"i": 1}, functools.partial(_die_after, 2.0)),
    ]
    with pytest.raises(RuntimeError, match="i=1"):
        cache.run_jobs(jobs, directory=tmp_path, processes=2)
    again = [
        ("j", {"i": 0}, functools.partial(_die_after, 0.0)),  # must not run
        ("j", {"i": 1}, functools.partial(_square, 6)),
    ]
    assert cache.run_jobs(again, directory=tmp_path) == [25, 36]


def test_ctrl_c_terminates_the_workers():
    calls = [functools.partial(time.sleep, 60.0)] * 2

    def press_ctrl_c_once_both_work():
        _wait_for(
            lambda: len(multiprocessing.active_children()) == 2, "workers"
        )
        time.sleep(1.0)  # both have taken a call
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Thread(target=press_ctrl_c_once_both_work)
    # Ctrl-C raises KeyboardInterrupt, as in a notebook kernel (a pytest-xdist
    # worker ignores SIGINT otherwise)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        timer.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            list(in_processes(calls, ["a", "b"], 2))
        timer.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - started < 50  # not the calls' 60 s
    assert not multiprocessing.active_children()


def test_workers_die_with_their_parent(tmp_path):
    script = textwrap.dedent(
        """
        import functools, multiprocessing, threading, time
        from tutorial_lib.bookkeeping.parallel import in_processes

        def tell():
            while len(multiprocessing.active_children()) < 2:
                time.sleep(0.1)
            print(*[p.pid for p in multiprocessing.active_children()],
                  flush=True)

        threading.Thread(target=tell, daemon=True).start()
        calls = [functools.partial(time.sleep, 300.0)] * 2
        list(in_processes(calls, ["a", "b"], 2))
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    )
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2
        parent.send_signal(signal.SIGKILL)  # a killed notebook kernel
        parent.wait(WAIT)
        _wait_for(lambda: all(_gone(pid) for pid in pids), "orphans to die")
    finally:
        parent.kill()
        parent.stdout.close()


def test_a_script_run_by_path_trains_in_its_own_process(tmp_path):
    # a worker would run a script without a main guard again
    script = tmp_path / "chapter.py"
    script.write_text(
        "import torch\n"
        "from tutorial_lib.bookkeeping.parallel import processes_for\n"
        "print(processes_for(torch.device('cpu')))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"


def test_processes_one_per_core_on_a_cpu_and_none_on_a_gpu():
    cores = len(os.sched_getaffinity(0))
    done = subprocess.run(  # a main module like a notebook kernel's: no file
        [
            sys.executable,
            "-c",
            "import torch; from tutorial_lib.bookkeeping.parallel import processes_for; "
            "print(processes_for(torch.device('cpu')))",
        ],
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.stdout.strip() == str(cores if cores > 1 else 0), (
        done.stderr
    )
    assert processes_for(torch.device("cuda")) == 0
