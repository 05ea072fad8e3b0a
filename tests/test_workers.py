import functools
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from tutorial_lib import cache, workers


def _threads_and_square(x):
    return torch.get_num_threads(), x * x


def _fail_on(bad, x):
    if x == bad:
        raise ArithmeticError(f"task {x} failed")
    return x


def test_tasks_run_in_workers_with_one_thread_each():
    tasks = [functools.partial(_threads_and_square, x) for x in range(5)]
    done = dict(workers.run_all(tasks, workers=2))
    assert sorted(done) == list(range(5))
    assert [done[i] for i in range(5)] == [(1, x * x) for x in range(5)]


def test_one_worker_runs_here_with_one_thread_then_restores_the_count():
    before = torch.get_num_threads()
    tasks = [lambda: (torch.get_num_threads(), os.getpid())]
    [(i, (threads, pid))] = list(workers.run_all(tasks, workers=1))
    assert (i, threads, pid) == (0, 1, os.getpid())
    assert torch.get_num_threads() == before


def test_a_failing_task_raises_its_own_error_here():
    tasks = [functools.partial(_fail_on, 2, x) for x in range(4)]
    with pytest.raises(ArithmeticError, match="task 2 failed"):
        list(workers.run_all(tasks, workers=2))


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2", None])
def test_bad_worker_counts_are_named(bad):
    with pytest.raises(
        ValueError, match="workers must be a positive integer"
    ):
        list(workers.run_all([lambda: 1], workers=bad))


def test_unpicklable_tasks_are_refused_with_the_way_out():
    with pytest.raises(ValueError, match="picklable.*workers=1"):
        list(workers.run_all([lambda: 1, lambda: 2], workers=2))


def test_cpu_cores_is_positive():
    assert workers.cpu_cores() >= 1


def test_a_parallel_grid_saves_every_point_and_then_reuses_them(
    tmp_path, capsys
):
    configs = [{"d": d} for d in (1, 2, 3)]

    results = cache.run_grid(
        "g",
        configs,
        _by_d,
        directory=tmp_path,
        workers=2,
    )
    assert results == [10, 20, 30]
    out = capsys.readouterr().out
    assert "training 3 runs, up to 2 at a time" in out
    assert out.count("computed in") == 3
    assert len(list(tmp_path.glob("g-*.pt"))) == 3
    again = cache.run_grid(
        "g", configs, _by_d, directory=tmp_path, workers=2
    )
    assert again == [10, 20, 30]
    assert capsys.readouterr().out == f"3 runs: 3 reused from {tmp_path}\n"


def _by_d(config):
    return config["d"] * 10


def test_a_run_trains_side_by_side_on_the_cpu_and_one_by_one_on_a_gpu():
    from tutorial_lib.runtime import Run

    assert (
        Run("smoke", torch.device("cpu"), 0).workers == workers.cpu_cores()
    )
    assert Run("smoke", torch.device("cuda"), 0).workers is None


INTERRUPTED_GRID = """
import os, pathlib, sys, time
from tutorial_lib import cache

def compute(config):
    if config["d"] == 2:
        pathlib.Path(sys.argv[1], "slow.pid").write_text(str(os.getpid()))
        time.sleep(120)
    return config["d"]

if __name__ == "__main__":
    cache.run_grid(
        "g", [{"d": 1}, {"d": 2}], compute, directory=sys.argv[1], workers=2
    )
"""


def test_ctrl_c_in_a_parallel_grid_keeps_the_finished_run_and_stops_the_workers(
    tmp_path,
):
    script = tmp_path / "grid.py"
    script.write_text(INTERRUPTED_GRID)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pid_file = tmp_path / "slow.pid"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        list(tmp_path.glob("g-*.pt")) and pid_file.exists()
    ):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    assert len(list(tmp_path.glob("g-*.pt"))) == 1  # the finished run
    with pytest.raises(ProcessLookupError):  # the slow worker was stopped
        os.kill(int(pid_file.read_text()), 0)
