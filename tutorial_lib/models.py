"""The two denoisers of the write-ups.

* :class:`SequenceDenoiser`: a recurrent layer (RNN, GRU or LSTM; one or both
  directions) read out at every time step by ``Linear`` then ``Tanh``, as in
  the 2018 post.
* :class:`ConvAutoencoder`: ``depth`` stride-2 ``Conv1d`` layers down and
  ``depth`` ``ConvTranspose1d`` layers up, as in the 2024 post (no skip
  connections unless asked for).

Both take ``(batch, time)`` or ``(batch, time, 1)`` and return the same shape.
:func:`receptive_field` measures how far along the input either one sees.
"""

from __future__ import annotations

import torch
from torch import nn

from tutorial_lib.checks import integer, positive_int

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh}


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def receptive_field(
    model: nn.Module, length: int, *, trials: int = 16, seed: int = 0
) -> int:
    """How many input samples the middle output sample depends on.

    Counts the input positions where the gradient of output ``length // 2``
    is nonzero, over ``trials`` random inputs of shape ``(trials, length)``
    (a ReLU may block a path for one input, hardly for all of them). The model
    runs in eval mode (dropout off, batch-norm statistics not updated) and is
    put back in its own mode; only the gradient with respect to the input is
    taken, so its parameters and their gradients are left untouched.

    Raises:
        ValueError: a bad ``length`` or ``trials``, or a model whose output is
            not one value per input sample.
    """
    positive_int("length", length)
    positive_int("trials", trials)
    first = next(model.parameters(), None)  # None: a model without any
    device = torch.device("cpu") if first is None else first.device
    generator = torch.Generator().manual_seed(seed)
    inputs = (
        torch.randn(trials, length, generator=generator)
        .to(device)
        .requires_grad_(True)
    )
    was_training = model.training
    model.eval()
    try:
        outputs = model(inputs)
    finally:
        model.train(was_training)
    if outputs.numel() != trials * length:
        raise ValueError(
            f"expected one output per input sample, (batch, {length}); got {tuple(outputs.shape)}"
        )
    if not outputs.requires_grad:  # the output ignores the input
        return 0
    (grad,) = torch.autograd.grad(
        outputs.reshape(trials, length)[:, length // 2].sum(), inputs
    )
    return int((grad.abs().sum(0) > 0).sum())


def as_sequence(
    x: torch.Tensor, model: nn.Module
) -> tuple[torch.Tensor, bool]:
    """``(B, T)`` or ``(B, T, 1)`` -> ``(B, T, 1)``, and whether it was 2-D.

    Raises:
        TypeError: ``x`` is not a tensor, or not of the model's dtype.
        ValueError: ``x`` has another shape, or no time steps.
    """
    name = type(model).__name__
    if not torch.is_tensor(x):
        raise TypeError(
            f"{name} input x must be a torch.Tensor of shape (batch, time), "
            f"got {type(x).__module__}.{type(x).__name__}; convert it with "
            "torch.as_tensor(x, dtype=torch.float32), or use tl.predict"
        )
    if x.dim() not in (2, 3) or (x.dim() == 3 and x.shape[-1] != 1):
        raise ValueError(
            f"expected input of shape (batch, time) or (batch, time, 1), got {tuple(x.shape)}"
        )
    if x.shape[1] == 0:
        raise ValueError(
            f"{name} input x has length 0, shape {tuple(x.shape)}; "
            "expected at least one time step"
        )
    dtype = next(model.parameters()).dtype
    if x.dtype != dtype:
        raise TypeError(
            f"{name} input x has dtype {x.dtype}, but the model's parameters "
            f"are {dtype}; expected x.to({dtype})"
        )
    return (x.unsqueeze(-1), True) if x.dim() == 2 else (x, False)


class SequenceDenoiser(nn.Module):
    """Recurrent denoiser: ``x (B, T[, 1]) -> tanh(Linear(RNN(x)))`` of the
    same shape.

    Args:
        cell: ``"rnn"``, ``"gru"`` or ``"lstm"``.
        hidden_size: units per direction (the 2018 post: 30).
        num_layers: stacked recurrent layers.
        bidirectional: read the sequence both ways; the head sees both
            states.
        dropout: between stacked layers only (PyTorch ignores it, with a
            warning, for ``num_layers=1``).
        residual: predict a correction to the input, ``x + Linear(RNN(x))``
            (no ``Tanh``), with the head zeroed so that training starts from
            output = input. Off in the 2018 post.
    """

    def __init__(
        self,
        cell: str = "rnn",
        hidden_size: int = 30,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        residual: bool = False,
    ) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(
                f"unknown cell {cell!r}; expected one of {', '.join(CELLS)}"
            )
        positive_int("hidden_size", hidden_size)
        positive_int("num_layers", num_layers)
        self.cell = cell
        self.rnn = CELLS[cell](
            input_size=1,
            hidden_size=hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout,
        )
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), 1)
        self.act = nn.Tanh()
        self.residual = residual
        if residual:
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seq, flat = as_sequence(x, self)
        states, _ = self.rnn(seq)  # (B, T, H * directions)
        # out: (B, T, 1)
        out = (
            seq + self.head(states)
            if self.residual
            else self.act(self.head(states))
        )
        return out.squeeze(-1) if flat else out


