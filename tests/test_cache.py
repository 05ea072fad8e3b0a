import errno
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

from tutorial_lib.bookkeeping import cache, folders, saved_runs
from tutorial_lib.training import FitConfig, History, fit


def test_cached_computes_once_then_reuses(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"loss": 0.5}

    cfg = {"depth": 2, "alpha": 0.1}
    assert cache.cached("run", cfg, compute, directory=tmp_path) == {
        "loss": 0.5
    }
    assert cache.cached(
        "run", dict(reversed(cfg.items())), compute, directory=tmp_path
    ) == {"loss": 0.5}
    assert len(calls) == 1


def test_changed_config_is_never_served_a_stale_result(tmp_path):
    cache.cached("run", {"lr": 1e-2}, lambda: "old", directory=tmp_path)
    assert (
        cache.cached("run", {"lr": 1e-3}, lambda: "new", directory=tmp_path)
        == "new"
    )


def test_grid_resumes_after_an_interruption(tmp_path):
    done = []

    def compute(cfg):
        if cfg["d"] == 3 and not done:
            done.append("interrupted")
            raise KeyboardInterrupt
        return cfg["d"] * 10

    configs = [{"d": d} for d in (1, 2, 3, 4)]
    with pytest.raises(KeyboardInterrupt):
        cache.run_grid("g", configs, compute, directory=tmp_path)
    # the finished points only, no partial file
    assert len(list(tmp_path.glob("g-*.pt"))) == 2
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    seen = []
    results = cache.run_grid(
        "g",
        configs,
        lambda c: seen.append(c["d"]) or c["d"] * 10,
        directory=tmp_path,
    )
    assert results == [10, 20, 30, 40] and seen == [3, 4]


def test_bad_names_and_configs_raise(tmp_path):
    with pytest.raises(ValueError, match="name"):
        cache.cached("a/b", {}, lambda: 1, directory=tmp_path)
    with pytest.raises(ValueError, match="JSON"):
        cache.cached("a", {"x": object()}, lambda: 1, directory=tmp_path)


def test_artifacts_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(folders.ARTIFACTS_ENV_VAR, str(tmp_path))
    assert folders.artifacts_dir("smoke") == tmp_path / "smoke"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda h: h,
        lambda h: {"history": h, "loss": 0.1},
        lambda h: {"runs": [1, (2, {"deep": h})]},
    ],
)
def test_a_result_holding_an_interrupted_history_is_never_saved(
    tmp_path, wrap
):
    stopped = wrap(History(epoch_loss=[1.0], interrupted=True))
    with pytest.raises(KeyboardInterrupt, match="was not saved"):
        cache.cached("run", {"a": 1}, lambda: stopped, directory=tmp_path)
    assert not list(tmp_path.glob("*.pt"))
    finished = wrap(History(epoch_loss=[1.0, 0.5]))
    assert cache.cached(
        "run", {"a": 1}, lambda: finished, directory=tmp_path
    )
    assert len(list(tmp_path.glob("*.pt"))) == 1


