import numpy as np
import pytest

from tutorial_lib import data
from tutorial_lib.classical import baselines as b
from tutorial_lib.classical import two_tone_fit


def test_offset_oracle_recovers_a_noiseless_sine_exactly():
    d = data.sine_dataset(50, 100, noise=0.0, seed=1)
    np.testing.assert_allclose(b.offset_oracle(d.clean), d.clean, atol=1e-6)


def test_offset_oracle_beats_the_free_sine_fit_on_noisy_data():
    d = data.sine_dataset(300, 100, seed=2)
    oracle = np.abs(b.offset_oracle(d.noisy) - d.clean).mean()
    free = np.abs(b.lsq_sine(d.noisy) - d.clean).mean()
    assert oracle < free < np.abs(d.noisy - d.clean).mean()


def test_lsq_sine_recovers_any_amplitude_and_phase():
    t = np.arange(100)
    signal = 0.7 * np.sin(2 * np.pi * t / 60 + 1.3)[None, :]
    np.testing.assert_allclose(b.lsq_sine(signal), signal, atol=1e-10)


def test_two_tone_oracle_recovers_noiseless_signals():
    d = data.two_tone_dataset(20, 256, seed=3)
    fitted, freqs = two_tone_fit.two_tone_oracle(
        d.clean, d.x, return_freqs=True
    )
    np.testing.assert_allclose(fitted, d.clean, atol=1e-4)
    np.testing.assert_allclose(freqs, d.freqs, atol=1e-4)


def test_two_tone_oracle_ignores_the_shrinkage_and_denoises():
    d = data.two_tone_dataset(20, 256, seed=4)
    pairs = d.at(0.3)
    fitted = two_tone_fit.two_tone_oracle(pairs.noisy, d.x)
    assert np.mean((fitted - d.clean) ** 2) < 0.1 * np.mean(
        (pairs.noisy - d.clean) ** 2
    )


@pytest.mark.parametrize(
    "filter_fn, knob",
    [(b.moving_average, 7), (b.savgol, 11), (b.lowpass, 0.05)],
)
def test_filters_keep_the_shape_and_reduce_noise(filter_fn, knob):
    d = data.sine_dataset(30, 100, seed=5)
    out = filter_fn(d.noisy, knob)
    assert out.shape == d.noisy.shape
    assert (
        np.abs(out - d.clean).mean()
        < 0.7 * np.abs(d.noisy - d.clean).mean()
    )


def test_window_choice_depends_only_on_the_data_given():
    train, test = data.split(data.sine_dataset(400, 100, seed=6), 300)
    windows = list(range(5, 61, 2))
    choice = b.choose_parameter(b.savgol, windows, train.noisy, train.clean)
    assert set(choice.scores) == set(windows) and choice.scores[
        choice.value
    ] == min(choice.scores.values())
    # The test data are never passed in, so changing them cannot change the choice;
    # changing the training data can.
    other_train = data.sine_dataset(300, 100, noise=0.05, seed=7)
    again = b.choose_parameter(b.savgol, windows, train.noisy, train.clean)
    assert again == choice
    assert (
        b.choose_parameter(
            b.savgol, windows, other_train.noisy, other_train.clean
        ).value
        < choice.value
    )
    assert choice.apply(b.savgol, test.noisy).shape == test.noisy.shape


