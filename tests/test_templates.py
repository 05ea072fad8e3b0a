"""The network built around Part II's signal family (tutorial_lib/templates.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tutorial_lib.data import two_tone, two_tone_dataset
from tutorial_lib.templates import ToneTemplateNet

X = two_tone_dataset(1, 64, seed=0).x


def test_untrained_it_returns_the_grids_average_tone_in_any_shape():
    net = ToneTemplateNet(X, grid=11)
    y = torch.randn(5, 64)
    average = net.sines.mean(0) + net.cosines.mean(0)
    assert torch.allclose(net(y), average.expand(5, 64), atol=1e-6)
    assert net(y.unsqueeze(-1)).shape == (5, 64, 1)


def test_with_the_posteriors_scores_it_recovers_a_clean_signal():
    # scores = <y, tone> / noise variance: the posterior's form, which the
    # network can hold; a tone on the grid, little noise -> that tone
    net = ToneTemplateNet(X, grid=21)
    with torch.no_grad():
        net.score1.weight.copy_(net.sines / 0.01)
        net.score2.weight.copy_(net.cosines / 0.01)
    f = np.linspace(0.5, 2.5, 21)
    clean = two_tone(X, f[4], f[13]).astype(np.float32)
    noisy = clean + 0.05 * np.random.default_rng(0).standard_normal(64)
    out = net(torch.tensor(noisy, dtype=torch.float32)[None])[0].detach()
    assert np.mean((out.numpy() - clean) ** 2) < 1e-3
    assert np.mean((noisy - clean) ** 2) > 2e-3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"x": np.zeros((2, 64))}, "x must be the signals' sample points"),
        ({"x": [0.0, np.nan, 1.0]}, "x must be the signals' sample points"),
        ({"x": X, "grid": 1}, "grid"),
        ({"x": X, "freq_range": (2.5, 0.5)}, "freq_range must be"),
    ],
)
def test_bad_settings_are_refused_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ToneTemplateNet(**kwargs)


def test_an_input_of_another_length_is_refused():
    with pytest.raises(ValueError, match="has 32 samples.*built for 64"):
        ToneTemplateNet(X, grid=5)(torch.zeros(2, 32))
