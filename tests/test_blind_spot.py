"""Blind-spot training learns a denoiser from noisy signals alone."""

import numpy as np
import pytest
import torch

from tutorial_lib import blind_spot, data, evaluation, training
from tutorial_lib.models import ConvAutoencoder


def test_hidden_samples_are_their_neighbours_mean_and_the_rest_stay():
    x = torch.arange(12.0).reshape(1, 12) ** 2
    hidden, mask = blind_spot.hide_samples(x, spacing=4, phase=1)
    assert mask.nonzero().flatten().tolist() == [1, 5, 9]
    for t in (1, 5, 9):
        assert hidden[0, t] == (x[0, t - 1] + x[0, t + 1]) / 2
    assert torch.equal(hidden[:, ~mask], x[:, ~mask])
    # at an end, the one neighbour
    end, _ = blind_spot.hide_samples(x, spacing=4, phase=0)
    assert end[0, 0] == x[0, 1]


def test_no_denoised_sample_depends_on_its_own_noisy_value():
    torch.manual_seed(0)
    model = ConvAutoencoder(2, 4, skips=True)
    x = np.random.default_rng(0).normal(size=(3, 32)).astype(np.float32)
    before = blind_spot.blind_spot_denoise(model, x, spacing=4)
    for t in (0, 7, 13, 31):
        changed = x.copy()
        changed[:, t] += 5.0
        after = blind_spot.blind_spot_denoise(model, changed, spacing=4)
        assert np.allclose(after[:, t], before[:, t], atol=1e-6)
        # while a plain forward pass does depend on it
        plain = evaluation.predict(model, x) - evaluation.predict(
            model, changed
        )
        assert np.abs(plain[:, t]).max() > 1e-4


def _two_tones(alpha=0.3):
    pairs = data.two_tone_dataset(512, 64, seed=0).at(alpha)
    return pairs.noisy[:384], pairs.noisy[384:], pairs.clean[384:]


def test_blind_spot_training_removes_noise_a_copying_network_keeps():
    # A U-Net can copy its input; trained to reproduce it, it keeps the
    # noise, while the blind-spot loss makes the same network denoise.
    train, val, clean = _two_tones()
    scaled = 0.7 * clean
    config = training.FitConfig(
        epochs=30, lr=3e-3, batch_size=32, loss="mse", progress=False
    )
    torch.manual_seed(0)
    model = ConvAutoencoder(2, 8, skips=True)
    history = blind_spot.fit_blind_spot(
        model, train, config, eval_data=(val, clean)
    )
    out = blind_spot.blind_spot_denoise(model, val)
    input_noise = np.mean((val - scaled) ** 2)
    assert np.mean((out - scaled) ** 2) < 0.75 * input_noise
    assert history.final_eval == pytest.approx(np.mean((out - clean) ** 2))
    assert len(history.epoch_loss) == 30
    torch.manual_seed(0)
    copier = ConvAutoencoder(2, 8, skips=True)
    training.fit(copier, train, train, config)
    copied = evaluation.predict(copier, val)
    assert np.mean((copied - scaled) ** 2) > 0.9 * input_noise


@pytest.mark.parametrize("spacing", [1, 0, 2.5, True])
def test_a_bad_spacing_is_named(spacing):
    with pytest.raises(ValueError, match="spacing"):
        blind_spot.blind_spot_denoise(
            ConvAutoencoder(1, 2), np.zeros((1, 8)), spacing
        )