def test_fitted_gain_undoes_a_known_shrinkage():
    d = data.two_tone_dataset(50, 256, seed=8)
    pairs = d.at(0.2)
    choice = b.choose_parameter(
        b.savgol,
        [9, 17],
        pairs.noisy,
        pairs.clean,
        loss="mse",
        fit_gain=True,
    )
    assert choice.gain == pytest.approx(1 / 0.8, rel=0.05)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: b.moving_average(x, 4), "odd"),
        (lambda x: b.moving_average(x, 500), "window"),
        (lambda x: b.savgol(x, 5, polyorder=5), "polyorder"),
        (lambda x: b.lowpass(x, 0.7), "cutoff"),
        (lambda x: b.offset_oracle(x, max_offset=-1), "max_offset"),
        (lambda x: b.lsq_sine(x, period=0), "period"),
        (
            lambda x: two_tone_fit.two_tone_oracle(x, np.arange(5)),
            "x must have shape",
        ),
        (lambda x: b.moving_average(x[0], 3), r"\(n, T\)"),
        (lambda x: b.choose_parameter(b.savgol, [], x, x), "candidates"),
        (
            lambda x: b.choose_parameter(b.savgol, [5], x, x[:, :50]),
            "same shape",
        ),
        (
            lambda x: b.choose_parameter(b.savgol, [5], x, x, loss="huber"),
            "unknown loss",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    x = data.sine_dataset(4, 100, seed=0).noisy
    with pytest.raises(ValueError, match=message):
        call(x)


# ---------------------------------------------------------------- NaN (issue 11 item 4)


def with_nan(array, row=2, col=7):
    out = np.array(array, copy=True)
    out[row, col] = np.nan
    return out


def test_choose_parameter_refuses_a_nan_instead_of_picking_the_first_candidate():
    d = data.sine_dataset(20, 100, seed=0)
    windows = [5, 11, 31]
    finite = b.choose_parameter(b.savgol, windows, d.noisy, d.clean)
    # on finite data the first is not the best
    assert finite.value != windows[0]
    message = r"noisy must be finite, got 1 NaN .* the first at row 2, column 7 \(nan\)"
    with pytest.raises(ValueError, match=message):
        b.choose_parameter(b.savgol, windows, with_nan(d.noisy), d.clean)
    with pytest.raises(ValueError, match="clean must be finite, got 1 NaN"):
        b.choose_parameter(b.savgol, windows, d.noisy, with_nan(d.clean))


def test_choose_parameter_refuses_a_candidate_whose_loss_is_not_finite():
    d = data.sine_dataset(5, 40, seed=0)

    def overflowing_filter(noisy, value):
        return np.full_like(noisy, np.inf)

    with pytest.raises(
        ValueError, match=r"candidate 3 scores inf .*finite loss"
    ):
        b.choose_parameter(overflowing_filter, [3], d.noisy, d.clean)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: b.offset_oracle(x),
        lambda x: b.lsq_sine(x),
        lambda x: b.moving_average(x, 5),
        lambda x: b.lowpass(x, 0.1),
        lambda x: two_tone_fit.two_tone_oracle(
            x, np.linspace(0, 1, x.shape[1]), grid=5
        ),
    ],
)
def test_oracles_and_filters_refuse_a_nan_row(call):
    x = data.sine_dataset(4, 100, seed=0).noisy
    with pytest.raises(ValueError, match="noisy must be finite, got 1 NaN"):
        call(with_nan(x))
    x[1] = np.inf
    with pytest.raises(
        ValueError, match=r"got 100 NaN or infinite value\(s\)"
    ):
        call(x)


@pytest.mark.parametrize("period", [0, -1.0, np.nan, np.inf, True, "60"])
def test_sine_oracles_name_a_bad_period(period):
    x = data.sine_dataset(2, 100, seed=0).noisy
    message = f"period must be a positive finite number, got {period!r}"
    for oracle in (b.offset_oracle, b.lsq_sine):
        with pytest.raises(ValueError, match=message.replace("(", r"\(")):
            oracle(x, period=period)


def test_two_tone_oracle_refuses_nan_sample_points():
    d = data.two_tone_dataset(2, 32, seed=0)
    x = d.x.copy()
    x[3] = np.nan
    with pytest.raises(ValueError, match=r"x must be finite, got 1 NaN"):
        two_tone_fit.two_tone_oracle(d.clean, x, grid=5)


