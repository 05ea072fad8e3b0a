"""The 2024 post's autoencoder sweep: one configuration per trained model, and the training of one.

A configuration is a plain dict holding everything that decides a run's result
(data size and seed, noise level, architecture, optimiser settings), so it can
key :func:`tutorial_lib.experiments.run_grid`'s saved runs. Chapters that want
the same model build the same dict with :func:`autoencoder_config` and are
served the saved run instead of training again.

:data:`DEFAULTS` holds the book's own choices for what the post never states.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import torch

from tutorial_lib.data import Pairs, split, two_tone_dataset
from tutorial_lib.models import ConvAutoencoder, count_parameters
from tutorial_lib.training import FitConfig, fit, predict

# Bump when train_autoencoder changes what it computes for the same configuration.
VERSION = 1

DEFAULTS: dict[str, Any] = {
    "n_samples": 5000,  # the post: "thousands"
    "length": 256,
    "train_fraction": 0.7,
    "channels": 32,
    "kernel_size": 4,
    "activation": "relu",
    "norm": None,
    "lr": 1e-3,
    "batch_size": 32,
    "epochs": 50,
    "snapshot_every": 5,  # epochs between snapshots of the probe's reconstruction
    "keep": 4,  # validation predictions kept in the result
}

SMOKE: dict[str, Any] = {"n_samples": 64, "epochs": 2, "snapshot_every": 1}
"""The smoke profile's overrides of :data:`DEFAULTS`. Every chapter that trains
the sweep's models uses ``run.size(full={}, smoke=SMOKE)``, so that they all
build the same configurations and share the saved runs."""


def autoencoder_config(depth: int, alpha: float, *, seed: int, **overrides: Any) -> dict[str, Any]:
    """The full configuration of one run: :data:`DEFAULTS`, then ``overrides``.

    Raises:
        ValueError: an override that is not a known setting, or a bad depth/alpha.
    """
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(unknown)}; expected some of {', '.join(DEFAULTS)}")
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"depth must be a positive integer, got {depth!r}")
    if not 0.0 <= float(alpha) <= 1.0:
        raise ValueError(f"noise level alpha must lie in [0, 1], got {alpha}")
    config = {**DEFAULTS, **overrides, "depth": int(depth), "alpha": float(alpha), "seed": int(seed)}
    config["version"] = VERSION
    return config


def sweep_configs(
    depths: Iterable[int], alphas: Iterable[float], *, seed: int, **overrides: Any
) -> list[dict[str, Any]]:
    """Every ``(depth, alpha)`` pair's configuration, noise level by noise level."""
    return [autoencoder_config(d, a, seed=seed, **overrides) for a in alphas for d in depths]


def sweep_data(config: Mapping[str, Any]) -> tuple[Pairs, Pairs]:
    """The ``(train, validation)`` pairs a configuration trains and validates on.

    The signals depend only on ``n_samples``, ``length`` and ``seed``: every
    run of a sweep sees the same base signals and the same noise draw.
    """
    data = two_tone_dataset(config["n_samples"], config["length"], seed=config["seed"])
    return split(data.at(config["alpha"]), config["train_fraction"])


def noisy_mse(pairs: Pairs) -> float:
    """MSE of the noisy input itself against the clean signal: the bar a denoiser must clear."""
    return float(np.mean((pairs.noisy.astype(np.float64) - pairs.clean) ** 2))


def build_model(config: Mapping[str, Any]) -> ConvAutoencoder:
    """The configuration's untrained autoencoder, initialised from its seed.

    A configuration may add ``"skips": True`` (not one of :data:`DEFAULTS`:
    the post's models have none) for the U-Net twin of the same model.
    """
    torch.manual_seed(config["seed"])
    return ConvAutoencoder(
        config["depth"],
        channels=config["channels"],
        kernel_size=config["kernel_size"],
        activation=config["activation"],
        norm=config["norm"],
        skips=config.get("skips", False),
    )


def train_autoencoder(config: Mapping[str, Any], *, device=None, progress: bool = False) -> dict[str, Any]:
    """Train one configuration; return a small result for the disk cache.

    Returns:
        ``history`` (:class:`~tutorial_lib.training.History`, snapshots of the
        first validation sequence ``(snapshots, length)``), ``val_mse``,
        ``noisy_mse``, ``val_pred`` (first ``keep`` validation outputs,
        ``(keep, length)``), ``parameters`` and the CPU ``state_dict``.
    """
    train, val = sweep_data(config)
    model = build_model(config)
    fit_config = FitConfig(
        epochs=config["epochs"],
        lr=config["lr"],
        batch_size=config["batch_size"],
        loss="mse",
        snapshot_every=config["snapshot_every"],
        seed=config["seed"],
        progress=progress,
    )
    history = fit(
        model, train.noisy, train.clean, fit_config,
        eval_data=(val.noisy, val.clean), probe=val.noisy[:1], device=device,
    )
    keep = min(config["keep"], len(val))
    return {
        "history": history,
        "val_mse": history.final_eval,
        "noisy_mse": noisy_mse(val),
        "val_pred": predict(model, val.noisy[:keep]),
        "parameters": count_parameters(model),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
    }
