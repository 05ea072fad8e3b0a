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
    np.testing.assert_allclose(
        d.clean[:, 30:], -d.clean[:, :-30], atol=1e-5
    )
    # Each row is sin(2 pi (t + k) / 60) for an integer k in [0, 150].
    phases = np.arcsin(np.clip(d.clean[:, 0], -1, 1))
    assert np.all(np.isfinite(phases))
    for row in d.clean[:10]:
        matches = [
            k
            for k in range(151)
            if np.allclose(row, data.sine(np.arange(150) + k), atol=1e-5)
        ]
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


@pytest.mark.parametrize(
    "kwargs", [dict(n=0), dict(n=3, length=-1), dict(n=2.5)]
)
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
        np.testing.assert_allclose(
            pairs.noisy, (1 - alpha) * d.clean + alpha * d.eps, atol=1e-6
        )
        np.testing.assert_array_equal(pairs.clean, d.clean)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        d.at(1.5)


def test_two_tone_noise_is_standard_normal():
    d = data.two_tone_dataset(500, 256, seed=0)
    assert abs(d.eps.mean()) < 0.01 and abs(d.eps.std() - 1) < 0.01


def test_two_tone_reproducible():
    a, b = (
        data.two_tone_dataset(5, 32, seed=4),
        data.two_tone_dataset(5, 32, seed=4),
    )
    np.testing.assert_array_equal(a.at(0.3).noisy, b.at(0.3).noisy)


def test_hide_targets_by_count_and_fraction():
    y = np.zeros((80, 100), dtype=np.float32)
    hidden = data.hide_targets(y, count=50, seed=0)
    assert np.isnan(hidden).sum() == 50 and not np.isnan(y).any()
    np.testing.assert_array_equal(
        np.isnan(data.hide_targets(y, count=50, seed=0)), np.isnan(hidden)
    )
    assert np.isnan(data.hide_targets(y, fraction=0.1, seed=0)).sum() == 800


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(count=1, fraction=0.1),
        dict(count=10**9),
        dict(fraction=2.0),
    ],
)
def test_hide_targets_rejects_bad_requests(kwargs):
    with pytest.raises(ValueError):
        data.hide_targets(np.zeros((4, 4)), **kwargs)


# ---------------------------------------------------------------- bad values (issue 11)


def _digest(*arrays) -> str:
    import hashlib

    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def test_valid_input_gives_the_same_bits_as_before_the_checks():
    # Digests computed on main before the argument checks were added.
    d = data.sine_dataset(200, 100, seed=3)
    assert _digest(d.noisy, d.clean) == "92dfa1c41438d0eb"
    rng = np.random.default_rng(5)
    d = data.sine_dataset(
        50, 100, period=40.0, noise=0.2, max_offset=7, seed=rng
    )
    assert _digest(d.noisy, d.clean) == "89925bcf4d558dca"
    t = data.two_tone_dataset(40, 256, seed=2)
    assert (
        _digest(t.x, t.freqs, t.clean, t.eps, t.at(0.3).noisy)
        == "85673213ef7d421c"
    )
    hidden = data.hide_targets(np.zeros((10, 10)), fraction=0.3, seed=1)
    assert _digest(hidden) == "ece7f39ecccf83ff"


POSITIVE = "must be a positive finite number, got"
FINITE = "must be a finite number, got"
SEED = "seed must be a non-negative integer or a numpy Generator, got"
OFFSET = "max_offset must be a non-negative integer or None, got"
FREQS = r"freq_range must be \(low, high\), finite numbers with 0 <= low < high, got"


def sine(**kwargs):
    return data.sine_dataset(3, **kwargs)


def two_tone(**kwargs):
    return data.two_tone_dataset(3, **kwargs)


