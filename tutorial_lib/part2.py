"""Part II's experiments: the 2024 post's autoencoders, one frozen configuration
a trained model, and the training of one through the disk cache.

An :class:`AutoencoderConfig` holds everything that decides a run's result
(data size and seed, noise level, architecture, optimiser settings, and a
``version``), so it keys the saved runs (:mod:`tutorial_lib.cache`). Chapters
that want the same model build the same configuration with
:func:`autoencoder_config` and :func:`train` serves them the saved run instead
of training again. Its defaults are the book's own choices for what the post
never states (:data:`DEFAULTS`); :data:`SMOKE` shrinks them for the smoke profile.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np
import torch

from tutorial_lib.cache import run_stacks
from tutorial_lib.checks import (
    finite_number,
    integer,
    non_negative_int,
    positive_int,
)
from tutorial_lib.data import Pairs, split, two_tone_dataset
from tutorial_lib.evaluation import predict
from tutorial_lib.models import ConvAutoencoder, count_parameters
from tutorial_lib.runtime import Run
from tutorial_lib.stacked import fit_stacked
from tutorial_lib.training import FitConfig, fit

VERSION = 1
"""Bump when :func:`fit_autoencoder` changes what it computes for the same
configuration: the saved runs of the old version are then never served."""
NAME = "part2-ae"
"""The saved runs' file-name prefix."""
IDENTITY = ("depth", "alpha", "seed", "skips", "target", "version")
"""The fields that name a run rather than set it (not in :data:`DEFAULTS`)."""
TARGETS = ("clean", "noisy")
"""What a model can be trained to output: the clean signal (the post's
supervised training) or its own noisy input (self-supervised)."""


