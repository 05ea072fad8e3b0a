"""The 2018 post's three models and how it trained them, defined once.

Part I trains the same models in several chapters (a chapter of its own,
then a comparison, then an animation). :func:`post_recipe` gives each model's
settings, and :func:`train_post_model` trains one through
:func:`tutorial_lib.experiments.cached`, so a later chapter asking for the
same recipe, data and seed gets the earlier chapter's run back instead of
training it again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tutorial_lib.data import Pairs, sine_dataset, split
from tutorial_lib.experiments import cached
from tutorial_lib.models import SequenceDenoiser
from tutorial_lib.runtime import seed_everything
from tutorial_lib.training import FitConfig, evaluate, fit, predict

# Every model: hidden size 30, full batch, Adam lr 1e-2, L1. The bidirectional
# ones carry the post's dropout=0.1, which a one-layer RNN ignores.
POST_MODELS = {
    "rnn": (dict(cell="rnn", hidden_size=30, bidirectional=False), 301),
    "birnn": (dict(cell="rnn", hidden_size=30, bidirectional=True, dropout=0.1), 301),
    "bigru": (dict(cell="gru", hidden_size=30, bidirectional=True, dropout=0.1), 201),
}
POST_TEST_L1 = {"rnn": 0.0611, "birnn": 0.0507, "bigru": 0.0362}
"""The test L1 the post reports for each model (rounded)."""


@dataclass(frozen=True)
class Recipe:
    """One model of the post: ``SequenceDenoiser(**model)`` trained with ``fit``."""

    name: str
    model: dict
    fit: FitConfig

    def build(self) -> SequenceDenoiser:
        return SequenceDenoiser(**self.model)


def post_recipe(name: str, *, epochs: int | None = None) -> Recipe:
    """The post's settings for ``"rnn"``, ``"birnn"`` or ``"bigru"``.

    ``epochs`` overrides the post's iteration count (301, 301, 201), for the
    smoke profile. Snapshots of the probe batch are taken every 4 iterations,
    the animation's frame step.
    """
    if name not in POST_MODELS:
        raise ValueError(f"unknown recipe {name!r}; expected one of {', '.join(POST_MODELS)}")
    model, post_epochs = POST_MODELS[name]
    config = FitConfig(epochs=post_epochs if epochs is None else epochs, lr=1e-2, batch_size=None,
                       loss="l1", eval_every=10, snapshot_every=4)
    return Recipe(name=name, model=dict(model), fit=config)


def post_data(n_sequences: int, seed: int) -> tuple[Pairs, Pairs]:
    """The post's data: ``n_sequences`` noisy sines of length 100, first 80 % to train."""
    return split(sine_dataset(n_sequences, 100, seed=seed), n_train=int(0.8 * n_sequences))


def train_post_model(recipe: Recipe, n_sequences: int, seed: int, *, directory: Path, device=None) -> dict:
    """Train ``recipe`` on :func:`post_data` (or load the saved run).

    The model is initialised from ``seed`` inside the computation, so the
    result depends only on the configuration, not on what ran before.

    Returns:
        dict with ``state_dict``, ``history`` (:class:`~tutorial_lib.training.History`,
        snapshots of training sequence 0), ``test_pred`` ``(n_test, 100)``
        float32, ``test_l1`` and ``seconds`` (training time).
    """
    fit_settings = {k: v for k, v in dataclasses.asdict(recipe.fit).items() if k != "progress"}
    config = {"n_sequences": n_sequences, "seed": seed, "probe": "train[:1]",
              "model": recipe.model, "fit": fit_settings}

    def compute() -> dict:
        train, test = post_data(n_sequences, seed)
        seed_everything(seed)
        model = recipe.build()
        history = fit(model, train.noisy, train.clean, recipe.fit, eval_data=(test.noisy, test.clean),
                      probe=train.noisy[:1], device=device)
        model.cpu()
        return {
            "state_dict": model.state_dict(),
            "history": history,
            "test_pred": predict(model, test.noisy).astype(np.float32),
            "test_l1": evaluate(model, test.noisy, test.clean),
            "seconds": history.seconds,
        }

    return cached(f"part1-{recipe.name}", config, compute, directory=directory)
