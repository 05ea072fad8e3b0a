"""Part II's configuration: one frozen :class:`AutoencoderConfig` a trained model.

It holds everything that decides a run's result (data size and seed, noise
level, architecture, optimiser settings, and a ``version``), so it keys the
saved runs (:mod:`tutorial_lib.bookkeeping.cache`). Its defaults are the book's own
choices for what the 2024 post never states (:data:`DEFAULTS`); :data:`SMOKE`
shrinks them for the smoke profile. Chapters reach all of it through
:mod:`tutorial_lib.part2`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np
import torch

from tutorial_lib.checks import (
    finite_number,
    integer,
    non_negative_int,
    positive_int,
)
from tutorial_lib.data import Pairs, split, two_tone_dataset
from tutorial_lib.dncnn import DilatedDenoiser
from tutorial_lib.models import ConvAutoencoder

VERSION = 1
"""Bump when :func:`fit_autoencoder` changes what it computes for the same
configuration: the saved runs of the old version are then never served."""
NAME = "part2-ae"
"""The saved runs' file-name prefix."""
IDENTITY = (
    "depth",
    "alpha",
    "seed",
    "skips",
    "target",
    "model",
    "version",
)
"""The fields that name a run rather than set it (not in :data:`DEFAULTS`)."""
TARGETS = ("clean", "noisy", "noisy copy")
"""What a model can be trained to output: the clean signal (the post's
supervised training), its own noisy input (self-supervised), or a second,
independently noisy copy of the same clean signal (Noise2Noise)."""
MODELS = ("autoencoder", "dncnn")
"""The networks a configuration can build: the post's
:class:`~tutorial_lib.models.ConvAutoencoder`, or the book's DnCNN-style
:class:`~tutorial_lib.dncnn.DilatedDenoiser` (``depth`` is then its number
of layers, and ``kernel_size`` must be odd)."""


@dataclass(frozen=True)
class AutoencoderConfig:
    """One autoencoder of Part II: its data, architecture and training.

    Frozen: make variants with ``dataclasses.replace(config, lr=3e-3)``.
    ``skips=True`` (not the post's) gives the U-Net twin of the same model.
    ``target`` is what training asks the model to output for a noisy input:
    ``"clean"`` (the post's noisy -> clean pairs), ``"noisy"`` (the input
    itself, so the model never sees a clean signal) or ``"noisy copy"``
    (the same clean signal with a second, independent noise draw: never
    clean either). Every way the model is evaluated against the clean
    signal.
    ``model="dncnn"`` builds the DnCNN-style network instead of the
    autoencoder, with ``depth`` layers.
    ``keep`` is how many validation predictions the result keeps;
    ``snapshot_every`` the epochs between snapshots of the probe's output.
    """

    depth: int
    alpha: float
    seed: int
    n_samples: int = 5000  # the post: "thousands"
    length: int = 256
    train_fraction: float = 0.7
    channels: int = 32
    kernel_size: int = 4
    activation: str = "relu"
    norm: str | None = None
    lr: float = 1e-3
    batch_size: int = 32
    epochs: int = 50
    snapshot_every: int = 5
    keep: int = 4
    skips: bool = False
    target: str = "clean"
    model: str = "autoencoder"
    version: int = VERSION

    def __post_init__(self) -> None:
        """Check every field, naming it; NumPy numbers become Python's
        (so that the cache key is JSON), Python numbers stay as given (so
        that the keys of the book's runs never change)."""
        alpha = finite_number("noise level alpha", self.alpha)
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(
                f"noise level alpha must lie in [0, 1], got {self.alpha}"
            )
        object.__setattr__(self, "depth", positive_int("depth", self.depth))
        object.__setattr__(self, "alpha", alpha)
        object.__setattr__(
            self, "seed", non_negative_int("seed", self.seed)
        )
        if self.target not in TARGETS:
            raise ValueError(
                f"target must be 'clean' (train on noisy -> clean pairs), "
                f"'noisy' (train to reproduce the noisy input) or 'noisy "
                f"copy' (train on a second noisy copy), got {self.target!r}"
            )
        if self.model not in MODELS:
            raise ValueError(
                f"model must be one of {', '.join(map(repr, MODELS))}, "
                f"got {self.model!r}"
            )
        self._check_settings()

    def _check_settings(self) -> None:
        """The fields besides the identity's (see :meth:`__post_init__`)."""
        for name in (
            "n_samples",
            "length",
            "channels",
            "kernel_size",
            "epochs",
            "keep",
            "version",
        ):
            self._set(name, positive_int(name, getattr(self, name)))
        self._set(
            "batch_size",
            integer(
                "batch_size", self.batch_size, minimum=1, none="full batch"
            ),
        )
        self._set(
            "snapshot_every",
            integer("snapshot_every", self.snapshot_every, minimum=0),
        )
        self._set(
            "lr",
            _plain(self.lr, finite_number("lr", self.lr, positive=True)),
        )
        fraction = self.train_fraction
        if not (
            isinstance(fraction, (float, np.floating)) and 0 < fraction < 1
        ):
            raise ValueError(
                "train_fraction must be a fraction in (0, 1) (a float), "
                f"got {fraction!r}"
            )
        self._set("train_fraction", _plain(fraction, float(fraction)))
        count = int(round(self.n_samples * self.train_fraction))
        if not 0 < count < self.n_samples:
            raise ValueError(
                f"train_fraction={self.train_fraction!r} of "
                f"n_samples={self.n_samples} leaves {count} signals to train "
                f"and {self.n_samples - count} to validate; expected at least "
                "one of each (a larger n_samples, or a fraction nearer 0.5)"
            )
        if not isinstance(self.skips, (bool, np.bool_)):
            raise ValueError(
                f"skips must be True or False, got {self.skips!r}"
            )
        self._set("skips", bool(self.skips))
        if not isinstance(self.activation, str):
            raise ValueError(
                "activation must be a name such as 'relu', "
                f"got {self.activation!r}"
            )
        if self.norm is not None and not isinstance(self.norm, str):
            raise ValueError(
                f"norm must be None or a name, got {self.norm!r}"
            )

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def key(self) -> dict[str, Any]:
        """The cache key's configuration: every field; ``skips`` only when
        True, ``target`` only when not ``"clean"`` and ``model`` only when
        not ``"autoencoder"``, so the post's models keep the keys they had
        before those fields existed."""
        fields = dataclasses.asdict(self)
        if not self.skips:
            del fields["skips"]
        if self.target == "clean":
            del fields["target"]
        if self.model == "autoencoder":
            del fields["model"]
        return fields

    def data(self) -> tuple[Pairs, Pairs]:
        """The ``(train, validation)`` pairs, each ``(n, length)``.

        The signals depend only on ``n_samples``, ``length`` and ``seed``:
        every run of a sweep sees the same base signals and noise draw.
        """
        signals = two_tone_dataset(
            self.n_samples, self.length, seed=self.seed
        )
        return split(signals.at(self.alpha), self.train_fraction)

    def build(self) -> ConvAutoencoder | DilatedDenoiser:
        """The untrained network, initialised from the seed."""
        torch.manual_seed(self.seed)
        if self.model == "dncnn":
            return DilatedDenoiser(
                self.depth, self.channels, kernel_size=self.kernel_size
            )
        return ConvAutoencoder(
            self.depth,
            channels=self.channels,
            kernel_size=self.kernel_size,
            activation=self.activation,
            norm=self.norm,
            skips=self.skips,
        )


