"""Learning to denoise from noisy signals alone: blind-spot training.

A network trained to reproduce its noisy input can learn the identity. In
blind-spot training (Noise2Self, Batson and Royer 2019; Noise2Void) the
loss is taken only at samples the network cannot see: every ``spacing``-th
sample, from a random phase, is replaced by the mean of its two neighbours
(:func:`hide_samples`), and the output there is compared with the noisy
value that was hidden. When the noise of each sample is independent of the
others, the hidden noise cannot be predicted, so the best the network can
do is the expected signal: a denoiser, learned without a clean signal.

At inference :func:`blind_spot_denoise` runs the network once per phase and
keeps, at each sample, the output of the pass that hid it, so no output
depends on its own noisy sample. Signals are ``(n, T)`` float arrays.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from tutorial_lib.checks import as_tensor, integer
from tutorial_lib.fit_types import FitConfig, History
from tutorial_lib.training import progress_bar


def hide_samples(
    x: torch.Tensor, spacing: int, phase: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``x`` ``(b, T)`` with samples ``phase, phase + spacing, ...`` each
    replaced by the mean of its neighbours (at an end, by its one
    neighbour), and the ``(T,)`` boolean mask of those samples."""
    mask = torch.zeros(x.shape[1], dtype=torch.bool, device=x.device)
    mask[phase::spacing] = True
    left = torch.cat([x[:, 1:2], x[:, :-1]], dim=1)
    right = torch.cat([x[:, 1:], x[:, -2:-1]], dim=1)
    return torch.where(mask, (left + right) / 2, x), mask


def fit_blind_spot(
    model: nn.Module,
    noisy,
    config: FitConfig,
    *,
    spacing: int = 4,
    eval_data: tuple | None = None,
) -> History:
    """Train ``model`` on the CPU on noisy signals ``(n, T)`` alone: Adam
    at ``config.lr``, mini-batches of ``config.batch_size`` in an order and
    with hidden phases drawn from ``config.seed``, the MSE at the hidden
    samples only. ``eval_data`` ``(noisy, clean)``: its MSE, through
    :func:`blind_spot_denoise`, is logged after the last epoch."""
    spacing = integer("spacing", spacing, minimum=2)
    x = as_tensor(noisy, "noisy", torch.device("cpu")).reshape(
        len(noisy), -1
    )
    n, batch = len(x), config.batch_size or len(x)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    generator = torch.Generator().manual_seed(config.seed)
    history, started = History(), time.perf_counter()
    bar = progress_bar(config.epochs, "blind-spot", config)
    model.train()
    for _ in range(config.epochs):
        order = torch.randperm(n, generator=generator)
        losses = []
        for i in range(0, n, batch):
            xb = x[order[i : i + batch]]
            # 1) hide every spacing-th sample, from a random phase
            phase = int(torch.randint(spacing, (1,), generator=generator))
            hidden, mask = hide_samples(xb, spacing, phase)
            # 2) the loss only where the network could not see the sample
            loss = ((model(hidden) - xb)[:, mask] ** 2).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
        history.step_loss.extend(losses)
        history.epoch_loss.append(float(np.mean(losses)))
        bar.update(1)
    bar.close()
    model.eval()
    if eval_data is not None:
        out = blind_spot_denoise(model, eval_data[0], spacing)
        history.eval_epochs.append(config.epochs)
        history.eval_loss.append(float(np.mean((out - eval_data[1]) ** 2)))
    history.seconds = time.perf_counter() - started
    return history


@torch.no_grad()
def blind_spot_denoise(
    model: nn.Module, noisy, spacing: int = 4
) -> np.ndarray:
    """The denoised signals ``(n, T)``: one pass per phase, each sample
    taken from the pass that hid it."""
    spacing = integer("spacing", spacing, minimum=2)
    x = as_tensor(noisy, "noisy", torch.device("cpu")).reshape(
        len(noisy), -1
    )
    was_training = model.training
    model.eval()
    out = torch.empty_like(x)
    for phase in range(spacing):
        hidden, mask = hide_samples(x, spacing, phase)
        out[:, mask] = model(hidden)[:, mask]
    model.train(was_training)
    return out.numpy().astype(np.float64)
