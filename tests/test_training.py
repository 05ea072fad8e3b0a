import dataclasses

import numpy as np
import pytest
import torch

from tutorial_lib import data, training
from tutorial_lib.evaluation import evaluate, predict
from tutorial_lib.fit_steps import backward_in_chunks
from tutorial_lib.losses import loss_function, masked_l1
from tutorial_lib.models import ConvAutoencoder, SequenceDenoiser
from tutorial_lib.training import FitConfig, History, fit

QUIET = FitConfig(epochs=15, lr=1e-2, progress=False)


def _train(seed=0, config=QUIET, **kwargs):
    torch.manual_seed(seed)
    model = SequenceDenoiser("gru", hidden_size=6)
    d = data.sine_dataset(64, 40, seed=seed)
    return model, fit(model, d.noisy, d.clean, config, **kwargs)


def test_fit_lowers_the_loss():
    _, h = _train()
    # full batch: one step an epoch
    assert len(h.epoch_loss) == 15 and len(h.step_loss) == 15
    assert h.epoch_loss[-1] < 0.6 * h.epoch_loss[0]


def test_same_seed_same_training_on_cpu():
    m1, h1 = _train(
        seed=3, config=dataclasses.replace(QUIET, batch_size=16)
    )
    m2, h2 = _train(
        seed=3, config=dataclasses.replace(QUIET, batch_size=16)
    )
    assert h1.step_loss == h2.step_loss
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        torch.testing.assert_close(p1, p2, rtol=0, atol=0)


def test_minibatches_eval_and_snapshots():
    d = data.sine_dataset(100, 40, seed=0)
    config = FitConfig(
        epochs=6,
        batch_size=32,
        eval_every=2,
        snapshot_every=3,
        progress=False,
    )
    torch.manual_seed(0)
    h = fit(
        SequenceDenoiser("rnn", 4),
        d.noisy[:80],
        d.clean[:80],
        config,
        eval_data=(d.noisy[80:], d.clean[80:]),
        probe=d.noisy[:2],
    )
    assert len(h.step_loss) == 6 * 3  # ceil(80 / 32) steps an epoch
    assert h.eval_epochs == [2, 4, 6] and len(h.eval_loss) == 3
    assert h.snapshot_epochs == [0, 3, 6]
    assert h.snapshots.shape == (3, 2, 40)
    assert not np.array_equal(h.snapshots[0], h.snapshots[-1])


def test_final_eval_matches_evaluate():
    d = data.two_tone_dataset(40, 32, seed=0).at(0.2)
    torch.manual_seed(0)
    model = ConvAutoencoder(depth=2, channels=4)
    h = fit(
        model,
        d.noisy[:30],
        d.clean[:30],
        FitConfig(epochs=3, batch_size=8, loss="mse", progress=False),
        eval_data=(d.noisy[30:], d.clean[30:]),
    )
    assert h.final_eval == pytest.approx(
        evaluate(model, d.noisy[30:], d.clean[30:], "mse"), rel=1e-5
    )
    assert predict(model, d.noisy[30:]).shape == (10, 32)


def test_fit_with_missing_targets_stays_finite():
    d = data.sine_dataset(64, 40, seed=0)
    targets = data.hide_targets(d.clean, fraction=0.3, seed=0)
    torch.manual_seed(0)
    h = fit(
        SequenceDenoiser("gru", 4),
        d.noisy,
        targets,
        FitConfig(epochs=5, progress=False),
    )
    assert np.all(np.isfinite(h.step_loss))


