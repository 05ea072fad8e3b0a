import dataclasses
import json

import numpy as np
import pytest
import torch

from tutorial_lib import part2
from tutorial_lib.bookkeeping import folders, saved_runs
from tutorial_lib.bookkeeping.run import start
from tutorial_lib.dncnn import DilatedDenoiser
from tutorial_lib.models import receptive_field


def test_config_holds_defaults_overrides_and_identity():
    cfg = part2.autoencoder_config(4, 0.2, seed=0, lr=3e-3)
    assert cfg.depth == 4 and cfg.alpha == 0.2 and cfg.lr == 3e-3
    assert cfg.channels == part2.DEFAULTS["channels"] == 32
    # Same settings give the same cache key; a changed setting a different one.
    same = part2.autoencoder_config(4, 0.2, seed=0, lr=3e-3)
    assert saved_runs.config_key(cfg.key()) == saved_runs.config_key(
        same.key()
    )
    other = part2.autoencoder_config(4, 0.2, seed=0)
    assert saved_runs.config_key(cfg.key()) != saved_runs.config_key(
        other.key()
    )
    assert dataclasses.replace(other, lr=3e-3) == cfg


def test_the_post_models_keep_the_keys_of_the_plain_dict_configurations():
    # What sweep.autoencoder_config built before the configurations were frozen
    # dataclasses: the saved runs of Part II stay valid.
    old = {
        "n_samples": 64,
        "length": 256,
        "train_fraction": 0.7,
        "channels": 32,
        "kernel_size": 4,
        "activation": "relu",
        "norm": None,
        "lr": 1e-3,
        "batch_size": 32,
        "epochs": 2,
        "snapshot_every": 1,
        "keep": 4,
        "depth": 8,
        "alpha": 0.3,
        "seed": 0,
        "version": 1,
    }
    new = part2.autoencoder_config(np.int64(8), 0.3, seed=0, **part2.SMOKE)
    assert saved_runs.config_key(new.key()) == saved_runs.config_key(old)
    json.dumps(new.key())  # NumPy integers were made plain ints
    twin = dataclasses.replace(new, skips=True)
    assert twin.key()["skips"] is True


def test_config_rejects_unknown_settings_and_bad_values():
    with pytest.raises(ValueError, match="unknown setting.*chanels"):
        part2.autoencoder_config(2, 0.1, seed=0, chanels=16)
    with pytest.raises(
        ValueError, match="depth must be a positive integer, got 0"
    ):
        part2.autoencoder_config(0, 0.1, seed=0)
    with pytest.raises(
        ValueError, match=r"alpha must lie in \[0, 1\], got 1.5"
    ):
        part2.autoencoder_config(2, 1.5, seed=0)
    with pytest.raises(
        ValueError, match="seed must be a non-negative integer"
    ):
        part2.autoencoder_config(2, 0.1, seed=-1)


def test_target_is_in_the_key_only_when_it_is_not_the_posts():
    cfg = part2.autoencoder_config(4, 0.3, seed=0, **part2.SMOKE)
    assert cfg.target == "clean" and "target" not in part2.DEFAULTS
    # The default target leaves the key exactly as it was without the field.
    without = {
        k: v
        for k, v in dataclasses.asdict(cfg).items()
        if k not in ("skips", "target", "model")
    }
    assert cfg.key() == without
    selfsup = part2.autoencoder_config(
        4, 0.3, seed=0, target="noisy", **part2.SMOKE
    )
    assert selfsup == dataclasses.replace(cfg, target="noisy")
    assert selfsup.key() == {**without, "target": "noisy"}
    assert saved_runs.config_key(selfsup.key()) != saved_runs.config_key(
        cfg.key()
    )


def test_config_rejects_an_unknown_target():
    with pytest.raises(
        ValueError,
        match=r"target must be 'clean' \(.*\), 'noisy' \(.*\) or "
        r"'noisy copy' \(.*\), got 'nosiy'",
    ):
        part2.autoencoder_config(2, 0.1, seed=0, target="nosiy")


