"""Part I's experiments: the 2018 post's three models and how it trained
them, defined once.

Part I trains the same models in several chapters (a chapter of its own, then
a comparison, then an animation). :func:`post_config` gives a model's frozen
:class:`PostRNNConfig` (model, training, data and a ``version``), and
:func:`train` trains one through the disk cache (:mod:`tutorial_lib.bookkeeping.cache`),
so a later chapter asking for the same configuration gets the earlier
chapter's run back instead of training it again.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
import warnings
from dataclasses import dataclass
from typing import Any, Hashable, Iterable, Mapping

import numpy as np

from tutorial_lib.bookkeeping.cache import fit_settings, run_jobs
from tutorial_lib.bookkeeping.run import Run
from tutorial_lib.checks import non_negative_int, positive_int
from tutorial_lib.data import Pairs, sine_dataset, split
from tutorial_lib.evaluation import evaluate, predict
from tutorial_lib.models import SequenceDenoiser
from tutorial_lib.runtime import BOOK_SEED, seed_everything
from tutorial_lib.training import FitConfig, fit

DROPOUT_WARNING = (
    "dropout option adds dropout after all but last recurrent layer"
)
"""The start of PyTorch's warning about ``dropout`` on a one-layer RNN."""

VERSION = 1
"""Bump when :func:`fit_post_model` changes what it computes for the same
configuration: the saved runs of the old version are then never served."""

# Every model: hidden size 30, full batch, Adam lr 1e-2, L1. The bidirectional
# ones carry the post's dropout=0.1, which a one-layer RNN ignores.
POST_MODELS = {
    "rnn": (dict(cell="rnn", hidden_size=30, bidirectional=False), 301),
    "birnn": (
        dict(cell="rnn", hidden_size=30, bidirectional=True, dropout=0.1),
        301,
    ),
    "bigru": (
        dict(cell="gru", hidden_size=30, bidirectional=True, dropout=0.1),
        201,
    ),
}
POST_TEST_L1 = {"rnn": 0.0611, "birnn": 0.0507, "bigru": 0.0362}
"""The test L1 the post reports for each model (rounded)."""


@dataclass(frozen=True)
class PostRNNConfig:
    """One run of the post: ``SequenceDenoiser(**model)`` trained with ``fit``
    on ``n_sequences`` noisy sines drawn from ``seed`` (:func:`post_data`)."""

    name: str
    model: dict
    fit: FitConfig
    n_sequences: int = 10_000
    seed: int = BOOK_SEED
    version: int = VERSION

    def __post_init__(self) -> None:
        """Check every field, naming it; NumPy numbers (here and in ``fit``
        and ``model``) become Python's, so that the cache key is JSON."""
        n_sequences = _n_sequences("n_sequences", self.n_sequences)
        object.__setattr__(self, "n_sequences", n_sequences)
        object.__setattr__(
            self, "seed", non_negative_int("seed", self.seed)
        )
        object.__setattr__(
            self, "version", positive_int("version", self.version)
        )
        if not isinstance(self.fit, FitConfig):
            raise ValueError(
                "fit must be a tutorial_lib.training.FitConfig, "
                f"got {type(self.fit).__name__} {self.fit!r}"
            )
        numpy = {
            f.name: _plain(getattr(self.fit, f.name))
            for f in dataclasses.fields(self.fit)
            if isinstance(getattr(self.fit, f.name), np.generic)
        }
        if numpy:
            object.__setattr__(
                self, "fit", dataclasses.replace(self.fit, **numpy)
            )
        if not isinstance(self.model, dict):
            raise ValueError(
                "model must be a dict of SequenceDenoiser's arguments, "
                f"got {type(self.model).__name__} {self.model!r}"
            )
        model = {k: _plain(v) for k, v in self.model.items()}
        try:
            json.dumps(model)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"model must hold JSON settings (names mapped to numbers, "
                f"strings, booleans), got {self.model!r} ({err})"
            ) from err
        object.__setattr__(self, "model", model)

    def build(self, *, quiet: bool = False) -> SequenceDenoiser:
        """The untrained model (initialised from torch's current seed).

        The post's ``dropout=0.1`` on a one-layer RNN makes PyTorch warn that
        it does nothing; Part I's chapter 3 shows that warning. ``quiet=True``
        builds the same model without repeating it.
        """
        with warnings.catch_warnings():
            if quiet:
                warnings.filterwarnings(
                    "ignore", message=DROPOUT_WARNING, category=UserWarning
                )
            return SequenceDenoiser(**self.model)

    def data(self) -> tuple[Pairs, Pairs]:
        """The ``(train, test)`` pairs, each ``(n, 100)``."""
        return post_data(self.n_sequences, self.seed)

    def key(self) -> dict[str, Any]:
        """The cache key's configuration (the name is in the file's name)."""
        return {
            "n_sequences": self.n_sequences,
            "seed": self.seed,
            "probe": "train[:1]",
            "model": self.model,
            "fit": fit_settings(self.fit),
            "version": self.version,
        }


