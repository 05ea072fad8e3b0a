import os

import pytest

from tutorial_lib import experiments


def test_cached_computes_once_then_reuses(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"loss": 0.5}

    cfg = {"depth": 2, "alpha": 0.1}
    assert experiments.cached("run", cfg, compute, directory=tmp_path) == {"loss": 0.5}
    assert experiments.cached("run", dict(reversed(cfg.items())), compute, directory=tmp_path) == {"loss": 0.5}
    assert len(calls) == 1


def test_changed_config_is_never_served_a_stale_result(tmp_path):
    experiments.cached("run", {"lr": 1e-2}, lambda: "old", directory=tmp_path)
    assert experiments.cached("run", {"lr": 1e-3}, lambda: "new", directory=tmp_path) == "new"


def test_grid_resumes_after_an_interruption(tmp_path):
    done = []

    def compute(cfg):
        if cfg["d"] == 3 and not done:
            done.append("interrupted")
            raise KeyboardInterrupt
        return cfg["d"] * 10

    configs = [{"d": d} for d in (1, 2, 3, 4)]
    with pytest.raises(KeyboardInterrupt):
        experiments.run_grid("g", configs, compute, directory=tmp_path)
    assert len(list(tmp_path.glob("g-*.pt"))) == 2  # the finished points only, no partial file
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    seen = []
    results = experiments.run_grid("g", configs, lambda c: seen.append(c["d"]) or c["d"] * 10, directory=tmp_path)
    assert results == [10, 20, 30, 40] and seen == [3, 4]


def test_bad_names_and_configs_raise(tmp_path):
    with pytest.raises(ValueError, match="name"):
        experiments.cached("a/b", {}, lambda: 1, directory=tmp_path)
    with pytest.raises(ValueError, match="JSON"):
        experiments.cached("a", {"x": object()}, lambda: 1, directory=tmp_path)


def test_artifacts_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(experiments.ENV_VAR, str(tmp_path))
    assert experiments.artifacts_dir("smoke") == tmp_path / "smoke"
