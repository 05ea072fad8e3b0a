"""Part II's experiments: the 2024 post's autoencoders trained, scored, and
trained through the disk cache.

Each run is one :class:`~tutorial_lib.autoencoder_config.AutoencoderConfig`
(its configuration, defaults and smoke sizes are re-exported here, so a
chapter needs only this module). Chapters that want the same model build
the same configuration with :func:`autoencoder_config`, and :func:`train`
serves them the saved run instead of training again; :func:`train_grid`
trains the missing runs of a sweep, those of one shape as one stacked model.
"""

from __future__ import annotations

__all__ = [
    "DEFAULTS",
    "SMOKE",
    "AutoencoderConfig",
    "autoencoder_config",
    "sweep_configs",
    "noisy_mse",
    "test_pairs",
    "test_mse",
    "fit_config",
    "training_target",
    "fit_autoencoder",
    "fit_autoencoders",
    "fit_blind_spot_autoencoder",
    "stack_group",
    "train",
    "train_grid",
]

import functools
import json
import time
from typing import Any, Iterable, Mapping

import numpy as np

from tutorial_lib.autoencoder_config import (
    DEFAULTS,
    NAME,
    SMOKE,
    AutoencoderConfig,
    autoencoder_config,
    sweep_configs,
)
from tutorial_lib.blind_spot import fit_blind_spot
from tutorial_lib.bookkeeping.cache import run_stacks
from tutorial_lib.bookkeeping.run import Run
from tutorial_lib.checks import (
    positive_int,
)
from tutorial_lib.data import Pairs, mix_noise, two_tone_dataset
from tutorial_lib.evaluation import predict
from tutorial_lib.models import count_parameters
from tutorial_lib.stacked import fit_stacked
from tutorial_lib.training import FitConfig, fit


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
    """What the model learns to output for ``pairs.noisy`` ``(n, length)``:
    the clean signals (the post); for ``target="noisy"`` the noisy ones
    themselves; for ``"noisy copy"`` the clean ones mixed at
    ``config.alpha`` with a second noise draw, independent of the input's
    (from the seed sequence ``[config.seed, 1]``)."""
    if config.target == "clean":
        return pairs.clean
    if config.target == "noisy":
        return pairs.noisy
    rng = np.random.default_rng([config.seed, 1])
    eps = rng.standard_normal(pairs.clean.shape).astype(np.float32)
    return mix_noise(pairs.clean, eps, config.alpha)


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


def fit_blind_spot_autoencoder(
    config: AutoencoderConfig, *, spacing: int = 4
) -> dict[str, Any]:
    """Train ``config``'s model on its noisy training signals alone, with
    the blind-spot loss (:func:`tutorial_lib.blind_spot.fit_blind_spot`,
    hiding every ``spacing``-th sample) and Part II's other settings.

    Returns:
        ``history``, ``val_mse`` (its blind-spot output for the validation
        signals against the clean ones), ``parameters`` and the CPU
        ``state_dict``.
    """
    train_pairs, val = config.data()
    model = config.build()
    history = fit_blind_spot(
        model,
        train_pairs.noisy,
        fit_config(config),
        spacing=spacing,
        eval_data=(val.noisy, val.clean),
    )
    return {
        "history": history,
        "val_mse": history.final_eval,
        "parameters": count_parameters(model),
        "state_dict": {
            k: v.detach().cpu() for k, v in model.state_dict().items()
        },
    }


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
    (:func:`fit_autoencoders`, :func:`tutorial_lib.bookkeeping.cache.run_stacks`)."""
    keys = [c.key() for c in configs]
    compute = functools.partial(_fit_from_keys, device=run.device)
    started = time.perf_counter()
    results = run_stacks(
        NAME,
        keys,
        compute,
        group=stack_group,
        directory=run.artifacts,
        processes=run.processes,
        published=run.published,
    )
    run.used_runs(results, time.perf_counter() - started)
    return results
