"""The CUDA branch of the package, on a GPU: what runs there and what comes back.

Every test here needs CUDA and is skipped cleanly without it (CI has none).
They compare a CUDA run with the same run on the CPU: float32 kernels differ
in rounding (cuDNN's RNN, reductions in another order), so losses agree to a
tolerance, not bit for bit.
"""

import numpy as np
import pytest
import torch

from tutorial_lib import data, part1, part2
from tutorial_lib.bookkeeping.cache import cached
from tutorial_lib.evaluation import evaluate, predict
from tutorial_lib.models import ConvAutoencoder, SequenceDenoiser
from tutorial_lib.training import FitConfig, fit

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA"),
]


def _fit(make, x, y, config, device, **kw):
    torch.manual_seed(0)
    model = make()
    return model, fit(model, x, y, config, device=device, **kw)


def test_full_batch_rnn_on_cuda_follows_the_cpu_run():
    d = data.sine_dataset(256, 50, seed=0)
    config = FitConfig(epochs=20, lr=1e-2, progress=False, cpu_chunk=None)
    make = lambda: SequenceDenoiser("gru", 16, bidirectional=True)  # noqa: E731
    _, cpu = _fit(make, d.noisy, d.clean, config, "cpu")
    model, gpu = _fit(make, d.noisy, d.clean, config, "cuda")
    assert gpu.device == "cuda" and cpu.device == "cpu"
    np.testing.assert_allclose(gpu.step_loss, cpu.step_loss, rtol=1e-3)
    assert gpu.step_loss[-1] < 0.7 * gpu.step_loss[0]


def test_mini_batches_on_cuda_see_the_cpu_order():
    """Same seed, same shuffles: the step losses follow the CPU run."""
    tones = data.two_tone_dataset(96, 64, seed=0).at(0.2)
    config = FitConfig(
        epochs=3, lr=1e-3, batch_size=16, loss="mse", progress=False
    )
    make = lambda: ConvAutoencoder(4, channels=8)  # noqa: E731
    _, cpu = _fit(make, tones.noisy, tones.clean, config, "cpu")
    _, gpu = _fit(make, tones.noisy, tones.clean, config, "cuda")
    assert len(gpu.step_loss) == len(cpu.step_loss) == 3 * 6
    np.testing.assert_allclose(gpu.step_loss, cpu.step_loss, rtol=1e-3)


def test_eval_snapshots_and_missing_targets_on_cuda():
    d = data.sine_dataset(128, 40, seed=1)
    y = d.clean.copy()
    y[:, ::3] = np.nan  # a third of the targets hidden
    config = FitConfig(
        epochs=6, eval_every=2, snapshot_every=2, progress=False
    )
    make = lambda: SequenceDenoiser("rnn", 8)  # noqa: E731
    model, h = _fit(
        make,
        d.noisy,
        y,
        config,
        "cuda",
        eval_data=(d.noisy[:32], d.clean[:32]),
        probe=d.noisy[:1],
    )
    assert np.all(np.isfinite(h.step_loss)) and np.all(
        np.isfinite(h.eval_loss)
    )
    assert h.snapshots.shape[1:] == (1, 40)
    assert len(h.snapshots) == len(h.snapshot_epochs) >= 3
    assert np.all(np.isfinite(h.snapshots))
    # The final evaluation is what evaluate() says of the trained model.
    assert h.eval_loss[-1] == pytest.approx(
        evaluate(model, d.noisy[:32], d.clean[:32]), rel=1e-4
    )


def test_predict_and_evaluate_follow_the_model_to_cuda():
    d = data.sine_dataset(64, 30, seed=2)
    torch.manual_seed(0)
    model = SequenceDenoiser("gru", 8)
    on_cpu = predict(model, d.noisy)
    model.cuda()
    on_gpu = predict(model, d.noisy)
    assert isinstance(on_gpu, np.ndarray) and on_gpu.shape == (64, 30)
    np.testing.assert_allclose(on_gpu, on_cpu, atol=1e-5)
    assert evaluate(model, d.noisy, d.clean) == pytest.approx(
        float(np.mean(np.abs(on_cpu - d.clean))), rel=1e-4
    )


def test_amp_bfloat16_trains_and_keeps_the_loss_in_float32():
    tones = data.two_tone_dataset(64, 64, seed=0).at(0.3)
    config = FitConfig(
        epochs=8,
        lr=1e-3,
        batch_size=16,
        loss="mse",
        amp=True,
        progress=False,
    )
    _, h = _fit(
        lambda: ConvAutoencoder(2, channels=8),
        tones.noisy,
        tones.clean,
        config,
        "cuda",
        eval_data=(tones.noisy, tones.clean),
    )
    assert all(isinstance(v, float) for v in h.step_loss)
    assert np.all(np.isfinite(h.eval_loss))
    assert h.eval_loss[-1] < h.eval_loss[0]


def test_part1_and_part2_train_on_cuda_and_save_cpu_tensors(tmp_path):
    config = part1.post_config("bigru", n_sequences=200, epochs=4)
    result = cached(
        "part1-cuda",
        config.key(),
        lambda: part1.fit_post_model(config, device="cuda"),
        directory=tmp_path,
    )
    assert result["history"].device == "cuda"
    assert all(
        t.device.type == "cpu" for t in result["state_dict"].values()
    )
    # served from the file, not recomputed
    again = cached(
        "part1-cuda", config.key(), lambda: 1 / 0, directory=tmp_path
    )
    assert again["test_l1"] == result["test_l1"]

    ae = part2.autoencoder_config(4, 0.2, seed=0, **part2.SMOKE)
    out = part2.fit_autoencoder(ae, device="cuda")
    assert out["history"].device == "cuda"
    assert all(t.device.type == "cpu" for t in out["state_dict"].values())
    assert np.isfinite(out["val_mse"]) and out["val_pred"].shape[1] == 256


def test_a_stack_on_cuda_follows_each_model_alone_and_the_cpu_stack():
    from tutorial_lib.stacked import fit_stacked

    stack = [
        part2.autoencoder_config(
            4, alpha, seed=seed, n_samples=96, epochs=2
        )
        for alpha in (0.1, 0.3)
        for seed in (0, 1)
    ]
    data = [c.data() for c in stack]

    def together(device):
        return fit_stacked(
            [c.build() for c in stack],
            [t.noisy for t, _ in data],
            [t.clean for t, _ in data],
            [part2.fit_config(c) for c in stack],
            eval_data=(
                [v.noisy for _, v in data],
                [v.clean for _, v in data],
            ),
            device=device,
        )

    gpu, cpu = together("cuda"), together("cpu")
    for c, (train, val), g, h in zip(stack, data, gpu, cpu):
        alone = fit(
            c.build(),
            train.noisy,
            train.clean,
            part2.fit_config(c),
            eval_data=(val.noisy, val.clean),
            device="cuda",
        )
        assert g.device == "cuda" and len(g.step_loss) > 4
        # cuDNN picks other algorithms for a grouped convolution than for
        # one model's, and other than the CPU's: equal to a float tolerance
        np.testing.assert_allclose(g.step_loss, alone.step_loss, rtol=1e-3)
        np.testing.assert_allclose(g.step_loss, h.step_loss, rtol=1e-3)
        np.testing.assert_allclose(g.eval_loss, h.eval_loss, rtol=1e-3)
