"""Stacked training: model k of a stack is the model trained alone, to float
rounding; stacks refuse what they cannot train as one; the grid of Part II
trains in this process and keeps every finished group."""

import dataclasses
import multiprocessing
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from tutorial_lib import part2
from tutorial_lib.bookkeeping import cache
from tutorial_lib.bookkeeping.run import Run
from tutorial_lib.models import ConvAutoencoder
from tutorial_lib.stacked import fit_stacked
from tutorial_lib.training import FitConfig, fit

STEP_RTOL = 1e-4
"""How close model k's step losses in a stack stay to its losses alone over
the first steps: the two differ only in the order of float additions."""


def configs(n_samples=96, epochs=2, **overrides):
    return [
        part2.autoencoder_config(
            depth,
            alpha,
            seed=seed,
            n_samples=n_samples,
            epochs=epochs,
            **overrides,
        )
        for depth in (2,)
        for alpha in (0.1, 0.3)
        for seed in (0, 1)
    ]


def fit_config(config):
    return dataclasses.replace(part2.fit_config(config), snapshot_every=1)


@pytest.mark.parametrize(
    "network",
    [{}, {"model": "dncnn", "kernel_size": 3}],
    ids=["autoencoder", "dncnn"],
)
def test_each_model_of_a_stack_follows_its_run_alone(network):
    stack = configs(**network)
    alone = []
    for c in stack:
        train, val = c.data()
        alone.append(
            fit(
                c.build(),
                train.noisy,
                train.clean,
                fit_config(c),
                eval_data=(val.noisy, val.clean),
                probe=val.noisy[:1],
            )
        )
    data = [c.data() for c in stack]
    models = [c.build() for c in stack]
    together = fit_stacked(
        models,
        [t.noisy for t, _ in data],
        [t.clean for t, _ in data],
        [fit_config(c) for c in stack],
        eval_data=([v.noisy for _, v in data], [v.clean for _, v in data]),
        probe=[v.noisy[:1] for _, v in data],
    )
    for a, b in zip(alone, together):
        assert len(a.step_loss) == len(b.step_loss) > 4
        np.testing.assert_allclose(b.step_loss, a.step_loss, rtol=STEP_RTOL)
        np.testing.assert_allclose(b.eval_loss, a.eval_loss, rtol=STEP_RTOL)
        assert b.eval_epochs == a.eval_epochs
        assert b.snapshot_epochs == a.snapshot_epochs
        assert b.snapshots.shape == a.snapshots.shape
        np.testing.assert_allclose(b.snapshots, a.snapshots, atol=1e-4)
    # the models hold what the stack trained: their outputs give its losses
    train, val = data[0]
    with torch.no_grad():
        out = models[0](torch.as_tensor(val.noisy))
    mse = float(((out - torch.as_tensor(val.clean)) ** 2).mean())
    assert mse == pytest.approx(together[0].eval_loss[-1], rel=1e-5)


def test_the_seed_orders_each_model_s_batches():
    c0, c1 = configs(epochs=1)[:2]  # same data and shape, seeds 0 and 1
    same = dataclasses.replace(c1, seed=0)
    data = c0.data()[0]
    histories = fit_stacked(
        [c0.build(), c0.build(), c0.build()],
        [data.noisy] * 3,
        [data.clean] * 3,
        [fit_config(c0), fit_config(same), fit_config(c1)],
    )
    assert histories[0].step_loss == histories[1].step_loss
    assert histories[0].step_loss != histories[2].step_loss


def test_a_stack_refuses_what_it_cannot_train_as_one():
    c = configs()[0]
    train = c.data()[0]
    x = [train.noisy, train.noisy]
    fc = fit_config(c)
    with pytest.raises(
        ValueError, match=r"models\[1\] .* differs in architecture"
    ):
        fit_stacked(
            [ConvAutoencoder(2), ConvAutoencoder(3)], x, x, [fc, fc]
        )
    with pytest.raises(ValueError, match="batch norm cannot be stacked"):
        fit_stacked(
            [ConvAutoencoder(2, norm="batch") for _ in range(2)],
            x,
            x,
            [fc, fc],
        )
    other = dataclasses.replace(fc, lr=3e-3)
    with pytest.raises(
        ValueError, match=r"configs\[1\] = .* more than the seed"
    ):
        fit_stacked(
            [ConvAutoencoder(2) for _ in range(2)], x, x, [fc, other]
        )
    with pytest.raises(
        ValueError, match="inputs must be N arrays of one shape"
    ):
        fit_stacked(
            [ConvAutoencoder(2) for _ in range(2)],
            [train.noisy, train.noisy[:-1]],
            x,
            [fc, fc],
        )
    with pytest.raises(ValueError, match="2 models and 1 configs"):
        fit_stacked([ConvAutoencoder(2) for _ in range(2)], x, x, [fc])


