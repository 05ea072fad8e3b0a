import json
import math

import numpy as np
import pytest
import torch

from tutorial_lib.bookkeeping import records
from tutorial_lib.bookkeeping.run import start


def test_record_writes_one_file_named_after_the_id(tmp_path, capsys):
    records.record(
        "part1/rnn/test_l1",
        0.05,
        0.0611,
        profile="smoke",
        device="cpu",
        seconds=1.5,
        directory=tmp_path,
    )
    assert capsys.readouterr().out == ""  # quiet: the page shows its own
    (path,) = tmp_path.iterdir()
    assert path.name == "part1+rnn+test_l1.json"
    entry = json.loads(path.read_text())
    for key in (
        "id",
        "value",
        "reference",
        "profile",
        "device",
        "seconds",
        "torch",
    ):
        assert key in entry
    assert (
        entry["reference"] == 0.0611 and entry["id"] == "part1/rnn/test_l1"
    )


def test_record_again_overwrites(tmp_path):
    for value in (1.0, 2.0):
        records.record(
            "a/b",
            value,
            profile="full",
            device="cpu",
            seconds=0,
            directory=tmp_path,
        )
    (path,) = tmp_path.iterdir()
    assert json.loads(path.read_text())["value"] == 2.0


def test_ids_that_differ_never_share_a_file(tmp_path):
    for i, id in enumerate(["a__b/c", "a/b__c", "a/b/c", "a.b/c"]):
        records.record(
            id,
            float(i),
            profile="full",
            device="cpu",
            seconds=0,
            directory=tmp_path,
        )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 4
    assert sorted(records.id_from_file_name(n) for n in names) == sorted(
        ["a__b/c", "a/b__c", "a/b/c", "a.b/c"]
    )


@pytest.mark.parametrize(
    "bad_id",
    [
        "",
        "single",
        "Part1/x",
        "a//b",
        "a/b c",
        "/a/b",
        "a/b\n",
        "a/b+c",
        "a/../b",
        "a/.b",
        None,
    ],
)
def test_bad_ids_raise(tmp_path, bad_id):
    with pytest.raises(ValueError, match="not valid.*joined by '/'"):
        records.record(
            bad_id,
            1.0,
            profile="full",
            device="cpu",
            seconds=0,
            directory=tmp_path,
        )


@pytest.mark.parametrize("bad", [math.nan, math.inf, "x", None])
def test_non_finite_values_raise(tmp_path, bad):
    with pytest.raises(ValueError, match="value"):
        records.record(
            "a/b",
            bad,
            profile="full",
            device="cpu",
            seconds=0,
            directory=tmp_path,
        )


def test_records_dir_finds_the_book_root(tmp_path, monkeypatch):
    monkeypatch.delenv(records.ENV_VAR, raising=False)
    (tmp_path / "_toc.yml").write_text("root: x\n")
    (tmp_path / "notebooks").mkdir()
    folder = records.records_dir("smoke", tmp_path / "notebooks")
    assert folder == tmp_path / "_build" / "records" / "smoke"
    monkeypatch.setenv(records.ENV_VAR, str(tmp_path / "elsewhere"))
    assert records.records_dir("full") == tmp_path / "elsewhere" / "full"


@pytest.fixture
def results_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(records.ENV_VAR, str(tmp_path))
    return tmp_path / "smoke"


def test_a_chapter_keeps_only_what_its_last_execution_recorded(results_dir):
    first = start(device="cpu", profile="smoke", chapter="ch1")
    first.record("a/old", 1.0)
    first.record("a/kept", 2.0)
    other = start(device="cpu", profile="smoke", chapter="ch2")
    other.record("b/x", 3.0)
    again = start(device="cpu", profile="smoke", chapter="ch1")
    again.record("a/kept", 2.5)
    assert sorted(p.name for p in (results_dir / "ch1").iterdir()) == [
        "a+kept.json"
    ]
    assert [p.name for p in (results_dir / "ch2").iterdir()] == ["b+x.json"]
    assert again.recorded == {"a/kept": (2.5, None)}


