import dataclasses
import json
import multiprocessing

import numpy as np
import pytest
import torch

from tutorial_lib import part1
from tutorial_lib.bookkeeping import folders, saved_runs
from tutorial_lib.bookkeeping.run import start
from tutorial_lib.evaluation import evaluate
from tutorial_lib.models import SequenceDenoiser
from tutorial_lib.training import fit


def test_post_settings():
    rnn, birnn, bigru = (
        part1.post_config(n) for n in ("rnn", "birnn", "bigru")
    )
    assert (rnn.fit.epochs, birnn.fit.epochs, bigru.fit.epochs) == (
        301,
        301,
        201,
    )
    for r in (rnn, birnn, bigru):
        assert (
            r.fit.lr == 1e-2
            and r.fit.batch_size is None
            and r.fit.loss == "l1"
        )
        assert r.model["hidden_size"] == 30
    assert not rnn.model["bidirectional"] and birnn.model["bidirectional"]
    assert bigru.model["cell"] == "gru"
    assert part1.post_config("bigru", epochs=3).fit.epochs == 3


def test_build_makes_the_model():
    with pytest.warns(UserWarning, match="dropout"):
        model = part1.post_config("birnn").build()
    assert isinstance(model, SequenceDenoiser)
    assert model.head.in_features == 60


def test_unknown_model_name():
    with pytest.raises(
        ValueError, match="'lstm'; expected one of rnn, birnn, bigru"
    ):
        part1.post_config("lstm")


def test_post_data_split():
    train, test = part1.post_data(50, seed=0)
    assert (len(train), len(test)) == (40, 10)
    assert train.noisy.shape == (40, 100)


def smoke_run(tmp_path, monkeypatch):
    monkeypatch.setenv(folders.ARTIFACTS_ENV_VAR, str(tmp_path))
    return start(profile="smoke", device="cpu")


def test_training_is_cached(tmp_path, monkeypatch, capsys):
    run = smoke_run(tmp_path, monkeypatch)
    config = part1.post_config("rnn", n_sequences=20, seed=0, epochs=2)
    first = part1.train(config, run)
    assert first["test_pred"].shape == (4, 100)
    # untrained, then after the last epoch
    assert first["history"].snapshots.shape == (2, 1, 100)
    again = part1.train(config, run)
    assert "reusing" in capsys.readouterr().out
    assert again["test_l1"] == first["test_l1"]
    other = part1.train(
        part1.post_config("rnn", n_sequences=20, seed=1, epochs=2), run
    )
    assert other["test_l1"] != first["test_l1"]
    assert len(list(run.artifacts.glob("part1-rnn-*.pt"))) == 2


def test_train_all_trains_here_in_order_and_matches_one_by_one(
    tmp_path, monkeypatch, capsys
):
    run = smoke_run(tmp_path, monkeypatch)
    configs = {
        key: part1.post_config(key, n_sequences=20, seed=0, epochs=2)
        for key in ("rnn", "bigru")
    }
    together = part1.train_all(configs, run)
    assert list(together) == ["rnn", "bigru"]
    out = capsys.readouterr().out
    assert out.index("part1-rnn") < out.index("part1-bigru")
    assert "2 runs: 0 reused, 2 trained" in out
    assert not multiprocessing.active_children()  # no worker process
    for path in run.artifacts.glob("part1-*.pt"):
        path.unlink()
    alone = part1.train(configs["rnn"], run)
    assert alone["test_l1"] == together["rnn"]["test_l1"]
    assert torch.equal(
        alone["state_dict"]["head.weight"],
        together["rnn"]["state_dict"]["head.weight"],
    )


def test_with_workers_the_longest_runs_start_first_and_come_back_by_key(
    tmp_path, monkeypatch
):
    run = smoke_run(tmp_path, monkeypatch)
    monkeypatch.setattr(type(run), "processes", property(lambda self: 2))
    submitted = []

    def run_jobs(jobs, **kwargs):
        names = [name for name, _, _ in jobs]
        submitted.extend(names)
        return names

    monkeypatch.setattr(part1, "run_jobs", run_jobs)
    configs = {
        (name, seed): part1.post_config(name, n_sequences=20, seed=seed)
        for name in ("rnn", "birnn", "bigru")
        for seed in (0, 1)
    }
    found = part1.train_all(configs, run)
    # the post's bi-GRU trains longest, the RNN shortest
    assert submitted == [
        f"part1-{name}" for name in ("bigru", "birnn", "rnn") for _ in "ab"
    ]
    assert list(found) == list(configs)
    assert all(found[key] == f"part1-{key[0]}" for key in configs)


def test_train_seeds_reuses_the_book_seed_and_gives_each_seed_its_run(
    tmp_path, monkeypatch, capsys
):
    run = smoke_run(tmp_path, monkeypatch)
    book = part1.train(
        part1.post_config("rnn", n_sequences=20, seed=0, epochs=2), run
    )
    seeded = part1.train_seeds(
        ["rnn", "birnn"], [0, 1], run, n_sequences=20, epochs=2
    )
    assert "4 runs: 1 reused, 3 trained" in capsys.readouterr().out
    assert list(seeded) == ["rnn", "birnn"]
    assert [len(v) for v in seeded.values()] == [2, 2]
    assert seeded["rnn"][0]["test_l1"] == book["test_l1"]
    assert seeded["rnn"][1]["test_l1"] != book["test_l1"]
    assert len(list(run.artifacts.glob("part1-*.pt"))) == 4


