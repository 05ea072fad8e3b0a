import numpy as np
import pytest

from tutorial_lib import data
from tutorial_lib.classical import baselines
from tutorial_lib.classical import oracles as o


def brute_force(noisy, period, max_offset):
    """Offset and largest deviation of the best candidate, by plain loops."""
    offsets, errors = [], []
    for row in np.asarray(noisy, dtype=np.float64):
        best_k, best_err = None, np.inf
        for k in range(max_offset + 1):
            candidate = [
                np.sin(2 * np.pi * (t + k) / period)
                for t in range(len(row))
            ]
            err = max(abs(r - c) for r, c in zip(row, candidate))
            if err < best_err - 1e-12:
                best_k, best_err = k, err
        offsets.append(best_k)
        errors.append(best_err)
    return np.array(offsets), np.array(errors)


def test_minimax_matches_a_brute_force_search_on_tiny_data():
    d = data.sine_dataset(
        12, 15, period=7.0, noise=0.6, max_offset=9, seed=3
    )
    estimate, match = o.minimax_offset_oracle(
        d.noisy, period=7.0, max_offset=9, noise=0.6, return_match=True
    )
    offsets, errors = brute_force(d.noisy, 7.0, 9)
    np.testing.assert_array_equal(match.offsets, offsets)
    np.testing.assert_allclose(match.max_error, errors, rtol=0, atol=1e-12)
    expected = np.sin(2 * np.pi * (np.arange(15) + offsets[:, None]) / 7)
    np.testing.assert_allclose(estimate, expected)
    # the true sine is always within the bound
    assert match.consistent.all()


def test_minimax_recovers_every_sequence_where_least_squares_slips():
    # the task's noise: U(-0.35, 0.35)
    d = data.sine_dataset(400, 100, seed=11)
    estimate, match = o.minimax_offset_oracle(d.noisy, return_match=True)
    np.testing.assert_allclose(estimate, d.clean, atol=1e-6)
    assert match.consistent.all() and (match.max_error <= 0.35 + 1e-6).all()
    least_squares = baselines.offset_oracle(d.noisy)
    assert np.any(np.abs(least_squares - d.clean).max(axis=1) > 1e-3)


def test_minimax_is_exact_on_noiseless_data_and_its_offsets_give_the_estimate():
    d = data.sine_dataset(30, 40, noise=0.0, seed=2)
    estimate, match = o.minimax_offset_oracle(d.clean, return_match=True)
    np.testing.assert_allclose(estimate, d.clean, atol=1e-6)
    assert (match.max_error < 1e-6).all() and (match.offsets <= 100).all()
    templates = o.offset_templates(40, 60.0, 100)
    np.testing.assert_array_equal(templates[match.offsets], estimate)
    np.testing.assert_array_equal(
        o.minimax_offset_oracle(d.clean), estimate
    )


def test_minimax_flags_sequences_no_candidate_explains():
    # wider noise than the bound
    d = data.sine_dataset(50, 100, noise=0.6, seed=4)
    _, match = o.minimax_offset_oracle(
        d.noisy, noise=0.35, return_match=True
    )
    np.testing.assert_array_equal(
        match.consistent, match.max_error <= 0.35 + 1e-6
    )
    assert not match.consistent.all()
    _, wide = o.minimax_offset_oracle(d.noisy, noise=0.6, return_match=True)
    assert wide.consistent.all()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            dict(noise=-0.1),
            "noise must be a non-negative finite number, got -0.1",
        ),
        (
            dict(noise=np.nan),
            "noise must be a non-negative finite number, got nan",
        ),
        (
            dict(tol=True),
            "tol must be a non-negative finite number, got True",
        ),
        (
            dict(max_offset=2.5),
            "max_offset must be a non-negative integer, got 2.5",
        ),
        (dict(period=0), "period must be a positive finite number, got 0"),
    ],
)
def test_minimax_names_a_bad_argument(kwargs, message):
    x = data.sine_dataset(3, 20, seed=0).noisy
    with pytest.raises(ValueError, match=message):
        o.minimax_offset_oracle(x, **kwargs)


def test_minimax_refuses_a_nan():
    x = data.sine_dataset(3, 20, seed=0).noisy
    x[1, 4] = np.nan
    with pytest.raises(ValueError, match="noisy must be finite, got 1 NaN"):
        o.minimax_offset_oracle(x)


