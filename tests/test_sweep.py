import numpy as np
import pytest
import torch

from tutorial_lib import experiments, sweep


def test_config_holds_defaults_overrides_and_identity():
    cfg = sweep.autoencoder_config(4, 0.2, seed=0, lr=3e-3)
    assert cfg["depth"] == 4 and cfg["alpha"] == 0.2 and cfg["lr"] == 3e-3
    assert cfg["channels"] == sweep.DEFAULTS["channels"]
    # Same settings give the same cache key; a changed setting a different one.
    assert experiments.config_key(cfg) == experiments.config_key(sweep.autoencoder_config(4, 0.2, seed=0, lr=3e-3))
    assert experiments.config_key(cfg) != experiments.config_key(sweep.autoencoder_config(4, 0.2, seed=0))


def test_config_rejects_unknown_settings_and_bad_values():
    with pytest.raises(ValueError, match="unknown setting"):
        sweep.autoencoder_config(2, 0.1, seed=0, chanels=16)
    with pytest.raises(ValueError, match="depth"):
        sweep.autoencoder_config(0, 0.1, seed=0)
    with pytest.raises(ValueError, match="alpha"):
        sweep.autoencoder_config(2, 1.5, seed=0)


def test_sweep_configs_cover_the_grid():
    configs = sweep.sweep_configs([2, 8], [0.1, 0.4], seed=0)
    assert [(c["depth"], c["alpha"]) for c in configs] == [(2, 0.1), (8, 0.1), (2, 0.4), (8, 0.4)]


def test_noisy_mse_matches_the_noise_model():
    # g - f = alpha (eps - f), so E(g - f)^2 = alpha^2 (E f^2 + 1) ~ 2 alpha^2 for these signals.
    cfg = sweep.autoencoder_config(2, 0.3, seed=0, n_samples=400)
    train, val = sweep.sweep_data(cfg)
    assert len(train) == 280 and len(val) == 120
    expected = 0.3**2 * (np.mean(val.clean.astype(np.float64) ** 2) + 1)
    assert sweep.noisy_mse(val) == pytest.approx(expected, rel=0.05)


def test_train_autoencoder_returns_a_small_consistent_result():
    cfg = sweep.autoencoder_config(2, 0.2, seed=0, n_samples=40, epochs=3, channels=4, snapshot_every=1, keep=2)
    result = sweep.train_autoencoder(cfg)
    h = result["history"]
    assert h.eval_epochs == [1, 2, 3] and result["val_mse"] == h.eval_loss[-1]
    assert h.snapshots.shape == (4, 1, 256)  # untrained + 3 epochs, one probe sequence
    assert result["val_pred"].shape == (2, 256)
    model = sweep.build_model(cfg)
    model.load_state_dict(result["state_dict"])
    _, val = sweep.sweep_data(cfg)
    with torch.no_grad():
        mse = torch.mean((model(torch.from_numpy(val.noisy)) - torch.from_numpy(val.clean)) ** 2).item()
    assert mse == pytest.approx(result["val_mse"], rel=1e-4)
    # Same configuration, same result: the seed decides everything.
    assert sweep.train_autoencoder(cfg)["val_mse"] == pytest.approx(result["val_mse"], rel=1e-6)


def test_build_model_gives_the_unet_twin_when_asked():
    cfg = sweep.autoencoder_config(3, 0.2, seed=0, channels=4)
    plain, twin = sweep.build_model(cfg), sweep.build_model({**cfg, "skips": True})
    assert not plain.skips and twin.skips


def test_sweep_configs_accept_generators():
    configs = sweep.sweep_configs((d for d in (2, 8)), (a for a in (0.1, 0.4)), seed=0)
    assert [(c["depth"], c["alpha"]) for c in configs] == [
        (2, 0.1), (8, 0.1), (2, 0.4), (8, 0.4)]


def test_an_interrupt_at_the_first_step_is_an_interrupt(monkeypatch, tmp_path):
    def interrupt(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(torch.optim.Adam, "step", interrupt)
    cfg = sweep.autoencoder_config(2, 0.2, seed=0, n_samples=40, epochs=2, channels=4)
    with pytest.raises(KeyboardInterrupt, match="interrupted after 0 of 2 epochs"):
        experiments.run_grid("ae", [cfg], sweep.train_autoencoder, directory=tmp_path)
    assert not list(tmp_path.glob("*.pt"))