def test_fit_rejects_bad_data():
    model = SequenceDenoiser()
    x = np.zeros((4, 10), dtype=np.float32)
    with pytest.raises(ValueError, match="every target is NaN"):
        fit(model, x, np.full_like(x, np.nan), QUIET)
    with pytest.raises(ValueError, match="inputs contain NaN"):
        fit(model, np.full_like(x, np.nan), x, QUIET)
    with pytest.raises(ValueError, match="differ"):
        fit(model, x, x[:3], QUIET)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(epochs=0),
        dict(lr=0),
        dict(batch_size=0),
        dict(loss="huber"),
        # accepted before: a float epoch count, an infinite or NaN rate, a boolean
        # batch size, a negative seed, ...
        dict(epochs=2.5),
        dict(lr=float("inf")),
        dict(lr=float("nan")),
        dict(lr=True),
        dict(batch_size=True),
        dict(seed=-1),
        dict(seed=1.0),
        dict(eval_every=True),
        dict(snapshot_every=-1),
        dict(cpu_chunk=1.5),
        dict(amp="yes"),
        dict(progress=1),
    ],
)
def test_fit_config_rejects_bad_values(kwargs):
    (name,) = kwargs
    with pytest.raises(ValueError, match=name):
        FitConfig(**kwargs)


def test_fit_config_accepts_numpy_integers_and_none():
    config = FitConfig(epochs=np.int64(3), seed=np.int32(2), cpu_chunk=None)
    assert config.epochs == 3 and config.seed == 2


def test_diverging_training_raises_instead_of_returning_nan():
    d = data.sine_dataset(16, 10, seed=0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(10, 10))
    with pytest.raises(FloatingPointError, match="lr"):
        fit(
            model,
            d.noisy,
            d.clean * 1e38,
            FitConfig(epochs=3, lr=1e30, loss="mse", progress=False),
        )


