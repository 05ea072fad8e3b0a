import numpy as np
import pytest
import torch

from tutorial_lib.dncnn import DilatedDenoiser
from tutorial_lib.models import (
    ConvAutoencoder,
    SequenceDenoiser,
    count_parameters,
    receptive_field,
)
from tutorial_lib.prototypes import PrototypeDenoiser


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_sequence_denoiser_keeps_shape(cell, bidirectional):
    model = SequenceDenoiser(
        cell, hidden_size=8, bidirectional=bidirectional
    )
    for shape in [(4, 100), (4, 100, 1)]:
        out = model(torch.randn(shape))
        assert out.shape == shape and out.dtype == torch.float32
        assert out.abs().max() <= 1  # tanh head


def test_sequence_denoiser_parameter_count_matches_post():
    # nn.RNN(1, 30): 30*1 + 30*30 + 2*30 = 990; Linear(30, 1): 31.
    assert count_parameters(SequenceDenoiser("rnn", 30)) == 1021
    assert (
        count_parameters(SequenceDenoiser("gru", 30, bidirectional=True))
        == 2 * 3 * (30 + 900 + 60) + 61
    )


def test_sequence_denoiser_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown cell"):
        SequenceDenoiser("transformer")
    with pytest.raises(ValueError, match=r"\(batch, time\)"):
        SequenceDenoiser()(torch.randn(2, 10, 3))


@pytest.mark.parametrize("depth", [2, 4, 6, 8])
def test_autoencoder_keeps_shape(depth):
    model = ConvAutoencoder(depth=depth, channels=8)
    for shape in [(3, 256), (3, 256, 1)]:
        assert model(torch.randn(shape)).shape == shape


def test_autoencoder_bottleneck_halves_per_level():
    model = ConvAutoencoder(depth=3, channels=4)
    h = torch.randn(2, 1, 64)
    for layer in model.down:
        h = layer(h)
    assert h.shape == (2, 4, 8)


def test_autoencoder_rejects_length_not_divisible():
    model = ConvAutoencoder(depth=4)
    with pytest.raises(
        ValueError, match=r"not divisible by 2\*\*depth = 16.*96 or 112"
    ):
        model(torch.randn(2, 100))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(depth=0),
        dict(kernel_size=3),
        dict(activation="swish"),
        dict(norm="layer"),
    ],
)
def test_autoencoder_rejects_bad_config(kwargs):
    with pytest.raises(ValueError):
        ConvAutoencoder(**kwargs)


def test_autoencoder_skips_and_norm_keep_shape():
    model = ConvAutoencoder(
        depth=3, channels=4, skips=True, norm="batch", activation="gelu"
    )
    assert model(torch.randn(5, 64)).shape == (5, 64)


def test_residual_sequence_denoiser_starts_as_the_identity():
    import torch

    from tutorial_lib.models import SequenceDenoiser

    x = torch.randn(3, 20)
    model = SequenceDenoiser("gru", 8, residual=True)
    torch.testing.assert_close(model(x), x)
    assert model(x.unsqueeze(-1)).shape == (3, 20, 1)
    # off by default, as in the post
    assert not SequenceDenoiser("gru", 8).residual


def test_prototype_denoiser_initialised_from_the_true_signals_picks_them():
    import numpy as np
    import torch

    from tutorial_lib import data

    d = data.sine_dataset(40, 100, seed=0)
    prototypes = data.sine(
        np.arange(100)[None, :] + np.arange(60)[:, None]
    ).astype(np.float32)
    model = PrototypeDenoiser(100, 60).init_from(
        torch.from_numpy(prototypes), noise_variance=0.35**2 / 3
    )
    out = model(torch.from_numpy(d.noisy)).detach().numpy()
    assert out.shape == (40, 100)
    assert (
        np.abs(out - d.clean).mean()
        < 0.2 * np.abs(d.noisy - d.clean).mean()
    )
    with pytest.raises(ValueError, match="length 100"):
        model(torch.zeros(2, 50))
    with pytest.raises(ValueError, match="noise_variance"):
        PrototypeDenoiser(100, 60).init_from(torch.zeros(5, 100), 0.1)


def test_receptive_field_of_a_recurrent_layer_follows_its_direction():
    torch.manual_seed(0)
    length = 40
    # One direction: output t depends on inputs 0..t; both directions: on all of them.
    assert (
        receptive_field(SequenceDenoiser("gru"), length) == length // 2 + 1
    )
    assert (
        receptive_field(SequenceDenoiser("gru", bidirectional=True), length)
        == length
    )


