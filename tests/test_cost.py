"""A chapter's cost alone (tutorial_lib/bookkeeping/cost.py): what it takes
when it trains every run it uses, whether it trained them or reused them."""

from __future__ import annotations

import json

import pytest

from bookbuild.__main__ import chapter_costs
from bookbuild.gather import gather
from tutorial_lib import part2, start
from tutorial_lib.bookkeeping import folders
from tutorial_lib.bookkeeping.cost import (
    COST_FILE,
    read_cost,
    training_seconds,
    write_cost,
)
from tutorial_lib.bookkeeping.records import ENV_VAR as RESULTS_ENV_VAR
from tutorial_lib.training import History


def test_training_seconds_adds_every_history_in_a_result():
    result = {
        "history": History(seconds=2.5),
        "seconds": 99.0,  # a plain number is not a training
        "more": [History(seconds=1.0), ({"h": History(seconds=0.5)},)],
    }
    assert training_seconds(result) == 4.0
    assert training_seconds([]) == 0.0 and training_seconds(3.0) == 0.0


def test_the_cost_alone_swaps_the_time_spent_for_the_training_time(
    tmp_path,
):
    cost = write_cost(
        tmp_path, elapsed=50.0, obtaining=45.0, training=300.0, device="cpu"
    )
    assert cost["alone"] == 305.0
    assert read_cost(tmp_path) == cost
    assert read_cost(tmp_path / "missing") is None
    (tmp_path / COST_FILE).write_text(json.dumps({"alone": "soon"}))
    assert read_cost(tmp_path) is None


@pytest.mark.parametrize("name", ["elapsed", "obtaining", "training"])
@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_a_bad_time_is_refused_naming_it(tmp_path, name, bad):
    times = {"elapsed": 1.0, "obtaining": 0.0, "training": 0.0}
    with pytest.raises(ValueError, match=f"{name}=.*seconds >= 0"):
        write_cost(tmp_path, **{**times, name: bad}, device="cpu")
    assert not (tmp_path / COST_FILE).exists()


def test_a_chapter_that_reuses_runs_counts_their_training(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(folders.ARTIFACTS_ENV_VAR, str(tmp_path / "runs"))
    monkeypatch.setenv(RESULTS_ENV_VAR, str(tmp_path / "records"))
    configs = part2.sweep_configs(
        [1, 2], [0.2], seed=0, n_samples=40, epochs=2, channels=4
    )
    costs, runs = [], []
    for chapter in ["trains", "reuses"]:
        run = start(profile="smoke", device="cpu", chapter=chapter)
        run.record(f"{chapter}/x/y", 1.0)
        results = part2.train_grid(configs, run)
        run.stamp()
        costs.append(read_cost(tmp_path / "records" / "smoke" / chapter))
        runs.append(run)
    trained = sum(r["history"].seconds for r in results)
    assert trained > 0
    for cost in costs:
        assert cost["training of its runs"] == pytest.approx(
            trained, abs=0.1
        )
        assert cost["alone"] >= trained - 0.1
    # the first chapter spent the training time, the second only loaded
    # (compared unrounded: the cost file keeps tenths of a second, and these
    # tiny runs may train in less on a fast machine)
    assert costs[0]["obtaining runs"] >= trained - 0.1
    assert runs[0].obtaining >= trained
    assert runs[1].obtaining < runs[0].obtaining
    # the cost file is not a record: the build gathers the records alone
    records = gather(tmp_path / "records" / "smoke", ["trains", "reuses"])
    assert [r["id"] for r in records] == ["reuses/x/y", "trains/x/y"]


def test_the_pages_step_reads_each_chapters_cost_or_leaves_the_column_out(
    tmp_path,
):
    write_cost(
        tmp_path / "ch1",
        elapsed=5.0,
        obtaining=4.0,
        training=60.0,
        device="cpu",
    )
    assert chapter_costs(tmp_path, ["ch1", "ch2"]) == {"ch1": 61.0}
    assert chapter_costs(tmp_path, ["ch2"]) is None
