"""Singular-spectrum analysis (tutorial_lib.classical.subspace)."""

import numpy as np
import pytest

from tutorial_lib import data
from tutorial_lib.classical.subspace import ssa


def test_two_clean_tones_pass_unchanged():
    t = np.linspace(0, 20, 256)
    clean = data.two_tone(
        t, np.array([[0.7], [2.1]]), np.array([[1.3], [0.6]])
    )
    np.testing.assert_allclose(ssa(clean, 64), clean, atol=1e-9)


def test_it_equals_a_plain_svd_truncation_and_diagonal_averaging():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 40))
    window, rank = 12, 3
    expected = np.empty_like(x)
    for row, seq in enumerate(x):
        h = np.array([seq[i : i + 40 - window + 1] for i in range(window)])
        u, s, vt = np.linalg.svd(h, full_matrices=False)
        low = (u[:, :rank] * s[:rank]) @ vt[:rank]
        for t in range(40):
            expected[row, t] = np.mean(
                [
                    low[i, t - i]
                    for i in range(window)
                    if 0 <= t - i < low.shape[1]
                ]
            )
    np.testing.assert_allclose(
        ssa(x, window, rank=rank), expected, atol=1e-10
    )


def test_it_removes_most_of_the_noise_from_two_tones():
    pairs = data.two_tone_dataset(50, 256, seed=3).at(0.3)
    out = ssa(pairs.noisy, 64) / 0.7  # undo the shrinkage by 1 - alpha
    noisy = np.mean((pairs.noisy / 0.7 - pairs.clean) ** 2)
    assert np.mean((out - pairs.clean) ** 2) < noisy / 5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"window": 3}, "= \\[4, 32\\]"),
        ({"window": 40}, "= \\[4, 32\\]"),
        ({"window": 10, "rank": 0}, "rank"),
        ({"window": 10, "iterations": 0}, "iterations"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ssa(np.zeros((2, 64)), **kwargs)