def _minimax_offsets_as_before(noisy, period=60.0, max_offset=100):
    """The offsets chosen before issue 26: one (n, K, T) table at once."""
    templates = o.offset_templates(noisy.shape[1], period, max_offset)
    cost = np.abs(
        np.asarray(noisy, float)[:, None, :] - templates[None]
    ).max(2)
    lowest = cost.min(axis=1, keepdims=True)
    return np.argmax(cost <= lowest + 1e-12, axis=1), lowest[:, 0]


def test_minimax_is_unchanged_at_the_book_s_size():
    d = data.sine_dataset(600, 100, seed=4)
    _, match = o.minimax_offset_oracle(d.noisy, return_match=True)
    offsets, max_error = _minimax_offsets_as_before(d.noisy)
    np.testing.assert_array_equal(match.offsets, offsets)
    np.testing.assert_array_equal(match.max_error, max_error)


def test_minimax_memory_stays_bounded_for_long_sequences():
    import tracemalloc

    d = data.sine_dataset(64, 3000, seed=0)
    tracemalloc.start()
    try:
        o.minimax_offset_oracle(d.noisy)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60e6  # was 1,265 MB more than the data


# ---------------------------------------------------------------- task 2


def _posterior_mean_by_brute_force(y, x, alpha, points):
    """The posterior mean on one uniform lattice over the whole prior."""
    f = np.linspace(0.5, 2.5, points)
    sines, cosines = np.sin(f[:, None] * x), np.cos(2 * f[:, None] * x)
    g = 1 - alpha
    logw = (
        g * ((sines @ y)[:, None] + (cosines @ y)[None, :])
        - 0.5
        * g
        * g
        * (
            (sines**2).sum(1)[:, None]
            + (cosines**2).sum(1)[None, :]
            + 2 * sines @ cosines.T
        )
    ) / alpha**2
    w = np.exp(logw - logw.max())
    return (w.sum(1) @ sines + w.sum(0) @ cosines) / w.sum()


def test_the_posterior_mean_is_what_one_fine_lattice_over_the_prior_gives():
    signals = data.two_tone_dataset(2, 256, seed=3)
    pairs = signals.at(0.3)
    got = o.two_tone_posterior_mean(pairs.noisy, signals.x, 0.3)
    for row in range(2):
        brute = _posterior_mean_by_brute_force(
            pairs.noisy[row].astype(np.float64), signals.x, 0.3, 2001
        )
        assert np.abs(got[row] - brute).max() < 1e-6


def test_the_posterior_mean_stops_changing_when_its_lattice_is_refined():
    signals = data.two_tone_dataset(6, 256, seed=4)
    for alpha in (0.1, 0.4):
        pairs = signals.at(alpha)
        default = o.two_tone_posterior_mean(pairs.noisy, signals.x, alpha)
        finer = o.two_tone_posterior_mean(
            pairs.noisy, signals.x, alpha, grid=601, subdivide=12, within=90
        )
        error = np.mean((default - pairs.clean) ** 2)
        assert np.mean((default - finer) ** 2) < 1e-6 * error


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"alpha": 0.0}, r"alpha must lie in \(0, 1\).*got 0.0"),
        ({"alpha": 1.0}, r"alpha must lie in \(0, 1\).*got 1.0"),
        ({"alpha": float("nan")}, "noise level alpha"),
        ({"grid": 2}, "grid"),
        ({"subdivide": 0}, "subdivide"),
        ({"within": -1.0}, "within"),
        ({"freq_range": (2.5, 0.5)}, r"freq_range must be \(low, high\)"),
    ],
)
def test_the_posterior_mean_refuses_bad_arguments(kwargs, message):
    signals = data.two_tone_dataset(1, 32, seed=0)
    args = {"alpha": 0.2, **kwargs}
    with pytest.raises(ValueError, match=message):
        o.two_tone_posterior_mean(signals.at(0.2).noisy, signals.x, **args)


def test_the_posterior_mean_wants_one_x_per_sample():
    signals = data.two_tone_dataset(1, 32, seed=0)
    with pytest.raises(
        ValueError, match=r"x must have shape \(T,\) = \(32,\)"
    ):
        o.two_tone_posterior_mean(
            signals.at(0.2).noisy, signals.x[:-1], 0.2
        )
