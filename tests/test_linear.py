import numpy as np
import pytest
from scipy import ndimage, optimize

from tutorial_lib import data
from tutorial_lib.classical import linear as lin


def mse(a, b):
    return float(np.mean((np.asarray(a, dtype=np.float64) - b) ** 2))


def test_fitted_gain_is_the_closed_form_and_the_mse_minimum():
    pairs = data.two_tone_dataset(40, 64, seed=1).at(0.3)
    gain = lin.fit_gain(pairs.noisy, pairs.clean)
    x, y = pairs.noisy.astype(np.float64), pairs.clean.astype(np.float64)
    assert gain.value == pytest.approx(
        np.vdot(x, y) / np.vdot(x, x), rel=1e-12
    )
    best = optimize.minimize_scalar(
        lambda g: mse(g * x, y),
        bounds=(0, 3),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert gain.value == pytest.approx(best.x, abs=1e-6)
    np.testing.assert_allclose(gain.apply(pairs.noisy), gain.value * x)


def circulant_least_squares(x, y):
    """Training outputs of the best circular filter, by least squares in time."""
    n, length = x.shape
    # row i, sample t, tap j: x[i, (t - j) mod T]
    design = np.stack(
        [np.roll(x, j, axis=1) for j in range(length)], axis=2
    )
    flat = design.reshape(n * length, length)
    taps, *_ = np.linalg.lstsq(flat, y.reshape(-1), rcond=None)
    return (design @ taps).reshape(n, length)


def mirror(x):
    return np.concatenate([x, x[:, ::-1]], axis=1)


def test_wiener_is_the_least_squares_circular_filter_on_its_training_data():
    rng = np.random.default_rng(0)
    clean = np.cumsum(rng.standard_normal((60, 12)), axis=1)
    noisy = 0.8 * clean + 0.5 * rng.standard_normal(clean.shape)
    circular = lin.fit_wiener(noisy, clean, boundary="circular")
    expected = circulant_least_squares(noisy, clean)
    np.testing.assert_allclose(circular.apply(noisy), expected, atol=1e-9)
    # "even": the same on the mirror-extended pairs, cut back to the first T
    even = lin.fit_wiener(noisy, clean)
    expected = circulant_least_squares(mirror(noisy), mirror(clean))[:, :12]
    np.testing.assert_allclose(even.apply(noisy), expected, atol=1e-9)
    assert (
        even.response.shape == (13,)
        and np.abs(even.response.imag).max() < 1e-9
    )
    gain_mse = mse(lin.fit_gain(noisy, clean).apply(noisy), clean)
    # the gain is one of the filters searched
    for wiener in (circular, even):
        assert mse(wiener.apply(noisy), clean) <= gain_mse


@pytest.mark.parametrize("alpha", [0.1, 0.4])
def test_wiener_is_at_least_as_good_as_the_gain_on_training_data(alpha):
    pairs = data.two_tone_dataset(80, 256, seed=2).at(alpha)
    gain = lin.fit_gain(pairs.noisy, pairs.clean)
    gain_mse = mse(gain.apply(pairs.noisy), pairs.clean)
    assert gain_mse < mse(pairs.noisy, pairs.clean)
    for boundary in lin.BOUNDARIES:
        wiener = lin.fit_wiener(pairs.noisy, pairs.clean, boundary=boundary)
        wiener_mse = mse(wiener.apply(pairs.noisy), pairs.clean)
        # the noise outside the tones' band goes
        assert wiener_mse < 0.5 * gain_mse


@pytest.mark.parametrize(
    "boundary, mode, kernel",
    [
        ("circular", "wrap", [0.2, -0.5, 1.0, 0.3, 0.1]),
        # zero phase: symmetric
        ("even", "reflect", [0.1, -0.4, 1.0, -0.4, 0.1]),
    ],
)
def test_wiener_recovers_a_known_linear_filter(boundary, mode, kernel):
    rng = np.random.default_rng(3)
    train, test = (
        rng.standard_normal((30, 50)),
        rng.standard_normal((5, 50)),
    )

    def known(x):
        return ndimage.convolve1d(x, np.array(kernel), axis=1, mode=mode)

    wiener = lin.fit_wiener(train, known(train), boundary=boundary)
    np.testing.assert_allclose(wiener.apply(test), known(test), atol=1e-10)
    bins = 26 if boundary == "circular" else 51
    assert wiener.response.shape == (bins,) and wiener.length == 50


def test_wiener_sets_bins_without_training_energy_to_zero():
    t = np.arange(32)
    x = np.cos(2 * np.pi * 3 * t / 32)[None, :] * np.array([[1.0], [2.0]])
    wiener = lin.fit_wiener(x, 0.5 * x, boundary="circular")
    expected = np.zeros(17, dtype=complex)
    expected[3] = 0.5
    np.testing.assert_allclose(wiener.response, expected, atol=1e-12)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda x: lin.fit_gain(x, x[:, :10]),
            r"train_noisy \(4, 20\) and train_clean \(",
        ),
        (
            lambda x: lin.fit_wiener(x[0], x[0]),
            r"train_noisy must have shape \(n, T\)",
        ),
        (
            lambda x: lin.fit_gain(np.zeros_like(x), x),
            "train_noisy is all zeros",
        ),
        (
            lambda x: lin.fit_wiener(x, x).apply(x[:, :10]),
            "noisy has 10 samples per sequence; this filter was fitted on length 20",
        ),
        (
            lambda x: lin.fit_wiener(x, x, boundary="zero"),
            "boundary must be one of even, circular, got 'zero'",
        ),
    ],
)
def test_bad_arguments_are_named(call, message):
    x = data.two_tone_dataset(4, 20, seed=0).at(0.2).noisy
    with pytest.raises(ValueError, match=message):
        call(x)


def test_a_nan_in_the_training_data_is_refused():
    pairs = data.two_tone_dataset(4, 20, seed=0).at(0.2)
    clean = pairs.clean.copy()
    clean[2, 3] = np.nan
    for fit in (lin.fit_gain, lin.fit_wiener):
        with pytest.raises(
            ValueError, match="train_clean must be finite, got 1 NaN"
        ):
            fit(pairs.noisy, clean)


def test_linear_mmse_is_the_least_squares_affine_map_and_beats_wiener():
    pairs = data.two_tone_dataset(400, 32, seed=2).at(0.3)
    x, y = pairs.noisy.astype(np.float64), pairs.clean.astype(np.float64)
    mmse = lin.fit_linear_mmse(pairs.noisy, pairs.clean)
    design = np.hstack([x, np.ones((len(x), 1))])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose(mmse.apply(x), design @ coef, atol=1e-9)
    # every filter is a linear map: on its training data none does better
    wiener = lin.fit_wiener(pairs.noisy, pairs.clean)
    assert mse(mmse.apply(x), y) < mse(wiener.apply(x), y)


def test_linear_mmse_refuses_other_lengths_and_nans():
    pairs = data.two_tone_dataset(50, 16, seed=0).at(0.2)
    mmse = lin.fit_linear_mmse(pairs.noisy, pairs.clean)
    with pytest.raises(ValueError, match="fitted on length 16"):
        mmse.apply(np.zeros((2, 8)))
    bad = pairs.noisy.copy()
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match="train_noisy must be finite"):
        lin.fit_linear_mmse(bad, pairs.clean)
