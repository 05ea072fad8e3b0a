import json
import math

import pytest

from bookbuild.gather import gather
from tutorial_lib import records as results


def test_record_writes_one_file_and_gather_collects(tmp_path, capsys):
    results.record("part1/rnn/test_l1", 0.05, 0.0611, profile="smoke", device="cpu", seconds=1.5, directory=tmp_path)
    results.record("part1/birnn/test_l1", 0.04, profile="smoke", device="cpu", seconds=2, directory=tmp_path)
    assert "part1/rnn/test_l1 = 0.05" in capsys.readouterr().out
    entries = gather(tmp_path)
    assert [e["id"] for e in entries] == ["part1/birnn/test_l1", "part1/rnn/test_l1"]
    rnn = entries[1]
    for key in ("id", "value", "reference", "profile", "device", "seconds", "torch"):
        assert key in rnn
    assert rnn["reference"] == 0.0611 and entries[0]["reference"] is None


def test_record_again_overwrites(tmp_path):
    for value in (1.0, 2.0):
        results.record("a/b", value, profile="full", device="cpu", seconds=0, directory=tmp_path)
    assert [e["value"] for e in gather(tmp_path)] == [2.0]


@pytest.mark.parametrize("bad_id", ["", "single", "Part1/x", "a//b", "a/b c", "/a/b"])
def test_bad_ids_raise(tmp_path, bad_id):
    with pytest.raises(ValueError, match="not valid"):
        results.record(bad_id, 1.0, profile="full", device="cpu", seconds=0, directory=tmp_path)


@pytest.mark.parametrize("bad", [math.nan, math.inf, "x", None])
def test_non_finite_values_raise(tmp_path, bad):
    with pytest.raises(ValueError, match="value"):
        results.record("a/b", bad, profile="full", device="cpu", seconds=0, directory=tmp_path)


def test_records_dir_finds_the_book_root(tmp_path, monkeypatch):
    monkeypatch.delenv(results.ENV_VAR, raising=False)
    (tmp_path / "_toc.yml").write_text("root: x\n")
    (tmp_path / "notebooks").mkdir()
    assert results.records_dir("smoke", tmp_path / "notebooks") == tmp_path / "_build" / "records" / "smoke"
    monkeypatch.setenv(results.ENV_VAR, str(tmp_path / "elsewhere"))
    assert results.records_dir("full") == tmp_path / "elsewhere" / "full"