@dataclass(frozen=True)
class AutoencoderConfig:
    """One autoencoder of Part II: its data, architecture and training.

    Frozen: make variants with ``dataclasses.replace(config, lr=3e-3)``.
    ``skips=True`` (not the post's) gives the U-Net twin of the same model.
    ``target`` is what training asks the model to output for a noisy input:
    ``"clean"`` (the post's noisy -> clean pairs) or ``"noisy"`` (the input
    itself, so the model never sees a clean signal). Either way the model
    is evaluated against the clean signal.
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
                f"target must be 'clean' (train on noisy -> clean pairs) or "
                f"'noisy' (train to reproduce the noisy input), "
                f"got {self.target!r}"
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
        True and ``target`` only when not ``"clean"``, so the post's models
        keep the keys they had before those fields existed."""
        fields = dataclasses.asdict(self)
        if not self.skips:
            del fields["skips"]
        if self.target == "clean":
            del fields["target"]
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

    def build(self) -> ConvAutoencoder:
        """The untrained autoencoder, initialised from the seed."""
        torch.manual_seed(self.seed)
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
    unknown = sorted(set(overrides) - set(DEFAULTS) - {"skips", "target"})
    if unknown:
        raise ValueError(
            f"unknown setting(s) {', '.join(unknown)}; "
            f"expected some of {', '.join(DEFAULTS)}, skips or target"
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


def noisy_mse(pairs: Pairs) -> float:
    """MSE of the noisy input itself against the clean signal: the bar a
    denoiser must clear."""
    return float(
        np.mean((pairs.noisy.astype(np.float64) - pairs.clean) ** 2)
    )


TEST_SEED_OFFSET = 1000
"""The held-out test signals are drawn with seed ``config.seed + 1000``."""


def test_pairs(config: AutoencoderConfig, n: int | None = None) -> Pairs:
    """Held-out test signals, never used to train or to choose a setting.

    ``n`` (default: as many as the validation split) new two-tone signals of
    ``config.length`` samples, with their own noise draw, from seed
    ``config.seed + TEST_SEED_OFFSET``, at the configuration's noise level.

    Returns:
        :class:`~tutorial_lib.data.Pairs`, each array ``(n, length)``.
    """
    if n is None:
        n = config.n_samples - round(
            config.n_samples * config.train_fraction
        )
    n = positive_int("n", n)
    signals = two_tone_dataset(
        n, config.length, seed=config.seed + TEST_SEED_OFFSET
    )
    return signals.at(config.alpha)


def test_mse(
    config: AutoencoderConfig, result: Mapping[str, Any], test: Pairs
) -> float:
    """MSE against the clean signal of ``config``'s trained model (its
    ``result["state_dict"]``, from :func:`train`) on ``test``, on the CPU."""
    model = config.build()
    model.load_state_dict(result["state_dict"])
    out = predict(model, test.noisy)
    return float(np.mean((out.astype(np.float64) - test.clean) ** 2))


def fit_config(
    config: AutoencoderConfig, progress: bool = False
) -> FitConfig:
    """How ``config``'s model is trained: Adam at ``config.lr`` on the MSE,
    mini-batches of ``config.batch_size`` in an order drawn from its seed."""
    return FitConfig(
        epochs=config.epochs,
        lr=config.lr,
        batch_size=config.batch_size,
        loss="mse",
        snapshot_every=config.snapshot_every,
        seed=config.seed,
        progress=progress,
    )


def training_target(config: AutoencoderConfig, pairs: Pairs) -> np.ndarray:
    """What the model learns to output for ``pairs.noisy``: the clean
    signals (the post) or, for ``target="noisy"``, the noisy ones themselves."""
    return pairs.clean if config.target == "clean" else pairs.noisy


def fit_autoencoder(
    config: AutoencoderConfig, *, device=None, progress: bool = False
) -> dict[str, Any]:
    """Train one configuration, without the cache (:func:`train` caches it).

    The model learns to map the noisy training signals to
    ``config.target``: the clean ones (the post's training) or the noisy
    ones themselves. Its evaluation is against the clean validation signal
    either way.

    Returns:
        ``history`` (:class:`~tutorial_lib.training.History`: its training
        loss is against the training target, its evaluation loss against the
        clean validation signal; snapshots of the first validation sequence
        ``(snapshots, 1, length)``), ``val_mse`` (MSE against the clean
        validation signal), ``noisy_mse``, ``val_pred`` (first ``keep``
        validation outputs, ``(keep, length)``), ``parameters`` and the CPU
        ``state_dict``; for target ``"noisy"`` also ``val_mse_vs_noisy``,
        the MSE against the noisy validation input it was trained to
        reproduce.

    Raises:
        KeyboardInterrupt: training was interrupted (Ctrl-C).
    """
    train_pairs, val = config.data()
    model = config.build()
    history = fit(
        model,
        train_pairs.noisy,
        training_target(config, train_pairs),
        fit_config(config, progress),
        eval_data=(val.noisy, val.clean),
        probe=val.noisy[:1],
        device=device,
    )
    return _result(config, model, history, val)


def fit_autoencoders(
    configs: list[AutoencoderConfig], *, device=None
) -> list[dict[str, Any]]:
    """Train configurations of one shape as one stacked model
    (:func:`tutorial_lib.stacked.fit_stacked`); each result is what
    :func:`fit_autoencoder` returns for it alone, to float rounding.

    ``configs`` must share :func:`stack_group` (batch-norm models, which
    cannot be stacked, are trained one at a time).
    """
    if len(configs) == 1 or configs[0].norm is not None:
        return [fit_autoencoder(c, device=device) for c in configs]
    data = [c.data() for c in configs]
    models = [c.build() for c in configs]
    histories = fit_stacked(
        models,
        [train.noisy for train, _ in data],
        [training_target(c, train) for c, (train, _) in zip(configs, data)],
        [fit_config(c) for c in configs],
        eval_data=([v.noisy for _, v in data], [v.clean for _, v in data]),
        probe=[v.noisy[:1] for _, v in data],
        device=device,
    )
    return [
        _result(c, m, h, val)
        for c, m, h, (_, val) in zip(configs, models, histories, data)
    ]


def _result(
    config: AutoencoderConfig, model, history, val: Pairs
) -> dict[str, Any]:
    """What a trained run keeps (see :func:`fit_autoencoder`)."""
    history.raise_if_interrupted(
        f"depth {config.depth}, alpha {config.alpha}", config.epochs
    )
    keep = min(config.keep, len(val))
    result = {
        "history": history,
        "val_mse": history.final_eval,
        "noisy_mse": noisy_mse(val),
        "val_pred": predict(model, val.noisy[:keep]),
        "parameters": count_parameters(model),
        "state_dict": {
            k: v.detach().cpu() for k, v in model.state_dict().items()
        },
    }
    if config.target == "noisy":
        out = predict(model, val.noisy).astype(np.float64)
        result["val_mse_vs_noisy"] = float(np.mean((out - val.noisy) ** 2))
    return result


def stack_group(key: Mapping[str, Any]) -> str:
    """Runs that can train as one stack: equal in every setting but the
    seed, the noise level and the target (:meth:`AutoencoderConfig.key`)."""
    shared = {
        k: v for k, v in key.items() if k not in ("seed", "alpha", "target")
    }
    return json.dumps(shared, sort_keys=True)


def _fit_from_keys(
    keys: list[Mapping[str, Any]], *, device=None
) -> list[dict[str, Any]]:
    configs = [AutoencoderConfig(**key) for key in keys]
    return fit_autoencoders(configs, device=device)


def train(config: AutoencoderConfig, run: Run) -> dict[str, Any]:
    """:func:`fit_autoencoder` on ``run.device``, or its saved run in
    ``run.artifacts`` (:func:`train_grid` of one)."""
    return train_grid([config], run)[0]


def train_grid(
    configs: Iterable[AutoencoderConfig], run: Run
) -> list[dict[str, Any]]:
    """:func:`train` for every configuration: the saved runs are loaded
    and the missing ones trained, those of one shape as one stacked model
    (:func:`fit_autoencoders`, :func:`tutorial_lib.cache.run_stacks`)."""
    keys = [c.key() for c in configs]
    compute = functools.partial(_fit_from_keys, device=run.device)
    return run_stacks(
        NAME,
        keys,
        compute,
        group=stack_group,
        directory=run.artifacts,
        processes=run.processes,
        published=run.published,
    )