def test_a_result_that_cannot_be_saved_is_returned_with_a_warning(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.warns(RuntimeWarning, match="could not be saved"):
        out = cache.cached(
            "run", {}, lambda: 3, directory=tmp_path / "file" / "d"
        )
    assert out == 3
    with pytest.warns(RuntimeWarning, match="could not be saved"):
        unpicklable = cache.cached(
            "run", {}, lambda: lambda: 1, directory=tmp_path
        )
    assert unpicklable() == 1
    assert not [p for p in os.listdir(tmp_path) if p != "file"]


@pytest.mark.parametrize(
    "content", [b"", b"garbage, not a torch file", "truncate"]
)
def test_a_corrupt_saved_run_is_set_aside_and_recomputed(
    tmp_path, capsys, content
):
    cache.cached(
        "run", {"a": 1}, lambda: list(range(1000)), directory=tmp_path
    )
    (path,) = tmp_path.glob("run-*.pt")
    data = path.read_bytes()
    path.write_bytes(
        data[: len(data) // 2] if content == "truncate" else content
    )
    capsys.readouterr()
    again = cache.cached(
        "run", {"a": 1}, lambda: "again", directory=tmp_path
    )
    assert again == "again"
    out = capsys.readouterr().out
    assert (
        f"{path}: cannot be read" in out and f"{path.name}.corrupt" in out
    )
    assert (tmp_path / f"{path.name}.corrupt").is_file()
    third = cache.cached(
        "run", {"a": 1}, lambda: "third", directory=tmp_path
    )
    assert third == "again"  # the recomputed run was saved


def test_stale_temporary_files_are_removed(tmp_path):
    stale, fresh = (
        tmp_path / ".run-abc.pt.x1.tmp",
        tmp_path / ".run-abc.pt.x2.tmp",
    )
    other = tmp_path / "notes.tmp"
    for path in (stale, fresh, other):
        path.write_text("partial")
    old = time.time() - saved_runs.STALE_TMP_SECONDS - 5
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    cache.cached("run", {}, lambda: 1, directory=tmp_path)
    assert not stale.exists() and fresh.exists() and other.exists()


def test_a_reused_grid_prints_one_line(tmp_path, capsys):
    configs = [{"d": d} for d in (1, 2, 3)]
    cache.run_grid("g", configs[:2], lambda c: c["d"], directory=tmp_path)
    first = capsys.readouterr().out
    assert (
        "[1/2] d=1" in first
        and "2 runs: 0 reused" in first
        and "2 trained" in first
    )
    results = cache.run_grid(
        "g", configs, lambda c: c["d"], directory=tmp_path
    )
    assert results == [1, 2, 3]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "[3/3] d=3" and len(lines) == 3
    assert lines[-1] == "3 runs: 2 reused, 1 trained"
    cache.run_grid("g", configs, lambda c: c["d"], directory=tmp_path)
    assert capsys.readouterr().out == "3 runs: 3 reused\n"


def test_a_script_stopped_by_ctrl_c_in_a_grid_exits_non_zero(tmp_path):
    script = (
        "import sys\n"
        "from tutorial_lib.bookkeeping import cache\n"
        "def compute(c):\n"
        "    if c['d'] == 2:\n"
        "        raise KeyboardInterrupt\n"
        "    return c['d']\n"
        "cache.run_grid('g', [{'d': 1}, {'d': 2}], compute,"
        " directory=sys.argv[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "KeyboardInterrupt" in done.stderr
    # the finished point is kept
    assert len(list(tmp_path.glob("g-*.pt"))) == 1


def test_a_summary_of_an_interrupted_fit_is_never_saved(tmp_path):
    """fit catches Ctrl-C and returns its partial history; a computation
    that returns only a summary of it must still not be saved."""
    calls = []
    original = torch.optim.Adam.step

    def step(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C at step 4
        return original(self, *args, **kwargs)

    def compute():
        model = torch.nn.Linear(3, 3)
        x = torch.randn(8, 3)
        config = FitConfig(epochs=12, batch_size=None, progress=False)
        history = fit(model, x, x, config)
        return {"epochs": len(history.epoch_loss)}

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers can be set only in the main thread")
    # Ctrl-C raises KeyboardInterrupt here, as in a notebook (a test
    # runner's worker may ignore SIGINT)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    torch.optim.Adam.step = step
    try:
        with pytest.raises(KeyboardInterrupt, match="not saved"):
            cache.cached("summary", {"a": 1}, compute, directory=tmp_path)
    finally:
        torch.optim.Adam.step = original
        signal.signal(signal.SIGINT, before)
    assert not list(tmp_path.glob("summary-*.pt"))
    again = cache.cached("summary", {"a": 1}, compute, directory=tmp_path)
    assert again == {"epochs": 12}


def test_a_file_holding_another_configuration_is_not_served(
    tmp_path, capsys
):
    cache.cached("r", {"a": 1}, lambda: "one", directory=tmp_path)
    [path] = tmp_path.glob("r-*.pt")
    # a file of {"a": 2} put where {"a": 1}'s belongs
    torch.save({"config": {"a": 2}, "result": "two"}, path)
    assert (
        cache.cached("r", {"a": 1}, lambda: "one", directory=tmp_path)
        == "one"
    )
    out = capsys.readouterr().out
    assert 'holds the run of {"a": 2}, not of the requested {"a": 1}' in out
    assert (tmp_path / f"{path.name}.mismatch").is_file()


def test_a_read_only_folder_serves_what_it_can_and_says_what_it_cannot_clean(
    tmp_path, monkeypatch, capsys
):
    cache.cached("r", {"a": 1}, lambda: "saved", directory=tmp_path)
    stale = tmp_path / ".r-x.pt.abc.tmp"
    stale.write_text("")
    os.utime(stale, (0, 0))
    corrupt = tmp_path / f"r-{saved_runs.config_key({'a': 2})}.pt"
    corrupt.write_text("garbage")

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "unlink", read_only)
    monkeypatch.setattr(os, "replace", read_only)
    assert (
        cache.cached("r", {"a": 1}, lambda: "new", directory=tmp_path)
        == "saved"
    )
    out = capsys.readouterr().out
    assert "stale temporary file that cannot be removed" in out
    with pytest.warns(RuntimeWarning, match="could not be saved"):
        assert (
            cache.cached("r", {"a": 2}, lambda: "two", directory=tmp_path)
            == "two"
        )
    assert "cannot be moved aside" in capsys.readouterr().out