def _savgol_as_before(noisy, window, polyorder=3):
    """savgol as it was before issue 26: always the (T, T) matrix."""
    from scipy import signal

    x = np.asarray(noisy, dtype=np.float64)
    matrix = signal.savgol_filter(
        np.eye(x.shape[1]), window, polyorder, axis=0, mode="interp"
    )
    return x @ matrix.T


@pytest.mark.parametrize("length, window", [(100, 5), (100, 31), (256, 99)])
def test_savgol_is_unchanged_at_the_book_s_lengths(length, window):
    noisy = data.sine_dataset(20, length, seed=0).noisy
    np.testing.assert_array_equal(
        b.savgol(noisy, window), _savgol_as_before(noisy, window)
    )


def test_savgol_of_long_sequences_takes_memory_linear_in_their_length():
    import tracemalloc

    noisy = data.sine_dataset(4, 3000, seed=0).noisy
    tracemalloc.start()
    try:
        out = b.savgol(noisy, 21)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10e6  # the (3000, 3000) matrix alone took 72 MB
    np.testing.assert_allclose(
        out, _savgol_as_before(noisy, 21), rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("order", [0, -1, 2.0])
def test_lowpass_names_an_order_that_filters_nothing(order):
    noisy = data.sine_dataset(4, 50, seed=0).noisy
    with pytest.raises(ValueError) as caught:
        b.lowpass(noisy, 0.1, order=order)
    assert str(caught.value) == (
        f"order must be a positive integer, got {order!r}"
    )


def test_choose_parameter_with_fit_gain_on_zero_input_says_why():
    zeros = np.zeros((3, 20))
    with pytest.raises(ValueError) as caught:
        b.choose_parameter(
            b.moving_average, [3, 5], zeros, zeros, fit_gain=True
        )
    assert str(caught.value) == (
        "noisy is all zeros, so fit_gain=True has no gain to fit; expected "
        "some non-zero input (or fit_gain=False)"
    )
    ones = np.ones((3, 20))
    with pytest.raises(ValueError) as caught:
        b.choose_parameter(
            lambda x, v: x * v, [1.0, 0.0], ones, ones, fit_gain=True
        )
    assert str(caught.value).startswith(
        "candidate 0.0 filters noisy to all zeros, so fit_gain=True has no "
        "gain to fit"
    )


@pytest.mark.parametrize(
    "setting, message",
    [
        ({"grid": 2.5}, "grid must be an integer >= 2, got 2.5"),
        ({"grid": 1}, "grid must be an integer >= 2, got 1"),
        ({"grid": True}, "grid must be an integer >= 2, got True"),
        (
            {"iterations": 2.5},
            "iterations must be an integer >= 0, got 2.5",
        ),
        ({"iterations": -1}, "iterations must be an integer >= 0, got -1"),
        (
            {"freq_range": (1,)},
            "freq_range must be (low, high) with 0 <= low < high, got (1,)",
        ),
        (
            {"freq_range": (2.5, 0.5)},
            "freq_range must be (low, high) with 0 <= low < high, "
            "got (2.5, 0.5)",
        ),
        (
            {"freq_range": (0.5, np.nan)},
            "freq_range[1] must be a finite number, got nan",
        ),
    ],
)
def test_two_tone_oracle_names_a_bad_setting(setting, message):
    d = data.two_tone_dataset(2, 32, seed=0)
    with pytest.raises(ValueError) as caught:
        two_tone_fit.two_tone_oracle(d.clean, d.x, **setting)
    assert str(caught.value) == message


def test_two_tone_oracle_takes_numpy_settings():
    d = data.two_tone_dataset(2, 32, seed=0)
    plain = two_tone_fit.two_tone_oracle(
        d.clean, d.x, grid=21, iterations=3
    )
    numpy = two_tone_fit.two_tone_oracle(
        d.clean, d.x, grid=np.int64(21), iterations=np.int32(3)
    )
    np.testing.assert_array_equal(plain, numpy)