@pytest.mark.parametrize("target", ["clean", "noisy", "noisy copy"])
def test_fit_autoencoder_trains_toward_its_target_and_scores_on_clean(
    target,
):
    # One full batch: the first step's loss is the untrained model's loss
    # against the training target, whatever the batch order.
    cfg = part2.autoencoder_config(
        2,
        0.3,
        seed=0,
        n_samples=40,
        epochs=2,
        channels=4,
        batch_size=28,
        snapshot_every=1,
        target=target,
    )
    train, val = cfg.data()
    assert len(train) == 28
    with torch.no_grad():
        out = cfg.build()(torch.from_numpy(train.noisy)).double().numpy()
    goals = {
        "clean": train.clean,
        "noisy": train.noisy,
        "noisy copy": part2.training_target(
            dataclasses.replace(cfg, target="noisy copy"), train
        ),
    }
    against = {
        name: float(np.mean((out - goal) ** 2))
        for name, goal in goals.items()
    }
    other = "noisy" if target == "clean" else "clean"
    assert against[target] != pytest.approx(against[other], rel=1e-3)
    result = part2.fit_autoencoder(cfg)
    first = result["history"].step_loss[0]
    assert first == pytest.approx(against[target], rel=1e-4)
    assert first != pytest.approx(against[other], rel=1e-3)
    # val_mse is against the clean signal for both targets.
    model = cfg.build()
    model.load_state_dict(result["state_dict"])
    with torch.no_grad():
        pred = model(torch.from_numpy(val.noisy)).double().numpy()
    assert result["val_mse"] == pytest.approx(
        np.mean((pred - val.clean) ** 2), rel=1e-4
    )
    if target == "noisy":
        assert result["val_mse_vs_noisy"] == pytest.approx(
            np.mean((pred - val.noisy) ** 2), rel=1e-4
        )
    else:
        assert "val_mse_vs_noisy" not in result


def test_a_noisy_copy_target_has_the_inputs_signal_and_fresh_noise():
    cfg = part2.autoencoder_config(
        2, 0.3, seed=0, n_samples=400, target="noisy copy"
    )
    assert cfg.key()["target"] == "noisy copy"
    train, _ = cfg.data()
    target = part2.training_target(cfg, train)
    assert target.shape == train.noisy.shape and target.dtype == np.float32
    # The same signal, (1 - alpha) * clean, under another noise draw of the
    # same size: independent of the input's noise, reproducible from the seed.
    noise = (target - 0.7 * train.clean).ravel() / 0.3
    input_noise = (train.noisy - 0.7 * train.clean).ravel() / 0.3
    assert abs(noise.std() - 1) < 0.02 and abs(noise.mean()) < 0.02
    assert abs(np.corrcoef(noise, input_noise)[0, 1]) < 0.02
    assert np.array_equal(target, part2.training_target(cfg, train))
    other = dataclasses.replace(cfg, seed=1)
    assert not np.array_equal(
        part2.training_target(other, other.data()[0]), target
    )


def test_sweep_configs_cover_the_grid_from_any_iterables():
    configs = part2.sweep_configs(
        (d for d in (2, 8)), (a for a in (0.1, 0.4)), seed=0
    )
    pairs = [(c.depth, c.alpha) for c in configs]
    assert pairs == [(2, 0.1), (8, 0.1), (2, 0.4), (8, 0.4)]


def test_noisy_mse_matches_the_noise_model():
    # g - f = alpha (eps - f), so E(g - f)^2 = alpha^2 (E f^2 + 1).
    cfg = part2.autoencoder_config(2, 0.3, seed=0, n_samples=400)
    train, val = cfg.data()
    assert len(train) == 280 and len(val) == 120
    expected = 0.3**2 * (np.mean(val.clean.astype(np.float64) ** 2) + 1)
    assert part2.noisy_mse(val) == pytest.approx(expected, rel=0.05)


def test_fit_autoencoder_returns_a_small_consistent_result():
    cfg = part2.autoencoder_config(
        2,
        0.2,
        seed=0,
        n_samples=40,
        epochs=3,
        channels=4,
        snapshot_every=1,
        keep=2,
    )
    result = part2.fit_autoencoder(cfg)
    h = result["history"]
    assert (
        h.eval_epochs == [1, 2, 3] and result["val_mse"] == h.eval_loss[-1]
    )
    # untrained + 3 epochs, one probe sequence
    assert h.snapshots.shape == (
        4,
        1,
        256,
    )
    assert result["val_pred"].shape == (2, 256)
    model = cfg.build()
    model.load_state_dict(result["state_dict"])
    _, val = cfg.data()
    with torch.no_grad():
        out = model(torch.from_numpy(val.noisy))
        mse = torch.mean((out - torch.from_numpy(val.clean)) ** 2).item()
    assert mse == pytest.approx(result["val_mse"], rel=1e-4)
    # Same configuration, same result: the seed decides everything.
    again = part2.fit_autoencoder(cfg)["val_mse"]
    assert again == pytest.approx(result["val_mse"], rel=1e-6)


def test_build_gives_the_unet_twin_when_asked():
    cfg = part2.autoencoder_config(3, 0.2, seed=0, channels=4)
    assert (
        not cfg.build().skips
        and dataclasses.replace(cfg, skips=True).build().skips
    )


