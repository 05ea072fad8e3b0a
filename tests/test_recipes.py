import pytest
import torch

from tutorial_lib import recipes
from tutorial_lib.models import SequenceDenoiser
from tutorial_lib.training import fit


def test_post_settings():
    rnn, birnn, bigru = (recipes.post_recipe(n) for n in ("rnn", "birnn", "bigru"))
    assert (rnn.fit.epochs, birnn.fit.epochs, bigru.fit.epochs) == (301, 301, 201)
    for r in (rnn, birnn, bigru):
        assert r.fit.lr == 1e-2 and r.fit.batch_size is None and r.fit.loss == "l1"
        assert r.model["hidden_size"] == 30
    assert not rnn.model["bidirectional"] and birnn.model["bidirectional"]
    assert bigru.model["cell"] == "gru"
    assert recipes.post_recipe("bigru", epochs=3).fit.epochs == 3


def test_build_makes_the_model():
    with pytest.warns(UserWarning, match="dropout"):
        model = recipes.post_recipe("birnn").build()
    assert isinstance(model, SequenceDenoiser)
    assert model.head.in_features == 60


def test_unknown_recipe():
    with pytest.raises(ValueError, match="rnn, birnn, bigru"):
        recipes.post_recipe("lstm")


def test_post_data_split():
    train, test = recipes.post_data(50, seed=0)
    assert (len(train), len(test)) == (40, 10)
    assert train.noisy.shape == (40, 100)


def test_training_is_cached(tmp_path, capsys):
    recipe = recipes.post_recipe("rnn", epochs=2)
    first = recipes.train_post_model(recipe, 20, 0, directory=tmp_path)
    assert first["test_pred"].shape == (4, 100)
    assert first["history"].snapshots.shape == (2, 1, 100)  # untrained + after the last epoch
    again = recipes.train_post_model(recipe, 20, 0, directory=tmp_path)
    assert "reusing" in capsys.readouterr().out
    assert again["test_l1"] == first["test_l1"]
    other = recipes.train_post_model(recipe, 20, 1, directory=tmp_path)
    assert other["test_l1"] != first["test_l1"]


def interrupt_adam_at(monkeypatch, step):
    """Make ``torch.optim.Adam.step`` raise KeyboardInterrupt at call ``step``."""
    original, calls = torch.optim.Adam.step, []

    def step_or_interrupt(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == step:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", step_or_interrupt)
    return calls


def test_an_interrupted_training_is_not_saved_and_trains_afresh(tmp_path, monkeypatch):
    recipe = recipes.post_recipe("rnn", epochs=10)  # full batch: one step an epoch
    calls = interrupt_adam_at(monkeypatch, 6)
    with pytest.raises(KeyboardInterrupt, match="interrupted after 5 of 10 epochs"):
        recipes.train_post_model(recipe, 20, 0, directory=tmp_path)
    assert len(calls) == 6 and not list(tmp_path.glob("*.pt"))
    monkeypatch.undo()
    result = recipes.train_post_model(recipe, 20, 0, directory=tmp_path)
    assert not result["history"].interrupted
    assert len(result["history"].epoch_loss) == 10


def test_fit_outside_the_cache_still_returns_the_partial_history(monkeypatch):
    recipe = recipes.post_recipe("rnn", epochs=10)
    train, _ = recipes.post_data(20, seed=0)
    interrupt_adam_at(monkeypatch, 6)
    history = fit(recipe.build(), train.noisy, train.clean, recipe.fit)
    assert history.interrupted and len(history.epoch_loss) == 5
