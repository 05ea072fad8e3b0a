import math

import numpy as np
import pytest

from tutorial_lib import data


def test_sine_dataset_shapes_and_dtype():
    d = data.sine_dataset(50, 100, seed=0)
    assert d.noisy.shape == d.clean.shape == (50, 100)
    assert d.noisy.dtype == d.clean.dtype == np.float32


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = (data.sine_dataset(20, 100, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.noisy, b.noisy)
    np.testing.assert_array_equal(a.clean, b.clean)
    assert not np.array_equal(a.noisy, c.noisy)


def test_noise_is_uniform_within_035():
    d = data.sine_dataset(4000, 100, seed=0)
    noise = (d.noisy.astype(np.float64) - d.clean).ravel()
    assert noise.min() >= -0.35 - 1e-6 and noise.max() <= 0.35 + 1e-6
    # Uniform on [-a, a]: mean 0, std a / sqrt(3), and flat in ten bins.
    assert abs(noise.mean()) < 0.005
    assert abs(noise.std() - 0.35 / math.sqrt(3)) < 0.005
    counts, _ = np.histogram(noise, bins=10, range=(-0.35, 0.35))
    assert counts.min() / counts.max() > 0.95


def test_clean_signal_has_period_60_and_integer_offsets():
    d = data.sine_dataset(100, 150, seed=0)
    np.testing.assert_allclose(d.clean[:, 60:], d.clean[:, :-60], atol=1e-5)
    np.testing.assert_allclose(d.clean[:, 30:], -d.clean[:, :-30], atol=1e-5)
    # Each row is sin(2 pi (t + k) / 60) for an integer k in [0, 150].
    phases = np.arcsin(np.clip(d.clean[:, 0], -1, 1))
    assert np.all(np.isfinite(phases))
    for row in d.clean[:10]:
        matches = [k for k in range(151) if np.allclose(row, data.sine(np.arange(150) + k), atol=1e-5)]
        assert matches, "row is not an integer-offset sine"


def test_split_8000_2000():
    d = data.sine_dataset(10_000, 10, seed=0)
    train, test = data.split(d, 8000)
    assert len(train) == 8000 and len(test) == 2000
    np.testing.assert_array_equal(test.noisy, d.noisy[8000:])
    train, val = data.split(d, 0.7)
    assert len(train) == 7000 and len(val) == 3000
    with pytest.raises(ValueError, match="empty"):
        data.split(d, 10_000)


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(n=3, length=-1), dict(n=2.5)])
def test_sine_dataset_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError, match="positive integer"):
        data.sine_dataset(**kwargs)


def test_two_tone_signals_follow_the_formula():
    d = data.two_tone_dataset(30, 256, seed=0)
    assert d.clean.shape == d.eps.shape == (30, 256) and d.x.shape == (256,)
    assert d.x[0] == 0 and math.isclose(d.x[-1], 4 * math.pi)
    f1, f2 = d.freqs[:, 0], d.freqs[:, 1]
    assert np.all((f1 >= 0.5) & (f1 <= 2.5) & (f2 >= 0.5) & (f2 <= 2.5))
    expected = np.sin(f1[:, None] * d.x) + np.cos(2 * f2[:, None] * d.x)
    np.testing.assert_allclose(d.clean, expected, atol=1e-5)


def test_alpha_mixing_and_shared_base_signals():
    d = data.two_tone_dataset(20, 64, seed=0)
    for alpha in (0.0, 0.1, 0.4, 1.0):
        pairs = d.at(alpha)
        np.testing.assert_allclose(pairs.noisy, (1 - alpha) * d.clean + alpha * d.eps, atol=1e-6)
        np.testing.assert_array_equal(pairs.clean, d.clean)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        d.at(1.5)


def test_two_tone_noise_is_standard_normal():
    d = data.two_tone_dataset(500, 256, seed=0)
    assert abs(d.eps.mean()) < 0.01 and abs(d.eps.std() - 1) < 0.01


def test_two_tone_reproducible():
    a, b = data.two_tone_dataset(5, 32, seed=4), data.two_tone_dataset(5, 32, seed=4)
    np.testing.assert_array_equal(a.at(0.3).noisy, b.at(0.3).noisy)


def test_hide_targets_by_count_and_fraction():
    y = np.zeros((80, 100), dtype=np.float32)
    hidden = data.hide_targets(y, count=50, seed=0)
    assert np.isnan(hidden).sum() == 50 and not np.isnan(y).any()
    np.testing.assert_array_equal(np.isnan(data.hide_targets(y, count=50, seed=0)), np.isnan(hidden))
    assert np.isnan(data.hide_targets(y, fraction=0.1, seed=0)).sum() == 800


@pytest.mark.parametrize("kwargs", [dict(), dict(count=1, fraction=0.1), dict(count=10**9), dict(fraction=2.0)])
def test_hide_targets_rejects_bad_requests(kwargs):
    with pytest.raises(ValueError):
        data.hide_targets(np.zeros((4, 4)), **kwargs)