def _interrupt_at(monkeypatch, call):
    """Make the ``call``-th optimiser step raise KeyboardInterrupt (Ctrl-C)."""
    calls = {"n": 0}
    real_step = torch.optim.Adam.step

    def step(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == call:
            raise KeyboardInterrupt
        return real_step(self, *a, **k)

    monkeypatch.setattr(torch.optim.Adam, "step", step)


def test_interrupt_at_the_first_step_returns_a_valid_history(
    monkeypatch, capsys
):
    _interrupt_at(monkeypatch, 1)
    d = data.sine_dataset(16, 10, seed=0)
    config = dataclasses.replace(QUIET, snapshot_every=1)
    h = fit(
        SequenceDenoiser("rnn", 3),
        d.noisy,
        d.clean,
        config,
        eval_data=(d.noisy, d.clean),
        probe=d.noisy[:2],
    )
    assert (
        h.interrupted and h.epoch_loss == h.step_loss == h.eval_loss == []
    )
    assert h.snapshot_epochs == [0] and h.snapshots.shape == (1, 2, 10)
    assert "interrupted" in repr(h)
    assert "only partly trained" in capsys.readouterr().out
    with pytest.raises(ValueError, match="interrupted"):
        h.final_eval


def test_interrupt_mid_epoch_keeps_the_steps_taken(monkeypatch):
    _interrupt_at(monkeypatch, 3)  # the third mini-batch of the first epoch
    d = data.sine_dataset(16, 10, seed=0)
    config = dataclasses.replace(QUIET, batch_size=4)
    h = fit(SequenceDenoiser("rnn", 3), d.noisy, d.clean, config)
    assert h.interrupted and h.epoch_loss == [] and len(h.step_loss) == 2


def test_final_eval_without_eval_data_says_how_to_get_one():
    with pytest.raises(ValueError, match="eval_data"):
        History(epoch_loss=[0.1]).final_eval


def test_interrupt_returns_partial_history(monkeypatch):
    calls = {"n": 0}
    real_step = torch.optim.Adam.step

    def step(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real_step(self, *a, **k)

    monkeypatch.setattr(torch.optim.Adam, "step", step)
    _, h = _train()
    assert h.interrupted and len(h.epoch_loss) == 3


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_fit_on_cuda_with_amp():
    d = data.sine_dataset(64, 40, seed=0)
    model = SequenceDenoiser("gru", 8)
    h = fit(
        model,
        d.noisy,
        d.clean,
        FitConfig(epochs=5, amp=True, progress=False),
        device="cuda",
    )
    assert h.device == "cuda" and np.all(np.isfinite(h.step_loss))


def test_cosine_schedule_trains_and_differs_from_a_fixed_rate():
    d = data.sine_dataset(64, 40, seed=0)
    torch.manual_seed(0)
    fixed = fit(
        SequenceDenoiser("gru", 6),
        d.noisy,
        d.clean,
        dataclasses.replace(QUIET, batch_size=16),
    )
    torch.manual_seed(0)
    model = SequenceDenoiser("gru", 6)
    cosine = fit(
        model,
        d.noisy,
        d.clean,
        dataclasses.replace(QUIET, batch_size=16, schedule="cosine"),
    )
    assert cosine.epoch_loss[-1] < 0.6 * cosine.epoch_loss[0]
    assert cosine.step_loss[-1] != fixed.step_loss[-1]
    with pytest.raises(ValueError, match="schedule"):
        FitConfig(schedule="step")


@pytest.mark.parametrize("hide", [0.0, 0.3])
def test_cpu_chunks_give_the_same_step_as_the_whole_batch(hide):
    d = data.sine_dataset(50, 30, seed=0)
    targets = (
        data.hide_targets(d.clean, fraction=hide, seed=1)
        if hide
        else d.clean
    )
    weights = []
    for chunk in (None, 7):
        torch.manual_seed(0)
        model = SequenceDenoiser("gru", 5, bidirectional=True)
        h = fit(
            model,
            d.noisy,
            targets,
            FitConfig(epochs=3, cpu_chunk=chunk, progress=False),
        )
        weights.append(
            (h.step_loss, [p.detach().clone() for p in model.parameters()])
        )
    (loss_whole, p_whole), (loss_chunked, p_chunked) = weights
    np.testing.assert_allclose(loss_whole, loss_chunked, rtol=1e-5)
    for a, b in zip(p_whole, p_chunked):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_cpu_chunk_rejects_zero():
    with pytest.raises(ValueError, match="cpu_chunk"):
        FitConfig(cpu_chunk=0)


def _plain_loop(
    model, x, y, loss_fn, *, epochs, lr, batch_size=None, seed=0
):
    """The oracle: the loop a reader writes by hand, with no extras. Its step losses."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    n = len(x)
    batch = n if batch_size is None else batch_size
    losses = []
    for _ in range(epochs):
        order = (
            torch.randperm(n, generator=generator) if batch < n else None
        )
        for i in range(0, n, batch):
            rows = slice(None) if order is None else order[i : i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[rows]), y[rows])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


@pytest.mark.parametrize(
    "batch_size, hide, loss",
    [(None, 0.0, "l1"), (None, 0.3, "l1"), (8, 0.0, "mse"), (8, 0.3, "l1")],
)
def test_fit_takes_exactly_the_steps_of_a_plain_loop(
    batch_size, hide, loss
):
    d = data.sine_dataset(24, 12, seed=0)
    targets = (
        data.hide_targets(d.clean, fraction=hide, seed=1)
        if hide
        else d.clean
    )
    x, y = torch.from_numpy(d.noisy), torch.from_numpy(targets)
    config = FitConfig(
        epochs=3,
        lr=1e-2,
        batch_size=batch_size,
        loss=loss,
        seed=4,
        cpu_chunk=None,
        progress=False,
    )
    torch.manual_seed(0)
    plain_model = SequenceDenoiser("gru", 4)
    plain = _plain_loop(
        plain_model,
        x,
        y,
        loss_function(loss, masked=bool(hide)),
        epochs=3,
        lr=1e-2,
        batch_size=batch_size,
        seed=4,
    )
    torch.manual_seed(0)
    fit_model = SequenceDenoiser("gru", 4)
    h = fit(fit_model, d.noisy, targets, config)
    assert h.step_loss == plain  # exactly, not to a tolerance
    for a, b in zip(plain_model.parameters(), fit_model.parameters()):
        assert torch.equal(a, b)


def test_backward_in_chunks_gives_the_whole_batch_gradient():
    d = data.sine_dataset(10, 8, seed=0)
    x, y = torch.from_numpy(d.noisy), torch.from_numpy(d.clean).clone()
    # the first chunk has nothing to learn from: skipped
    y[:3] = float("nan")
    y[5, :4] = float("nan")
    torch.manual_seed(0)
    model = SequenceDenoiser("rnn", 3)
    whole = masked_l1(model(x), y)
    expected = torch.autograd.grad(whole, list(model.parameters()))
    loss, finite = backward_in_chunks(model, masked_l1, x, y, chunk=3)
    torch.testing.assert_close(loss, whole.detach())
    assert finite.dtype == torch.bool and bool(finite)
    for p, g in zip(model.parameters(), expected):
        torch.testing.assert_close(p.grad, g, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    "where, match",
    [
        ("inputs", "training data: inputs contain 1 infinite"),
        ("targets", "training data: targets contain 1 infinite"),
        ("eval inputs", "eval_data: inputs contain 1 infinite"),
        ("eval targets", "eval_data: targets contain 1 infinite"),
        ("probe", "probe inputs contain 1 infinite"),
    ],
)
def test_inf_anywhere_is_refused_before_training(where, match, monkeypatch):
    # were a step taken, fit would return, not raise
    _interrupt_at(monkeypatch, 1)
    d = data.sine_dataset(8, 10, seed=0)
    arrays = {
        "inputs": d.noisy.copy(),
        "targets": d.clean.copy(),
        "eval inputs": d.noisy.copy(),
        "eval targets": d.clean.copy(),
        "probe": d.noisy[:2].copy(),
    }
    arrays[where][1, 3] = np.inf
    with pytest.raises(ValueError, match=match):
        fit(
            SequenceDenoiser("rnn", 3),
            arrays["inputs"],
            arrays["targets"],
            QUIET,
            eval_data=(arrays["eval inputs"], arrays["eval targets"]),
            probe=arrays["probe"],
        )


@pytest.mark.parametrize("where", ["eval_data: inputs", "probe inputs"])
def test_nan_in_eval_inputs_or_probe_is_refused(where):
    d = data.sine_dataset(8, 10, seed=0)
    bad = d.noisy.copy()
    bad[0, 0] = np.nan
    kwargs = (
        {"probe": bad}
        if where == "probe inputs"
        else {"eval_data": (bad, d.clean)}
    )
    with pytest.raises(ValueError, match=f"{where} contain NaN"):
        fit(SequenceDenoiser("rnn", 3), d.noisy, d.clean, QUIET, **kwargs)


def test_eval_loss_with_missing_targets_equals_evaluate():
    d = data.sine_dataset(40, 10, seed=0)
    eval_targets = d.clean[20:].copy()
    # the first eval batch counts far fewer targets
    eval_targets[:8, 1:] = np.nan
    torch.manual_seed(0)
    model = SequenceDenoiser("rnn", 3)
    config = dataclasses.replace(QUIET, epochs=2, batch_size=8)
    h = fit(
        model,
        d.noisy[:20],
        d.clean[:20],
        config,
        eval_data=(d.noisy[20:], eval_targets),
    )
    expected = evaluate(model, d.noisy[20:], eval_targets)
    assert np.isfinite(h.final_eval)
    assert h.final_eval == pytest.approx(expected, rel=1e-5)


def test_minibatch_with_every_target_hidden_is_skipped():
    d = data.sine_dataset(16, 10, seed=0)
    targets = d.clean.copy()
    # one row of 16 keeps its targets: 15 batches of one are empty
    targets[1:] = np.nan
    torch.manual_seed(0)
    h = fit(
        SequenceDenoiser("rnn", 3),
        d.noisy,
        targets,
        dataclasses.replace(QUIET, epochs=2, batch_size=1),
    )
    assert len(h.step_loss) == 2 and np.all(np.isfinite(h.step_loss))


@pytest.mark.skipif(
    torch.cuda.is_available(), reason="tests the machine without CUDA"
)
def test_asking_for_cuda_without_it_names_the_problem():
    d = data.sine_dataset(4, 10, seed=0)
    with pytest.raises(ValueError, match="CUDA is not available"):
        fit(
            SequenceDenoiser("rnn", 3),
            d.noisy,
            d.clean,
            QUIET,
            device="cuda",
        )


def test_an_interrupted_history_refuses_to_stand_for_a_finished_run():
    History(epoch_loss=[0.5, 0.4]).raise_if_interrupted("run x", 5)
    stopped = History(epoch_loss=[0.5, 0.4], interrupted=True)
    with pytest.raises(
        KeyboardInterrupt,
        match=r"training run x .* after 2 of 5 epochs; not saved",
    ):
        stopped.raise_if_interrupted("run x", 5)


class _BreaksAt(torch.nn.Module):
    """``x * w``; from training forward ``step`` on, NaN (``"output"``) or
    finite but too large to square in float32 (``"loss"``); Ctrl-C at
    training forward ``interrupt_at``."""

    def __init__(self, step, what="output", interrupt_at=None):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(()))
        self.step, self.what, self.interrupt_at = step, what, interrupt_at
        self.calls = 0

    def forward(self, x):
        out = x * self.w
        if not self.training:
            return out
        self.calls += 1
        if self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        if self.calls >= self.step:
            out = out * (float("nan") if self.what == "output" else 1e30)
        return out


@pytest.mark.parametrize(
    "batch_size, what, message, forwards",
    [
        (
            None,
            "output",
            "at step 30 (step 1 of epoch 30 of 200): the model's output "
            "went non-finite",
            30,
        ),
        (
            16,
            "output",
            "at step 30 (step 2 of epoch 8 of 200): the model's output "
            "went non-finite",
            32,  # the rest of that epoch, no more
        ),
        (
            None,
            "loss",
            "became inf at step 30 (step 1 of epoch 30 of 200): the model's "
            "output was finite but the loss was not",
            30,
        ),
    ],
)
def test_training_stops_at_the_first_non_finite_step_and_names_it(
    batch_size, what, message, forwards
):
    d = data.sine_dataset(64, 10, seed=0)
    model = _BreaksAt(30, what)
    config = FitConfig(
        epochs=200,
        lr=1e-3,
        loss="mse",
        batch_size=batch_size,
        progress=False,
    )
    with pytest.raises(FloatingPointError) as caught:
        fit(model, d.noisy, d.clean, config)
    assert message in str(caught.value)
    assert "try a smaller lr than 0.001" in str(caught.value)
    assert model.calls == forwards


def test_ctrl_c_after_the_output_went_nan_still_reports_the_interrupt(
    capsys,
):
    d = data.sine_dataset(64, 10, seed=0)
    model = _BreaksAt(2, "output", interrupt_at=3)  # both in epoch 1
    config = FitConfig(epochs=5, batch_size=16, progress=False)
    try:
        history = fit(model, d.noisy, d.clean, config)
    except KeyboardInterrupt:
        return  # fit may re-raise the interrupt: reported all the same
    assert history.interrupted
    assert "training interrupted" in capsys.readouterr().out


def test_evaluate_refuses_nan_inputs_naming_them():
    d = data.sine_dataset(8, 10, seed=0)
    x = d.noisy.copy()
    x[2, 3] = np.nan
    with pytest.raises(ValueError) as caught:
        evaluate(SequenceDenoiser("rnn", 3), x, d.clean)
    assert "evaluate: inputs contain NaN (1 value(s)); expected finite" in (
        str(caught.value)
    )


def test_predict_that_fails_puts_the_model_back_in_its_mode():
    class Fails(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(()))

        def forward(self, x):
            raise RuntimeError("broken")

    model = Fails().train()
    with pytest.raises(RuntimeError, match="broken"):
        predict(model, np.zeros((2, 5), dtype=np.float32))
    assert model.training


@pytest.mark.parametrize(
    "targets, message",
    [
        (
            np.zeros((8, 10, 2), np.float32),
            "targets must have shape (n, time) or (n, time, 1), "
            "got (8, 10, 2)",
        ),
        (
            np.zeros((8, 12), np.float32),
            "inputs (8, 10) and targets (8, 12) differ in (n, time); "
            "expected the same (n, time)",
        ),
    ],
)
def test_fit_and_evaluate_name_targets_of_the_wrong_shape(targets, message):
    x = np.zeros((8, 10), np.float32)
    for call in (
        lambda: fit(SequenceDenoiser("rnn", 3), x, targets, QUIET),
        lambda: evaluate(SequenceDenoiser("rnn", 3), x, targets),
    ):
        with pytest.raises(ValueError) as caught:
            call()
        assert message in str(caught.value)


def test_fit_names_empty_data_and_a_pairs_as_eval_data():
    d = data.sine_dataset(8, 10, seed=0)
    empty = np.zeros((0, 10), np.float32)
    with pytest.raises(ValueError) as caught:
        fit(SequenceDenoiser("rnn", 3), empty, empty, QUIET)
    assert "training data: inputs are empty, shape (0, 10); expected" in (
        str(caught.value)
    )
    with pytest.raises(ValueError) as caught:
        fit(
            SequenceDenoiser("rnn", 3), d.noisy, d.clean, QUIET, eval_data=d
        )
    assert str(caught.value) == (
        "eval_data must be a pair (inputs, targets), got Pairs; "
        "for Pairs p, pass eval_data=(p.noisy, p.clean)"
    )


def test_predict_names_a_bad_batch_size_and_empty_inputs():
    model = SequenceDenoiser("rnn", 3)
    x = np.zeros((4, 10), np.float32)
    with pytest.raises(ValueError) as caught:
        predict(model, x, batch_size=0)
    assert str(caught.value) == (
        "batch_size must be an integer >= 1, or None (all at once), got 0"
    )
    with pytest.raises(
        ValueError, match=r"inputs is empty, shape \(0, 10\)"
    ):
        predict(model, x[:0])
    assert predict(model, x, batch_size=3).shape == (4, 10)


class _Tuple(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(()))

    def forward(self, x):
        return x * self.w, x


class _Unsqueezes(_Tuple):
    def forward(self, x):
        return (x * self.w).unsqueeze(-1)


@pytest.mark.parametrize(
    "model, error, message",
    [
        (
            torch.nn.Identity(),
            ValueError,
            "model Identity has no trainable parameters; expected at least one",
        ),
        (
            _Tuple(),
            TypeError,
            "model _Tuple returned a tuple; expected one tensor shaped like "
            "its input, (8, 10)",
        ),
        (
            _Unsqueezes(),  # the plain (unmasked) loss would broadcast
            ValueError,
            "model _Unsqueezes returned shape (8, 10, 1) for input (8, 10); "
            "expected the same shape",
        ),
    ],
)
def test_fit_names_a_model_it_cannot_train(model, error, message):
    d = data.sine_dataset(8, 10, seed=0)
    with pytest.raises(error) as caught:
        fit(model, d.noisy, d.clean, QUIET)
    assert message in str(caught.value)


def test_fit_and_predict_refuse_the_meta_device():
    d = data.sine_dataset(8, 10, seed=0)
    model = SequenceDenoiser("rnn", 3)
    for call in (
        lambda: fit(model, d.noisy, d.clean, QUIET, device="meta"),
        lambda: predict(model, d.noisy, device="meta"),
    ):
        with pytest.raises(ValueError) as caught:
            call()
        assert str(caught.value) == (
            "device must be 'auto', 'cpu', 'cuda' or 'mps', got 'meta'"
        )


def test_progress_bars_stay_off_the_book_build_pages(monkeypatch):
    # The Makefile's build sets TQDM_DISABLE=1: an executed page would keep
    # only a bar's first frame. A reader's notebook shows the bar.
    shown = FitConfig(epochs=3, lr=1e-3)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    assert not training.progress_bar(3, "model", shown).disable
    assert training.progress_bar(
        3, "model", FitConfig(epochs=3, lr=1e-3, progress=False)
    ).disable
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert training.progress_bar(3, "model", shown).disable
    monkeypatch.setenv("TQDM_DISABLE", "0")
    assert not training.progress_bar(3, "model", shown).disable
