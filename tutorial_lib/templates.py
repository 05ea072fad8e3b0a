"""A network that knows Part II's signal family and learns the rest.

Part II's signals are ``sin(f1 x) + cos(2 f2 x)`` at unknown frequencies.
:class:`ToneTemplateNet` is built around that: it scores a grid of
frequencies for each tone with a learned linear layer, turns the scores
into weights (softmax) and returns the weighted sum of the grid's tones.
The posterior mean has this form (its scores are inner products of the
input with the same tones, up to the small cross term between the two), so
the network can represent the limit's rule on its grid; it has to learn it
from examples. Like the models of :mod:`tutorial_lib.models` it takes
``(batch, time)`` or ``(batch, time, 1)`` and returns the same shape.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tutorial_lib.checks import integer
from tutorial_lib.models import as_sequence


class ToneTemplateNet(nn.Module):
    """Estimate each tone's frequency as weights over a grid, then
    synthesise the weighted tones:
    ``softmax(score1(y)) @ sines + softmax(score2(y)) @ cosines``.

    Args:
        x: ``(time,)`` the signals' sample points (Part II's
            ``two_tone_dataset(...).x``).
        grid: frequencies per tone, evenly spaced over ``freq_range``.
        freq_range: ``(low, high)``, the frequencies' range.

    The two scores are ``Linear(time, grid)`` layers started at zero, so
    the untrained network returns the average tone of the grid.
    """

    def __init__(
        self,
        x,
        grid: int = 401,
        freq_range: tuple[float, float] = (0.5, 2.5),
    ) -> None:
        super().__init__()
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 1 or len(x) < 2 or not np.isfinite(x).all():
            raise ValueError(
                "x must be the signals' sample points, a finite (time,) "
                f"array with time >= 2, got shape {x.shape}"
            )
        grid = integer("grid", grid, minimum=2)
        low, high = (float(f) for f in freq_range)
        if not 0 < low < high:
            raise ValueError(
                f"freq_range must be (low, high) with 0 < low < high, got "
                f"{freq_range!r}"
            )
        f = np.linspace(low, high, grid)[:, None]
        # (grid, time) each: the tones the output is made of
        self.register_buffer("sines", torch.tensor(np.sin(f * x)).float())
        self.register_buffer(
            "cosines", torch.tensor(np.cos(2 * f * x)).float()
        )
        self.score1 = nn.Linear(len(x), grid)
        self.score2 = nn.Linear(len(x), grid)
        for layer in (self.score1, self.score2):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        seq, flat = as_sequence(y, self)
        y = seq.squeeze(-1)  # (B, T)
        if y.shape[-1] != self.sines.shape[-1]:
            raise ValueError(
                f"input has {y.shape[-1]} samples; this network was built "
                f"for {self.sines.shape[-1]}"
            )
        w1 = self.score1(y).softmax(-1)  # (B, grid): weights of f1
        w2 = self.score2(y).softmax(-1)  # (B, grid): weights of f2
        out = (w1 @ self.sines + w2 @ self.cosines).unsqueeze(-1)
        return out.squeeze(-1) if flat else out