def _plain(value: Any) -> Any:
    """A NumPy number as Python's (``np.int64(3)`` -> ``3``); else ``value``."""
    return value.item() if isinstance(value, np.generic) else value


def _n_sequences(name: str, value: Any) -> int:
    """``value`` as an int, if it is an integer >= 2: :func:`post_data`
    keeps 80 % to train and the rest to test, one of each at least."""
    count = positive_int(name, value)
    if count < 2:
        raise ValueError(
            f"{name} must be at least 2 (80 % of them train, the rest test), "
            f"got {value!r}"
        )
    return count


def post_config(
    name: str,
    *,
    n_sequences: int = 10_000,
    seed: int = BOOK_SEED,
    epochs: int | None = None,
) -> PostRNNConfig:
    """The post's settings for ``"rnn"``, ``"birnn"`` or ``"bigru"``.

    ``epochs`` overrides the post's iteration count (301, 301, 201), for the
    smoke profile. Snapshots of the probe batch are taken every 4 iterations,
    the animation's frame step.
    """
    if name not in POST_MODELS:
        raise ValueError(
            f"unknown model name {name!r}; expected one of "
            f"{', '.join(POST_MODELS)}"
        )
    model, post_epochs = POST_MODELS[name]
    fit_config = FitConfig(
        epochs=post_epochs if epochs is None else epochs,
        lr=1e-2,
        batch_size=None,
        loss="l1",
        eval_every=10,
        snapshot_every=4,
    )
    return PostRNNConfig(
        name=name,
        model=dict(model),
        fit=fit_config,
        n_sequences=n_sequences,
        seed=seed,
    )


def post_data(n_sequences: int, seed: int) -> tuple[Pairs, Pairs]:
    """The post's data: ``n_sequences`` noisy sines of length 100, first 80 %
    to train.

    Raises:
        ValueError: ``n_sequences`` is not an integer >= 2 or ``seed`` not
            one >= 0, naming it.
    """
    n_sequences = _n_sequences("n_sequences", n_sequences)
    seed = non_negative_int("seed", seed)
    return split(
        sine_dataset(n_sequences, 100, seed=seed),
        n_train=int(0.8 * n_sequences),
    )


