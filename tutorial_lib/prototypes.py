"""A learned denoiser for signals drawn from a small set of clean ones.

:class:`PrototypeDenoiser` scores the input against learned prototypes and
mixes them with softmax weights: the form of the posterior mean when the
clean signals are few and the noise is Gaussian (Beyond chapter 3).
"""

from __future__ import annotations

import torch
from torch import nn

from tutorial_lib.checks import positive_int
from tutorial_lib.models import as_sequence


class PrototypeDenoiser(nn.Module):
    """A soft choice among learned clean prototypes, for fixed-length sequences.

    ``x (B, T) -> softmax(scale * (W x + b)) @ V``: the ``prototypes`` rows of
    ``W`` score the input, the softmax turns the scores into weights, and the
    output mixes the rows of ``V``. When the clean signals come from a small
    set (the 2018 task has 60 distinct ones), this is the form of the
    posterior-mean denoiser under *Gaussian* noise, with
    ``W = V = prototypes`` and ``scale = 1 / noise variance`` (the 2018
    task's noise is uniform, for which it is not exact).
    :meth:`init_from` starts it there.
    """

    def __init__(self, length: int, prototypes: int = 256) -> None:
        super().__init__()
        positive_int("length", length)
        positive_int("prototypes", prototypes)
        self.length = length
        self.score = nn.Linear(length, prototypes)
        self.mix = nn.Linear(prototypes, length)
        self.log_scale = nn.Parameter(torch.zeros(()))

    @torch.no_grad()
    def init_from(
        self, clean: torch.Tensor, noise_variance: float
    ) -> "PrototypeDenoiser":
        """Start from ``prototypes`` clean training targets ``(prototypes, length)``."""
        clean = torch.as_tensor(clean, dtype=torch.float32)
        if (
            clean.shape != (self.score.out_features, self.length)
            or not noise_variance > 0
        ):
            raise ValueError(
                f"need clean of shape ({self.score.out_features}, {self.length}) and noise_variance > 0, "
                f"got {tuple(clean.shape)} and {noise_variance}"
            )
        # -||x - c||^2 / (2 s^2) = (x.c - ||c||^2 / 2) / s^2 + a term that is the same for every c
        self.score.weight.copy_(clean)
        self.score.bias.copy_(-(clean * clean).sum(1) / 2)
        self.log_scale.fill_(
            -float(torch.log(torch.tensor(noise_variance)))
        )
        self.mix.weight.copy_(clean.T)
        self.mix.bias.zero_()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seq, flat = as_sequence(x, self)
        if seq.shape[1] != self.length:
            raise ValueError(
                f"this model takes sequences of length {self.length}, got {seq.shape[1]}"
            )
        # weights: (B, P)
        weights = torch.softmax(
            self.score(seq.squeeze(-1)) * self.log_scale.exp(), dim=-1
        )
        out = self.mix(weights).unsqueeze(-1)  # (B, T, 1)
        return out.squeeze(-1) if flat else out
