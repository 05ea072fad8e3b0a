import dataclasses

import numpy as np
import pytest
import torch

from tutorial_lib import data
from tutorial_lib.models import ConvAutoencoder, SequenceDenoiser
from tutorial_lib.training import FitConfig, evaluate, fit, predict

QUIET = FitConfig(epochs=15, lr=1e-2, progress=False)


def _train(seed=0, config=QUIET, **kwargs):
    torch.manual_seed(seed)
    model = SequenceDenoiser("gru", hidden_size=6)
    d = data.sine_dataset(64, 40, seed=seed)
    return model, fit(model, d.noisy, d.clean, config, **kwargs)


def test_fit_lowers_the_loss():
    _, h = _train()
    assert len(h.epoch_loss) == 15 and len(h.step_loss) == 15  # full batch: one step an epoch
    assert h.epoch_loss[-1] < 0.6 * h.epoch_loss[0]


def test_same_seed_same_training_on_cpu():
    m1, h1 = _train(seed=3, config=dataclasses.replace(QUIET, batch_size=16))
    m2, h2 = _train(seed=3, config=dataclasses.replace(QUIET, batch_size=16))
    assert h1.step_loss == h2.step_loss
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        torch.testing.assert_close(p1, p2, rtol=0, atol=0)


def test_minibatches_eval_and_snapshots():
    d = data.sine_dataset(100, 40, seed=0)
    config = FitConfig(epochs=6, batch_size=32, eval_every=2, snapshot_every=3, progress=False)
    torch.manual_seed(0)
    h = fit(SequenceDenoiser("rnn", 4), d.noisy[:80], d.clean[:80], config,
            eval_data=(d.noisy[80:], d.clean[80:]), probe=d.noisy[:2])
    assert len(h.step_loss) == 6 * 3  # ceil(80 / 32) steps an epoch
    assert h.eval_epochs == [2, 4, 6] and len(h.eval_loss) == 3
    assert h.snapshot_epochs == [0, 3, 6]
    assert h.snapshots.shape == (3, 2, 40)
    assert not np.array_equal(h.snapshots[0], h.snapshots[-1])


def test_final_eval_matches_evaluate():
    d = data.two_tone_dataset(40, 32, seed=0).at(0.2)
    torch.manual_seed(0)
    model = ConvAutoencoder(depth=2, channels=4)
    h = fit(model, d.noisy[:30], d.clean[:30], FitConfig(epochs=3, batch_size=8, loss="mse", progress=False),
            eval_data=(d.noisy[30:], d.clean[30:]))
    assert h.final_eval == pytest.approx(evaluate(model, d.noisy[30:], d.clean[30:], "mse"), rel=1e-5)
    assert predict(model, d.noisy[30:]).shape == (10, 32)


def test_fit_with_missing_targets_stays_finite():
    d = data.sine_dataset(64, 40, seed=0)
    targets = data.hide_targets(d.clean, fraction=0.3, seed=0)
    torch.manual_seed(0)
    h = fit(SequenceDenoiser("gru", 4), d.noisy, targets, FitConfig(epochs=5, progress=False))
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


@pytest.mark.parametrize("kwargs", [dict(epochs=0), dict(lr=0), dict(batch_size=0), dict(loss="huber")])
def test_fit_config_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):
        FitConfig(**kwargs)


def test_diverging_training_raises_instead_of_returning_nan():
    d = data.sine_dataset(16, 10, seed=0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(10, 10))
    with pytest.raises(FloatingPointError, match="lr"):
        fit(model, d.noisy, d.clean * 1e38, FitConfig(epochs=3, lr=1e30, loss="mse", progress=False))


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
    h = fit(model, d.noisy, d.clean, FitConfig(epochs=5, amp=True, progress=False), device="cuda")
    assert h.device == "cuda" and np.all(np.isfinite(h.step_loss))


def test_cosine_schedule_trains_and_differs_from_a_fixed_rate():
    d = data.sine_dataset(64, 40, seed=0)
    torch.manual_seed(0)
    fixed = fit(SequenceDenoiser("gru", 6), d.noisy, d.clean, dataclasses.replace(QUIET, batch_size=16))
    torch.manual_seed(0)
    model = SequenceDenoiser("gru", 6)
    cosine = fit(model, d.noisy, d.clean, dataclasses.replace(QUIET, batch_size=16, schedule="cosine"))
    assert cosine.epoch_loss[-1] < 0.6 * cosine.epoch_loss[0]
    assert cosine.step_loss[-1] != fixed.step_loss[-1]
    with pytest.raises(ValueError, match="schedule"):
        FitConfig(schedule="step")


@pytest.mark.parametrize("hide", [0.0, 0.3])
def test_cpu_chunks_give_the_same_step_as_the_whole_batch(hide):
    d = data.sine_dataset(50, 30, seed=0)
    targets = data.hide_targets(d.clean, fraction=hide, seed=1) if hide else d.clean
    weights = []
    for chunk in (None, 7):
        torch.manual_seed(0)
        model = SequenceDenoiser("gru", 5, bidirectional=True)
        h = fit(model, d.noisy, targets, FitConfig(epochs=3, cpu_chunk=chunk, progress=False))
        weights.append((h.step_loss, [p.detach().clone() for p in model.parameters()]))
    (loss_whole, p_whole), (loss_chunked, p_chunked) = weights
    np.testing.assert_allclose(loss_whole, loss_chunked, rtol=1e-5)
    for a, b in zip(p_whole, p_chunked):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_cpu_chunk_rejects_zero():
    with pytest.raises(ValueError, match="cpu_chunk"):
        FitConfig(cpu_chunk=0)
