"""benchmarks/compare_results.py: two builds' records compared id by id."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import compare_results  # noqa: E402


def write(path, records):
    path.write_text(json.dumps([{"id": k, "value": v} for k, v in records]))
    return path


def test_equal_builds_pass_and_changes_fail(tmp_path, capsys):
    before = write(tmp_path / "a.json", [("p/a", 1.0), ("p/b", 2.0)])
    same = write(tmp_path / "b.json", [("p/b", 2.0), ("p/a", 1.0)])
    changed = write(tmp_path / "c.json", [("p/a", 1.0), ("p/c", 2.0)])
    assert compare_results.main([str(before), str(same)]) == 0
    assert "2 of 2 records equal, 0 differ" in capsys.readouterr().out
    assert compare_results.main([str(before), str(changed)]) == 1
    out = capsys.readouterr().out
    assert "only before  p/b" in out and "only after   p/c" in out


def test_rtol_decides_what_counts_as_changed(tmp_path, capsys):
    before = write(tmp_path / "a.json", [("p/a", 1.0)])
    after = write(tmp_path / "b.json", [("p/a", 1.001)])
    assert compare_results.main([str(before), str(after)]) == 1
    assert "+0.10%" in capsys.readouterr().out
    assert (
        compare_results.main([str(before), str(after), "--rtol", "0.01"])
        == 0
    )


def test_unreadable_file_is_named(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(SystemExit, match="bad.json"):
        compare_results.main([str(bad), str(bad)])