def fit_post_model(config: PostRNNConfig, *, device=None) -> dict[str, Any]:
    """Train ``config`` on its data, without the cache (:func:`train` caches it).

    The model is initialised from the seed here, so the result depends only
    on the configuration, not on what ran before.

    Returns:
        dict with ``state_dict``, ``history`` (:class:`~tutorial_lib.training.History`,
        snapshots of training sequence 0, ``(snapshots, 1, 100)``),
        ``test_pred`` ``(n_test, 100)`` float32, ``test_l1`` and ``seconds``
        (training time).

    Raises:
        KeyboardInterrupt: training was interrupted (Ctrl-C); nothing is saved.
    """
    train_pairs, test = config.data()
    seed_everything(config.seed)
    model = config.build(quiet=True)
    history = fit(
        model,
        train_pairs.noisy,
        train_pairs.clean,
        config.fit,
        eval_data=(test.noisy, test.clean),
        probe=train_pairs.noisy[:1],
        device=device,
    )
    history.raise_if_interrupted(f"part1-{config.name}", config.fit.epochs)
    model.cpu()
    return {
        "state_dict": model.state_dict(),
        "history": history,
        "test_pred": predict(model, test.noisy).astype(np.float32),
        "test_l1": evaluate(model, test.noisy, test.clean),
        "seconds": history.seconds,
    }


def train(config: PostRNNConfig, run: Run) -> dict[str, Any]:
    """:func:`fit_post_model` on ``run.device``, or its saved run in
    ``run.artifacts`` (file ``part1-<name>-<key>.pt``): :func:`train_all` of one."""
    return train_all({config.name: config}, run)[config.name]


def train_all(
    configs: Mapping[Hashable, PostRNNConfig], run: Run
) -> dict[Hashable, dict[str, Any]]:
    """:func:`train` for every configuration: ``{key: result}``. The missing
    runs train here, one per CPU core at a time at full size
    (:func:`tutorial_lib.bookkeeping.cache.run_jobs`), the longest first,
    so that no core is left idle while the last long run finishes."""
    order = list(configs)
    if run.processes > 1:
        order.sort(key=lambda k: -training_work(configs[k]))
    jobs = [
        (
            f"part1-{config.name}",
            config.key(),
            functools.partial(fit_post_model, config, device=run.device),
        )
        for config in (configs[k] for k in order)
    ]
    started = time.perf_counter()
    results = run_jobs(
        jobs,
        directory=run.artifacts,
        processes=run.processes,
        published=run.published,
    )
    run.used_runs(results, time.perf_counter() - started)
    found = dict(zip(order, results))
    return {k: found[k] for k in configs}


GATES = {"rnn": 1, "gru": 3, "lstm": 4}
"""Matrix products a recurrent cell does per step, per direction."""


def training_work(config: PostRNNConfig) -> int:
    """A rough measure of how long ``config`` trains, to order runs by:
    epochs x sequences x directions x gates (measured at full size on a
    2-core CPU: RNN 5, bidirectional RNN 10, bidirectional GRU 15 minutes
    of one core; this measure orders them alike)."""
    model = config.model
    directions = 2 if model.get("bidirectional") else 1
    gates = GATES[model.get("cell", "rnn")]
    return config.fit.epochs * config.n_sequences * directions * gates


def train_seeds(
    names: Iterable[str],
    seeds: Iterable[int],
    run: Run,
    *,
    n_sequences: int = 10_000,
    epochs: int | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Each of the post's models in ``names`` trained from each of ``seeds``
    (a seed draws the data and the starting weights), through
    :func:`train_all`: ``{name: [result at each seed]}``.

    One run is one draw; a chapter that ranks the models compares them over
    these (:func:`tutorial_lib.bookkeeping.verdicts.below`). The book seed's
    runs are the ones its chapters train, so they are reused.
    """
    names, seeds = list(names), list(seeds)
    configs = {
        (name, seed): post_config(
            name, n_sequences=n_sequences, seed=seed, epochs=epochs
        )
        for name in names
        for seed in seeds
    }
    results = train_all(configs, run)
    return {name: [results[name, seed] for seed in seeds] for name in names}


def trained_model(name: str, result: Mapping[str, Any]) -> SequenceDenoiser:
    """The post's model ``name`` with the weights of ``result`` (what
    :func:`train` returns), on the CPU, ready to ``predict`` or
    ``evaluate`` on other data."""
    model = post_config(name).build(quiet=True)
    model.load_state_dict(result["state_dict"])
    return model