def test_trained_model_carries_the_run_s_weights(tmp_path, monkeypatch):
    run = smoke_run(tmp_path, monkeypatch)
    config = part1.post_config("birnn", n_sequences=20, seed=0, epochs=2)
    result = part1.train(config, run)
    _, test = config.data()
    model = part1.trained_model("birnn", result)
    assert evaluate(model, test.noisy, test.clean) == pytest.approx(
        result["test_l1"], rel=1e-6
    )
    with pytest.raises(RuntimeError, match="size mismatch"):
        part1.trained_model("rnn", result)


def test_the_key_holds_what_decides_the_result():
    key = part1.post_config("bigru", n_sequences=50, seed=3).key()
    assert key["n_sequences"] == 50 and key["seed"] == 3
    assert key["version"] == part1.VERSION and key["fit"]["epochs"] == 201
    assert "progress" not in key["fit"]
    message = "n_sequences must be a positive integer, got 0"
    with pytest.raises(ValueError, match=message):
        part1.post_config("rnn", n_sequences=0)


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


def test_an_interrupted_training_is_not_saved_and_trains_afresh(
    tmp_path, monkeypatch
):
    run = smoke_run(tmp_path, monkeypatch)
    # full batch: one step an epoch
    config = part1.post_config("rnn", n_sequences=20, seed=0, epochs=10)
    calls = interrupt_adam_at(monkeypatch, 6)
    with pytest.raises(
        KeyboardInterrupt, match="interrupted after 5 of 10 epochs"
    ):
        part1.train(config, run)
    assert len(calls) == 6 and not list(tmp_path.rglob("*.pt"))
    monkeypatch.undo()
    monkeypatch.setenv(folders.ARTIFACTS_ENV_VAR, str(tmp_path))
    result = part1.train(config, run)
    assert not result["history"].interrupted
    assert len(result["history"].epoch_loss) == 10


def test_fit_outside_the_cache_still_returns_the_partial_history(
    monkeypatch,
):
    config = part1.post_config("rnn", n_sequences=20, epochs=10)
    train, _ = config.data()
    interrupt_adam_at(monkeypatch, 6)
    history = fit(config.build(), train.noisy, train.clean, config.fit)
    assert history.interrupted and len(history.epoch_loss) == 5


def test_build_shows_pytorchs_dropout_warning_unless_quiet():
    import warnings

    config = part1.post_config("birnn")
    with warnings.catch_warnings(record=True) as loud:
        warnings.simplefilter("always")
        config.build()
    with warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always")
        model = config.build(quiet=True)
    assert [str(w.message) for w in loud][0].startswith(
        part1.DROPOUT_WARNING
    )
    assert quiet == []
    # the same model, only without the warning
    assert model.rnn.bidirectional


def test_numpy_settings_become_plain_numbers_in_the_key():
    config = part1.post_config(
        "rnn",
        n_sequences=np.int64(50),
        seed=np.int32(3),
        epochs=np.int64(3),
    )
    assert (
        type(config.fit.epochs) is int and type(config.n_sequences) is int
    )
    lr = dataclasses.replace(config.fit, lr=np.float32(1e-2))
    model = dict(config.model, hidden_size=np.int64(30))
    numpy = dataclasses.replace(config, fit=lr, model=model)
    assert type(numpy.fit.lr) is float
    assert type(numpy.model["hidden_size"]) is int
    json.dumps(numpy.key())  # the cache key is JSON
    plain = part1.post_config("rnn", n_sequences=50, seed=3, epochs=3)
    assert saved_runs.config_key(config.key()) == saved_runs.config_key(
        plain.key()
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: part1.post_data(1, seed=0),
            "n_sequences must be at least 2 (80 % of them train, the rest "
            "test), got 1",
        ),
        (
            lambda: part1.post_data(50.0, seed=0),
            "n_sequences must be a positive integer, got 50.0",
        ),
        (
            lambda: part1.post_data(50, seed=-1),
            "seed must be a non-negative integer, got -1",
        ),
        (
            lambda: part1.post_config("rnn", n_sequences=1),
            "n_sequences must be at least 2 (80 % of them train, the rest "
            "test), got 1",
        ),
        (
            lambda: part1.post_config("rnn", epochs=3.0),
            "epochs must be an integer >= 1, got 3.0",
        ),
        (
            lambda: part1.PostRNNConfig("rnn", {"hidden_size": 30}, {}),
            "fit must be a tutorial_lib.training.FitConfig, got dict {}",
        ),
        (
            lambda: part1.PostRNNConfig(
                "rnn", {"cell": object}, part1.post_config("rnn").fit
            ),
            "model must hold JSON settings (names mapped to numbers, "
            "strings, booleans), got {'cell': <class 'object'>}",
        ),
    ],
)
def test_a_bad_setting_is_refused_naming_it(call, message):
    with pytest.raises(ValueError) as caught:
        call()
    assert str(caught.value).startswith(message)
    assert "n_train" not in str(caught.value)