def test_receptive_field_of_the_autoencoder_grows_with_depth():
    torch.manual_seed(0)
    # Depth 1, kernel 4, stride 2: a code unit sees 4 inputs, and each output
    # mixes 2 neighbouring code units, which together see 6.
    assert receptive_field(ConvAutoencoder(1), 64) == 6
    reach = [receptive_field(ConvAutoencoder(d), 256) for d in (1, 2, 3, 4)]
    assert reach == sorted(reach) and len(set(reach)) == 4
    # the length-1 code sees everything
    assert receptive_field(ConvAutoencoder(8), 256) == 256


def test_receptive_field_rejects_bad_input():
    with pytest.raises(ValueError, match="length"):
        receptive_field(ConvAutoencoder(1), 0)
    with pytest.raises(ValueError, match="one output per input sample"):
        receptive_field(torch.nn.Linear(8, 3), 8)


def test_receptive_field_leaves_the_model_as_it_was():
    model = ConvAutoencoder(2, norm="batch")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert receptive_field(model, 64) > 1
    assert model.training
    assert all(
        torch.equal(before[k], v) for k, v in model.state_dict().items()
    )
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(depth=2.5), "depth must be an integer >= 1, got 2.5"),
        (dict(channels=0), "channels must be a positive integer, got 0"),
        (dict(channels=-4), "channels must be a positive integer, got -4"),
        (
            dict(channels=8.0),
            "channels must be a positive integer, got 8.0",
        ),
        (dict(kernel_size=4.0), "kernel_size must be an integer >= 2"),
    ],
)
def test_autoencoder_names_a_bad_size(kwargs, message):
    with pytest.raises(ValueError) as caught:
        ConvAutoencoder(**kwargs)
    assert message in str(caught.value)


def test_sequence_denoiser_names_a_bad_size():
    with pytest.raises(ValueError, match="hidden_size must be a positive"):
        SequenceDenoiser(hidden_size=2.5)
    with pytest.raises(ValueError, match="num_layers must be a positive"):
        SequenceDenoiser(num_layers=0)


@pytest.mark.parametrize(
    "model",
    [SequenceDenoiser(), ConvAutoencoder(2, 4), PrototypeDenoiser(8, 4)],
    ids=["recurrent", "autoencoder", "prototype"],
)
def test_models_name_a_numpy_input_a_double_input_and_length_0(model):
    with pytest.raises(TypeError) as caught:
        model(np.zeros((2, 8), dtype=np.float32))
    assert "input x must be a torch.Tensor" in str(caught.value)
    assert "numpy.ndarray" in str(caught.value)
    with pytest.raises(TypeError) as caught:
        model(torch.zeros(2, 8, dtype=torch.float64))
    assert "dtype torch.float64" in str(caught.value)
    assert "x.to(torch.float32)" in str(caught.value)
    with pytest.raises(ValueError, match=r"length 0, shape \(2, 0\)"):
        model(torch.zeros(2, 0))
    assert model(torch.zeros(2, 8)).shape == (2, 8)  # the right input works


def test_receptive_field_of_a_model_without_parameters():
    assert receptive_field(torch.nn.Identity(), 9) == 1
    assert receptive_field(torch.nn.Flatten(), 9) == 1


def test_dilated_denoiser_keeps_shape_and_sees_255_samples():
    model = DilatedDenoiser(layers=7, channels=8, kernel_size=3)
    x = torch.randn(3, 256)
    assert model(x).shape == (3, 256)
    assert model(x.unsqueeze(-1)).shape == (3, 256, 1)
    # 1 + (k - 1) * (2**layers - 1) = 1 + 2 * 127
    assert receptive_field(model, 256) == 255
    assert receptive_field(DilatedDenoiser(layers=3), 256) == 15


def test_dilated_denoiser_outputs_its_input_minus_the_network_s():
    model = DilatedDenoiser(layers=2, channels=4)
    x = torch.randn(2, 32)
    with torch.no_grad():
        noise = model.net(x.unsqueeze(1)).squeeze(1)
        assert torch.allclose(model(x), x - noise)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kernel_size": 4}, "kernel_size must be odd, got 4"),
        ({"layers": 1}, "layers must be an integer >= 2"),
        ({"channels": 0}, "channels must be a positive integer"),
    ],
)
def test_dilated_denoiser_names_a_bad_setting(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DilatedDenoiser(**kwargs)