def hide(**kwargs):
    return data.hide_targets(np.zeros((4, 4)), **kwargs)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sine(period=0), f"period {POSITIVE} 0$"),
        (lambda: sine(period=-60.0), f"period {POSITIVE} -60.0"),
        (lambda: sine(period=math.inf), f"period {POSITIVE} inf"),
        (lambda: sine(period=True), f"period {POSITIVE} True"),
        (
            lambda: data.sine(np.arange(3), period=0.0),
            f"period {POSITIVE} 0.0",
        ),
        (lambda: sine(noise=math.nan), f"noise {FINITE} nan"),
        (
            lambda: sine(noise=-0.1),
            "noise must be a finite number >= 0.0, got -0.1",
        ),
        (lambda: sine(noise="0.3"), f"noise {FINITE} '0.3'"),
        (lambda: sine(max_offset=-1), f"{OFFSET} -1"),
        (lambda: sine(max_offset=2.5), f"{OFFSET} 2.5"),
        (lambda: sine(max_offset=True), f"{OFFSET} True"),
        (lambda: sine(seed=-1), f"{SEED} -1"),
        (lambda: sine(seed=True), f"{SEED} True"),
        (
            lambda: data.sine_dataset(True),
            "n must be a positive integer, got True",
        ),
        (lambda: two_tone(x_max=math.nan), f"x_max {POSITIVE} nan"),
        (lambda: two_tone(x_max=0), f"x_max {POSITIVE} 0"),
        (
            lambda: two_tone(length=2.0),
            "length must be a positive integer, got 2.0",
        ),
        (
            lambda: two_tone(freq_range=(0.5, math.nan)),
            rf"{FREQS} \(0.5, nan\)",
        ),
        (lambda: two_tone(freq_range=(2.5, 0.5)), rf"{FREQS} \(2.5, 0.5\)"),
        (lambda: two_tone(freq_range=1.0), f"{FREQS} 1.0"),
        (lambda: two_tone(seed=1.5), f"{SEED} 1.5"),
        (
            lambda: two_tone().at(math.nan),
            f"noise level alpha {FINITE} nan",
        ),
        (lambda: two_tone().at(True), f"noise level alpha {FINITE} True"),
        (lambda: hide(fraction=math.nan), f"fraction {FINITE} nan"),
        (lambda: hide(fraction=True), f"fraction {FINITE} True"),
        (
            lambda: hide(count=True),
            r"count must be an integer in \[0, 16\], got True",
        ),
        (
            lambda: hide(),
            "exactly one of count= or fraction=, got count=None",
        ),
    ],
)
def test_generators_name_the_bad_argument_and_its_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "n_train, message",
    [
        (
            True,
            r"n_train must be a count \(an integer\) or a fraction .*, got True",
        ),
        ("0.7", r"n_train must be a count .* got '0.7'"),
        (
            1.5,
            r"n_train as a float must be a fraction in \(0, 1\), got 1.5",
        ),
        (
            math.nan,
            r"n_train as a float must be a fraction in \(0, 1\), got nan",
        ),
        (
            0.0,
            r"n_train as a float must be a fraction in \(0, 1\), got 0.0",
        ),
    ],
)
def test_split_refuses_what_is_neither_a_count_nor_a_fraction(
    n_train, message
):
    d = data.sine_dataset(10, 5, seed=0)
    with pytest.raises(ValueError, match=message):
        data.split(d, n_train)


def test_split_takes_numpy_counts_and_fractions():
    d = data.sine_dataset(10, 5, seed=0)
    assert [len(p) for p in data.split(d, np.int64(4))] == [4, 6]
    assert [len(p) for p in data.split(d, np.float32(0.7))] == [7, 3]


def test_pairs_refuses_an_integer_index_and_says_what_to_use():
    d = data.sine_dataset(10, 5, seed=0)
    with pytest.raises(
        TypeError, match=r"got the integer 3: use pairs\[3:4\]"
    ):
        d[3]
    with pytest.raises(TypeError, match="integer"):
        d[np.int64(0)]
    one = d[3:4]
    assert len(one) == 1 and repr(one) == "Pairs(n=1, length=5)"
    np.testing.assert_array_equal(one.noisy[0], d.noisy[3])
    picked = d[[0, 2]]
    assert len(picked) == 2 and picked.clean.shape == (2, 5)
    assert len(d[d.clean[:, 0] > 0]) == int((d.clean[:, 0] > 0).sum())


def test_pairs_checks_the_shapes_it_is_built_from():
    shapes = r"same shape \(n, length\), got \(3, 4\) and \(3, 5\)"
    with pytest.raises(ValueError, match=shapes):
        data.Pairs(np.zeros((3, 4)), np.zeros((3, 5)))
    with pytest.raises(
        ValueError, match=r"2-D arrays .* got \(4,\) and \(4,\)"
    ):
        data.Pairs(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match="2-D arrays"):
        data.sine_dataset(4, 6)[0, :]


def test_writing_to_one_noise_level_changes_no_other():
    d = data.two_tone_dataset(4, 16, seed=0)
    before = d.clean.copy()
    low, high = d.at(0.1), d.at(0.4)
    low.clean[:] = 0.0
    low.noisy[:] = 0.0
    np.testing.assert_array_equal(d.clean, before)
    np.testing.assert_array_equal(high.clean, before)
    np.testing.assert_array_equal(d.at(0.1).clean, before)
    # a copy: torch takes it without a warning
    assert low.clean.flags.writeable