def _plain(given: Any, checked: float) -> int | float:
    """``given`` itself when it is a Python int or float (a key keeps its
    JSON: ``1`` stays ``1``), else the checked float (a NumPy number)."""
    return given if type(given) in (int, float) else checked


DEFAULTS: dict[str, Any] = {
    f.name: f.default
    for f in dataclasses.fields(AutoencoderConfig)
    if f.name not in IDENTITY
}
"""The book's settings of every model, read from :class:`AutoencoderConfig`."""

SMOKE: dict[str, Any] = {"n_samples": 64, "epochs": 2, "snapshot_every": 1}
"""The smoke profile's overrides of :data:`DEFAULTS`. Every chapter that trains
Part II's models uses ``run.size(full={}, smoke=SMOKE)``, so that they all
build the same configurations and share the saved runs."""


def autoencoder_config(
    depth: int, alpha: float, *, seed: int, **overrides: Any
) -> AutoencoderConfig:
    """The configuration of one run: :data:`DEFAULTS`, then ``overrides``.

    Raises:
        ValueError: an override that is not a known setting, or a bad depth/alpha.
    """
    named = {"skips", "target", "model"}
    unknown = sorted(set(overrides) - set(DEFAULTS) - named)
    if unknown:
        raise ValueError(
            f"unknown setting(s) {', '.join(unknown)}; "
            f"expected some of {', '.join(DEFAULTS)}, skips, target or model"
        )
    return AutoencoderConfig(depth, alpha, seed, **overrides)


def sweep_configs(
    depths: Iterable[int],
    alphas: Iterable[float],
    *,
    seed: int,
    **overrides: Any,
) -> list[AutoencoderConfig]:
    """Every ``(depth, alpha)`` pair's configuration, noise level by noise level.

    ``depths`` and ``alphas`` may be any iterables (generators included).
    """
    depths, alphas = list(depths), list(alphas)
    return [
        autoencoder_config(d, a, seed=seed, **overrides)
        for a in alphas
        for d in depths
    ]