def test_one_run_recording_an_id_twice_with_another_value_fails(
    results_dir,
):
    run = start(device="cpu", profile="smoke", chapter="ch1")
    run.record("a/b", 1.0, reference=2.0)
    run.record("a/b", 1.0, reference=2.0)  # the same number again is fine
    with pytest.raises(
        ValueError, match=r"'ch1' recorded 'a/b' twice.*\(1.0, 2.0\)"
    ):
        run.record("a/b", 1.5, reference=2.0)
    stored = json.loads((results_dir / "ch1" / "a+b.json").read_text())
    assert stored["value"] == 1.0


def test_recording_needs_a_chapter_and_a_valid_one(results_dir):
    run = start(device="cpu", profile="smoke")
    with pytest.raises(ValueError, match="needs the chapter's name"):
        run.record("a/b", 1.0)
    assert not results_dir.exists()
    for bad in ("", "../x", "a/b", "x y"):
        with pytest.raises(ValueError, match="chapter .* is not valid"):
            start(device="cpu", profile="smoke", chapter=bad)


def test_a_bad_value_is_refused_by_the_run_before_anything_is_written(
    results_dir,
):
    run = start(device="cpu", profile="smoke", chapter="ch1")
    run.record("a/b", 1.0)
    with pytest.raises(
        ValueError, match="value of 'a/b' must be a number, got 'x'"
    ):
        run.record("a/b", "x")
    assert run.recorded == {"a/b": (1.0, None)}


@pytest.mark.parametrize("bad", ["0.5", True, np.bool_(False), b"1"])
def test_a_string_or_a_bool_is_not_recorded_as_a_number(tmp_path, bad):
    with pytest.raises(ValueError) as caught:
        records.record(
            "a/b",
            bad,
            profile="full",
            device="cpu",
            seconds=0,
            directory=tmp_path,
        )
    assert (
        str(caught.value) == f"value of 'a/b' must be a number, got {bad!r}"
    )
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("bad", [math.nan, -1.0, math.inf, "3", None])
def test_seconds_that_are_no_duration_are_refused(tmp_path, bad):
    with pytest.raises(ValueError) as caught:
        records.record(
            "a/b",
            0.5,
            profile="full",
            device="cpu",
            seconds=bad,
            directory=tmp_path,
        )
    assert str(caught.value) == (
        f"seconds of 'a/b' must be a finite number >= 0, got {bad!r}"
    )
    assert not list(tmp_path.iterdir())


def test_numpy_and_torch_numbers_are_still_recorded(tmp_path):
    entry = records.record(
        "a/b",
        np.float32(0.5),
        torch.tensor(0.25),
        profile="full",
        device="cpu",
        seconds=np.float64(1.5),
        directory=tmp_path,
    )
    assert (entry["value"], entry["reference"], entry["seconds"]) == (
        0.5,
        0.25,
        1.5,
    )


def test_a_build_with_another_base_seed_keeps_its_own_records(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(records.ENV_VAR, str(tmp_path))
    monkeypatch.setenv("TUTORIAL_SEED", "1")
    assert records.records_dir("full") == tmp_path / "full-seed1"
    monkeypatch.setenv("TUTORIAL_SEED", "0")
    assert records.records_dir("full") == tmp_path / "full"


def test_a_relative_results_folder_is_refused_naming_it(monkeypatch):
    monkeypatch.setenv(records.ENV_VAR, "results")
    monkeypatch.delenv("TUTORIAL_SEED", raising=False)
    with pytest.raises(ValueError) as caught:
        records.records_dir("smoke")
    assert str(caught.value).startswith(
        "TUTORIAL_RESULTS_DIR='results' is a relative path; expected an "
        "absolute path"
    )


def test_a_chapter_named_with_its_suffix_is_refused(results_dir):
    with pytest.raises(ValueError) as caught:
        start(device="cpu", profile="smoke", chapter="ch1.ipynb")
    assert str(caught.value) == (
        "chapter 'ch1.ipynb' ends in .ipynb; expected the notebook's file "
        "name without it: drop the suffix, chapter='ch1' (records are kept "
        "and gathered by that name)"
    )
    assert not results_dir.exists()


def test_a_record_stores_its_chapter(results_dir):
    run = start(device="cpu", profile="smoke", chapter="ch1")
    assert run.record("a/b", 1.0) is None  # a cell may end with it
    stored = json.loads((results_dir / "ch1" / "a+b.json").read_text())
    assert stored["chapter"] == "ch1"