class ConvAutoencoder(nn.Module):
    """1-D convolutional autoencoder of ``depth`` levels.

    Each level halves the time axis with ``Conv1d(kernel_size, stride=2)``
    on the way down and doubles it with ``ConvTranspose1d`` on the way up,
    so the input length must be divisible by ``2 ** depth``. Every layer has
    ``channels`` channels; an activation (and optional batch norm) follows
    every layer but the last, whose output is linear.

    Args:
        depth: levels down (= levels up), the post's d = u.
        channels: width of every hidden layer.
        kernel_size: even, >= 2 (padding ``kernel_size // 2 - 1`` keeps
            lengths exact).
        activation: ``"relu"``, ``"gelu"`` or ``"tanh"``.
        norm: ``None`` or ``"batch"``.
        skips: add each encoder level's output to the decoder's input at the
            same length (a 1-D U-Net); off in the 2024 post.
    """

    def __init__(
        self,
        depth: int = 2,
        channels: int = 32,
        kernel_size: int = 4,
        activation: str = "relu",
        norm: str | None = None,
        skips: bool = False,
    ) -> None:
        super().__init__()
        depth, channels, kernel_size = _check_autoencoder(
            depth, channels, kernel_size, activation, norm
        )
        self.depth, self.skips = depth, skips
        pad = kernel_size // 2 - 1

        def block(layer: nn.Module, last: bool) -> nn.Sequential:
            return _level(layer, channels, activation, norm, last)

        self.down = nn.ModuleList(
            block(
                nn.Conv1d(
                    1 if i == 0 else channels,
                    channels,
                    kernel_size,
                    stride=2,
                    padding=pad,
                ),
                last=False,
            )
            for i in range(depth)
        )
        self.up = nn.ModuleList(
            block(
                nn.ConvTranspose1d(
                    channels,
                    1 if i == depth - 1 else channels,
                    kernel_size,
                    stride=2,
                    padding=pad,
                ),
                last=i == depth - 1,
            )
            for i in range(depth)
        )

    def check_length(self, length: int) -> None:
        """Raise a ``ValueError`` naming valid lengths unless ``length``
        fits this depth."""
        step = 2**self.depth
        if length % step:
            below, above = (
                (length // step) * step,
                (length // step + 1) * step,
            )
            valid = f"{below} or {above}" if below else f"{above}"
            raise ValueError(
                f"sequence length {length} is not divisible by 2**depth = "
                f"{step} (depth={self.depth}); "
                f"use a multiple of {step}, e.g. {valid}"
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seq, flat = as_sequence(x, self)
        self.check_length(seq.shape[1])
        h = seq.transpose(1, 2)  # (B, T, 1) -> (B, 1, T) for Conv1d
        skips = []
        for layer in self.down:
            h = layer(h)  # (B, C, T / 2**level)
            skips.append(h)
        for i, layer in enumerate(self.up):
            if self.skips and i > 0:
                h = h + skips[self.depth - 1 - i]
            h = layer(h)
        out = h.transpose(1, 2)  # (B, 1, T) -> (B, T, 1)
        return out.squeeze(-1) if flat else out


def _check_autoencoder(
    depth, channels, kernel_size, activation: str, norm: str | None
) -> tuple[int, int, int]:
    """:class:`ConvAutoencoder`'s arguments checked: ``(depth, channels,
    kernel_size)`` as ints, or a ValueError naming the one at fault."""
    depth = integer("depth", depth, minimum=1)
    channels = positive_int("channels", channels)
    kernel_size = integer("kernel_size", kernel_size, minimum=2)
    if kernel_size % 2:
        raise ValueError(
            "kernel_size must be even and >= 2 so lengths halve "
            f"exactly, got {kernel_size}"
        )
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; expected one of "
            f"{', '.join(ACTIVATIONS)}"
        )
    if norm not in (None, "batch"):
        raise ValueError(f"norm must be None or 'batch', got {norm!r}")
    return depth, channels, kernel_size


def _level(
    layer: nn.Module, channels: int, activation: str, norm, last: bool
) -> nn.Sequential:
    """One level of :class:`ConvAutoencoder`: ``layer``, then (unless it is
    the ``last``, whose output is linear) batch norm if asked, and the
    activation."""
    parts = [layer]
    if not last:
        if norm == "batch":
            parts.append(nn.BatchNorm1d(channels))
        parts.append(ACTIVATIONS[activation]())
    return nn.Sequential(*parts)
