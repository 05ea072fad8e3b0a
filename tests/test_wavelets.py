"""Wavelet shrinkage (tutorial_lib.classical.wavelets)."""

import numpy as np
import pytest

from tutorial_lib import data
from tutorial_lib.classical.wavelets import _sure_threshold, wavelet_shrink


def test_sure_threshold_minimises_steins_risk_estimate():
    rng = np.random.default_rng(1)
    d = np.concatenate([rng.normal(size=200), 6 * rng.normal(size=20)])[
        None
    ]
    m = d.shape[1]

    def sure(t):
        return (
            m - 2 * np.sum(np.abs(d) <= t) + np.sum(np.minimum(d**2, t**2))
        )

    grid = np.linspace(0, np.sqrt(2 * np.log(m)), 2001)
    chosen = float(_sure_threshold(d)[0, 0])
    assert sure(chosen) <= min(sure(t) for t in grid) + 1e-9


def test_it_denoises_a_piecewise_constant_signal_with_haar():
    rng = np.random.default_rng(0)
    clean = np.repeat(rng.normal(size=16) * 3, 64)[None]
    noisy = clean + 0.5 * rng.normal(size=clean.shape)
    for rule in ("sure", "universal"):
        out = wavelet_shrink(noisy, "haar", 5, rule)
        assert np.mean((out - clean) ** 2) < 0.1 * np.mean(
            (noisy - clean) ** 2
        )


def test_it_keeps_a_noise_free_signal_and_the_shape():
    t = np.linspace(0, 20, 256)
    clean = data.two_tone(t, 1.0, 1.0)[None]
    out = wavelet_shrink(clean, "sym8", 3)
    assert out.shape == clean.shape
    assert np.max(np.abs(out - clean)) < 1e-6


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"wavelet": "nope"}, "wavelet must name a discrete wavelet"),
        ({"level": 0}, "level"),
        ({"level": 9}, "level"),
        ({"rule": "minimax"}, "rule must be one of sure, universal"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        wavelet_shrink(np.zeros((2, 256)), **kwargs)