def test_ctrl_c_marks_every_model_of_the_stack_interrupted(monkeypatch):
    calls = []
    original = torch.optim.Adam.step

    def step_or_interrupt(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", step_or_interrupt)
    c = configs(epochs=3)[:2]
    data = [x.data()[0] for x in c]
    histories = fit_stacked(
        [x.build() for x in c],
        [d.noisy for d in data],
        [d.clean for d in data],
        [FitConfig(epochs=3, batch_size=32, loss="mse", progress=False)]
        * 2,
    )
    assert all(h.interrupted for h in histories)
    assert all(h.epoch_loss == [] for h in histories)  # none finished


def smoke_run(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_ARTIFACTS_DIR", str(tmp_path))
    return Run("smoke", torch.device("cpu"), 0)


def test_the_grid_trains_one_stack_per_shape_in_this_process(
    tmp_path, monkeypatch, capsys
):
    run = smoke_run(tmp_path, monkeypatch)
    grid = [
        part2.autoencoder_config(d, a, seed=0, **part2.SMOKE)
        for d in (2, 4)
        for a in (0.1, 0.2)
    ]
    results = part2.train_grid(grid, run)
    out = capsys.readouterr().out
    for depth in (2, 4):
        assert (
            f"training 2 run(s) together: depth={depth}; alpha=0.1, 0.2"
            in out
        )
    assert "4 runs: 0 reused, 4 trained" in out
    assert not multiprocessing.active_children()
    # a stacked result is the result of its configuration trained alone
    alone = part2.fit_autoencoder(grid[2])
    assert results[2]["val_mse"] == pytest.approx(
        alone["val_mse"], rel=1e-4
    )
    assert results[2]["parameters"] == alone["parameters"]
    again = part2.train_grid(grid, run)
    assert capsys.readouterr().out.strip() == "4 runs: 4 reused"
    assert [r["val_mse"] for r in again] == [r["val_mse"] for r in results]


def test_a_failing_group_keeps_the_groups_finished_before_it(tmp_path):
    configs_ = [{"g": g, "i": i} for g in ("a", "b") for i in range(2)]

    def compute(group):
        if group[0]["g"] == "b":
            raise RuntimeError("group b failed")
        return [c["i"] * 10 for c in group]

    with pytest.raises(RuntimeError, match="group b failed"):
        cache.run_stacks(
            "s",
            configs_,
            compute,
            group=lambda c: c["g"],
            directory=tmp_path,
        )
    saved = sorted(p.name.split("-")[0] for p in tmp_path.glob("s-*.pt"))
    assert saved == ["s", "s"]  # both runs of group a
    results = cache.run_stacks(
        "s",
        configs_,
        lambda group: [c["i"] * 10 for c in group],
        group=lambda c: c["g"],
        directory=tmp_path,
    )
    assert results == [0, 10, 0, 10]


def test_a_grid_says_one_line_a_group_and_names_no_file(tmp_path, capsys):
    configs_ = [{"g": g, "i": i} for g in ("a", "b") for i in range(2)]
    cache.run_stacks(
        "s",
        configs_,
        lambda group: [c["i"] for c in group],
        group=lambda c: c["g"],
        directory=tmp_path,
    )
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0].split(" in ")[0] for line in lines] == [
        "training 2 run(s) together",
        "  trained",
        "training 2 run(s) together",
        "  trained",
        "4 runs",
    ]
    assert not any(".pt" in line or str(tmp_path) in line for line in lines)


def test_a_chapter_run_as_a_plain_script_trains_once(tmp_path):
    # no `if __name__ == "__main__"` guard: nothing may start it again
    script = tmp_path / "chapter.py"
    script.write_text(
        textwrap.dedent(
            """
            import tutorial_lib as tl
            from tutorial_lib import part2
            run = tl.start(profile="smoke")
            grid = [part2.autoencoder_config(2, a, seed=0, **part2.SMOKE)
                    for a in (0.1, 0.2)]
            print(len(part2.train_grid(grid, run)), "results")
            """
        )
    )
    env = {
        "TUTORIAL_ARTIFACTS_DIR": str(tmp_path / "a"),
        "PATH": "",
        # the package where it is not installed (a GPU machine's session)
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("profile=smoke") == 1
    assert "2 results" in done.stdout


def test_a_model_with_batch_norm_trains_alone_in_the_grid(
    tmp_path, monkeypatch
):
    run = smoke_run(tmp_path, monkeypatch)
    grid = [
        part2.autoencoder_config(2, a, seed=0, norm="batch", **part2.SMOKE)
        for a in (0.1, 0.2)
    ]
    results = part2.train_grid(grid, run)
    assert all(np.isfinite(r["val_mse"]) for r in results)
    assert all(
        any(isinstance(m, nn.BatchNorm1d) for m in g.build().modules())
        for g in grid
    )


def running_with(marker: str) -> list[int]:
    """Ids of the processes whose command line holds ``marker``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:
            pass  # ended meanwhile
    return found


@pytest.mark.skipif(
    not Path("/proc").is_dir(), reason="needs /proc (Linux)"
)
def test_killing_a_training_process_leaves_nothing_training(tmp_path):
    """The grid trains in the process that asks for it: killed (the OOM
    killer, a kernel's restart), nothing of it goes on elsewhere."""
    marker = f"train-marker-{os.getpid()}"
    script = tmp_path / f"{marker}.py"
    script.write_text(
        textwrap.dedent(
            """
            from tutorial_lib import part2
            import tutorial_lib as tl
            run = tl.start(profile="smoke")
            grid = [part2.autoencoder_config(2, a, seed=0, n_samples=640,
                                             epochs=500) for a in (0.1, 0.2)]
            print("training", flush=True)
            part2.train_grid(grid, run)
            """
        )
    )
    env = {**os.environ, "TUTORIAL_ARTIFACTS_DIR": str(tmp_path / "a")}
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout.readline().startswith("profile=")
    assert proc.stdout.readline().strip() == "training"
    proc.kill()
    proc.wait(timeout=30)
    assert running_with(marker) == []
    assert not list((tmp_path / "a").rglob("*.pt"))  # nothing half-saved