def test_train_and_train_grid_share_the_saved_runs(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(folders.ARTIFACTS_ENV_VAR, str(tmp_path))
    run = start(profile="smoke", device="cpu")
    assert run.artifacts == tmp_path / "smoke"
    configs = part2.sweep_configs(
        [1, 2], [0.2], seed=0, n_samples=40, epochs=1, channels=4
    )
    results = part2.train_grid(configs, run)
    assert "2 runs: 0 reused" in capsys.readouterr().out
    one = part2.train(configs[1], run)
    assert "reusing the saved run" in capsys.readouterr().out
    assert one["val_mse"] == results[1]["val_mse"]
    assert len(list((tmp_path / "smoke").glob(f"{part2.NAME}-*.pt"))) == 2


def test_an_interrupt_at_the_first_step_is_an_interrupt(
    monkeypatch, tmp_path
):
    def interrupt(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(torch.optim.Adam, "step", interrupt)
    monkeypatch.setenv(folders.ARTIFACTS_ENV_VAR, str(tmp_path))
    cfg = part2.autoencoder_config(
        2, 0.2, seed=0, n_samples=40, epochs=2, channels=4
    )
    with pytest.raises(
        KeyboardInterrupt, match="interrupted after 0 of 2 epochs"
    ):
        part2.train_grid([cfg], start(profile="smoke", device="cpu"))
    assert not list(tmp_path.rglob("*.pt"))


def test_numpy_settings_become_plain_numbers_in_the_key():
    cfg = part2.autoencoder_config(
        2,
        0.1,
        seed=0,
        epochs=np.int64(3),
        lr=np.float32(1e-3),
        n_samples=np.int32(64),
        train_fraction=np.float64(0.7),
        skips=np.bool_(False),
    )
    assert type(cfg.epochs) is int and cfg.epochs == 3
    assert type(cfg.n_samples) is int
    assert type(cfg.lr) is float and cfg.lr == float(np.float32(1e-3))
    assert type(cfg.train_fraction) is float and cfg.skips is False
    json.dumps(cfg.key())  # the cache key is JSON
    # Python numbers are kept as given: the book's keys never change
    plain = part2.autoencoder_config(2, 0.1, seed=0, lr=1e-3, epochs=3)
    numpy = part2.autoencoder_config(
        2, 0.1, seed=0, lr=1e-3, epochs=np.int64(3)
    )
    assert saved_runs.config_key(plain.key()) == saved_runs.config_key(
        numpy.key()
    )


@pytest.mark.parametrize(
    "setting, message",
    [
        (
            {"n_samples": 64.0},
            "n_samples must be a positive integer, got 64.0",
        ),
        ({"channels": 8.0}, "channels must be a positive integer, got 8.0"),
        ({"epochs": 0}, "epochs must be a positive integer, got 0"),
        ({"keep": -1}, "keep must be a positive integer, got -1"),
        (
            {"kernel_size": True},
            "kernel_size must be a positive integer, got True",
        ),
        (
            {"batch_size": 0},
            "batch_size must be an integer >= 1, or None (full batch), got 0",
        ),
        (
            {"snapshot_every": -1},
            "snapshot_every must be an integer >= 0, got -1",
        ),
        ({"lr": 0}, "lr must be a positive finite number, got 0"),
        ({"lr": "1e-3"}, "lr must be a positive finite number, got '1e-3'"),
        (
            {"train_fraction": 1.5},
            "train_fraction must be a fraction in (0, 1) (a float), got 1.5",
        ),
        (
            {"train_fraction": 0.001},
            "train_fraction=0.001 of n_samples=64 leaves 0 signals to train "
            "and 64 to validate; expected at least one of each (a larger "
            "n_samples, or a fraction nearer 0.5)",
        ),
        ({"skips": 1}, "skips must be True or False, got 1"),
        (
            {"activation": None},
            "activation must be a name such as 'relu', got None",
        ),
    ],
)
def test_a_bad_setting_is_refused_naming_it(setting, message):
    with pytest.raises(ValueError) as caught:
        part2.autoencoder_config(
            2, 0.1, seed=0, **{"n_samples": 64, **setting}
        )
    assert str(caught.value) == message
    assert "n_train" not in message


def test_the_model_field_builds_the_dncnn_and_keys_only_when_set():
    cfg = part2.autoencoder_config(7, 0.3, seed=0, **part2.SMOKE)
    dncnn = dataclasses.replace(cfg, model="dncnn", kernel_size=3)
    assert "model" not in cfg.key()
    assert dncnn.key()["model"] == "dncnn"
    assert isinstance(dncnn.build(), DilatedDenoiser)
    assert receptive_field(dncnn.build(), dncnn.length) == 255
    with pytest.raises(ValueError, match="model must be one of .* 'dnn'"):
        dataclasses.replace(cfg, model="dnn")
