import os
import random
import subprocess
import sys

import numpy as np
import pytest
import torch

from tutorial_lib import runtime
from tutorial_lib.bookkeeping.run import start
from tutorial_lib.profile import by_profile, current_profile


def test_profile_defaults_to_full():
    assert current_profile({}) == "full"
    assert current_profile({"TUTORIAL_PROFILE": ""}) == "full"


def test_profile_reads_smoke_case_insensitively():
    assert current_profile({"TUTORIAL_PROFILE": " Smoke "}) == "smoke"


def test_unknown_profile_raises_naming_valid_values():
    with pytest.raises(ValueError, match="full, smoke"):
        current_profile({"TUTORIAL_PROFILE": "tiny"})


def test_by_profile_picks_and_rejects():
    assert by_profile("smoke", full=10, smoke=2) == 2
    assert by_profile("full", full=10, smoke=2) == 10
    with pytest.raises(ValueError):
        by_profile("huge", full=1, smoke=2)


def test_start_reads_environment(monkeypatch, capsys):
    monkeypatch.setenv("TUTORIAL_PROFILE", "smoke")
    run = start(seed=3, device="cpu")
    assert (
        run.profile == "smoke"
        and run.seed == 3
        and run.device.type == "cpu"
    )
    assert run.size(full=100, smoke=5) == 5
    assert "profile=smoke" in capsys.readouterr().out


def test_start_with_bad_profile_fails(monkeypatch):
    monkeypatch.setenv("TUTORIAL_PROFILE", "medium")
    with pytest.raises(ValueError, match="medium"):
        start()


def test_seed_everything_makes_all_generators_repeat():
    runtime.seed_everything(7)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    runtime.seed_everything(7)
    assert (
        random.random(),
        np.random.rand(),
        torch.rand(1).item(),
    ) == first


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_seed_rejects_non_integers(bad):
    with pytest.raises(ValueError, match="seed"):
        runtime.seed_everything(bad)


def test_choose_device():
    assert runtime.choose_device("cpu").type == "cpu"
    assert runtime.choose_device("auto").type in {"cpu", "cuda", "mps"}
    with pytest.raises(ValueError, match="unknown device"):
        runtime.choose_device("tpu-ish")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            runtime.choose_device("cuda")


def test_stamp_names_profile_device_and_versions(capsys):
    run = start(device="cpu", profile="smoke")
    line = run.stamp()
    assert (
        "profile=smoke" in line
        and "cpu" in line
        and torch.__version__ in line
    )


def test_the_base_seed_comes_from_tutorial_seed(monkeypatch):
    monkeypatch.setenv("TUTORIAL_SEED", "3")
    run = start(device="cpu", profile="smoke")
    assert run.seed == 3 and run.seeds(3) == [3, 4, 5]
    assert start(7, device="cpu", profile="smoke").seed == 7
    monkeypatch.delenv("TUTORIAL_SEED")
    assert start(device="cpu", profile="smoke").seed == runtime.BOOK_SEED


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_a_base_seed_that_is_not_a_seed_is_named(monkeypatch, value):
    monkeypatch.setenv("TUTORIAL_SEED", value)
    with pytest.raises(
        ValueError, match=f"TUTORIAL_SEED='{value}' is not a seed"
    ):
        start(device="cpu", profile="smoke")


def test_seeds_refuses_zero_seeds():
    run = start(device="cpu", profile="smoke")
    with pytest.raises(
        ValueError, match="n must be at least 1 seed, got 0"
    ):
        run.seeds(0)


def test_a_chapter_being_executed_elsewhere_is_not_started_twice(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("TUTORIAL_RESULTS_DIR", str(tmp_path))
    other = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"]
    )
    try:
        lock = tmp_path / "smoke" / ".ch1.lock"
        lock.parent.mkdir(parents=True)
        lock.write_text(str(other.pid))
        with pytest.raises(
            RuntimeError, match=f"chapter 'ch1'.*pid {other.pid}"
        ):
            start(device="cpu", profile="smoke", chapter="ch1")
    finally:
        other.kill()
        other.wait()
    # its process has ended: the lock is stale and taken over
    run = start(device="cpu", profile="smoke", chapter="ch1")
    assert lock.read_text() == str(os.getpid())
    run.record("a/b", 1.0)
    # this process starting the chapter again is fine
    start(device="cpu", profile="smoke", chapter="ch1")


def test_a_device_that_cannot_run_a_model_is_refused():
    with pytest.raises(ValueError) as caught:
        runtime.choose_device("meta")
    assert str(caught.value) == (
        "device must be 'auto', 'cpu', 'cuda' or 'mps', got 'meta'"
    )
