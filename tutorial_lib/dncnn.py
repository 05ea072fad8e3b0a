"""The book's stronger learned baseline for Part II's task (not the posts').

:class:`DilatedDenoiser` is a DnCNN-style network (Zhang et al., 2017) in
one dimension: dilated ``Conv1d`` layers at the input's full length, which
predict the noise and subtract it. Like the models of
:mod:`tutorial_lib.models` it takes ``(batch, time)`` or
``(batch, time, 1)`` and returns the same shape.
"""

from __future__ import annotations

import torch
from torch import nn

from tutorial_lib.checks import integer, positive_int
from tutorial_lib.models import as_sequence


class DilatedDenoiser(nn.Module):
    """DnCNN-style residual denoiser: ``x - net(x)``, where ``net`` is
    ``layers`` ``Conv1d`` layers at full length, layer ``i`` dilated by
    ``2**i``, with a ReLU after every layer but the last.

    Nothing is downsampled, so there is no bottleneck: ``net`` learns the
    noise and the output is the input minus it (Zhang et al. 2017's
    residual learning, in 1-D). With ``kernel_size`` k, each output sees
    ``1 + (k - 1) * (2**layers - 1)`` input samples: 255 for 7 layers of 3.

    Args:
        layers: convolution layers (>= 2).
        channels: width of every hidden layer.
        kernel_size: odd, so that ``padding = dilation * (k - 1) / 2``
            keeps every length.
    """

    def __init__(
        self, layers: int = 7, channels: int = 32, kernel_size: int = 3
    ) -> None:
        super().__init__()
        layers = integer("layers", layers, minimum=2)
        channels = positive_int("channels", channels)
        kernel_size = positive_int("kernel_size", kernel_size)
        if kernel_size % 2 == 0:
            raise ValueError(
                f"kernel_size must be odd, got {kernel_size}; the padding "
                "dilation * (kernel_size - 1) / 2 keeps lengths only then"
            )
        parts: list[nn.Module] = []
        for i in range(layers):
            last = i == layers - 1
            parts.append(
                nn.Conv1d(
                    1 if i == 0 else channels,
                    1 if last else channels,
                    kernel_size,
                    dilation=2**i,
                    padding=2**i * (kernel_size - 1) // 2,
                )
            )
            if not last:
                parts.append(nn.ReLU())
        self.net = nn.Sequential(*parts)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seq, flat = as_sequence(x, self)
        h = seq.transpose(1, 2)  # (B, T, 1) -> (B, 1, T) for Conv1d
        out = (h - self.net(h)).transpose(1, 2)  # (B, T, 1)
        return out.squeeze(-1) if flat else out
