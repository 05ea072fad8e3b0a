import pytest

from tutorial_lib import recipes
from tutorial_lib.models import SequenceDenoiser


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
