import json

import pytest

from bookbuild import __main__ as cli
from bookbuild import report


def entry(id, value, reference=None, profile="full"):
    return {
        "id": id,
        "value": value,
        "reference": reference,
        "profile": profile,
        "device": "cuda",
        "seconds": 12.5,
        "torch": "2.13.0",
    }


@pytest.mark.parametrize(
    "id, expected",
    [
        ("part1/rnn/test_l1", "lower"),
        ("part2/depth4/val_mse", "lower"),
        ("beyond/wiener/snr_db", "higher"),
        ("part1/data/period", None),
    ],
)
def test_direction_from_the_id(id, expected):
    assert report.direction(id) == expected


def test_verdicts_respect_the_direction():
    assert report.verdict("a/test_l1", 0.05, 0.06) == "reached"
    assert report.verdict("a/test_l1", 0.065, 0.06) == "close"
    assert report.verdict("a/test_l1", 0.09, 0.06) == "missed"
    assert report.verdict("a/snr_db", 9.0, 10.0) == "close"
    assert report.verdict("a/snr_db", 5.0, 10.0) == "missed"
    assert report.verdict("a/snr_db", 12.0, 10.0) == "reached"
    assert report.verdict("a/test_l1", 0.05, None) == "none"
    assert report.verdict("a/period", 60.0, 60.0) == "unknown"


def test_report_shows_each_number_beside_the_reference():
    text = report.report_markdown(
        [
            entry("part1/rnn/test_l1", 0.09, 0.0611),
            entry("part1/gru/test_l1", 0.05, 0.0507),
            entry("part1/data/period", 60.0),
        ],
        build_versions={"torch": "2.13.0"},
    )
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in text.splitlines()
        if line.startswith("| `")
    }
    assert set(rows) == {
        "part1/rnn/test_l1",
        "part1/gru/test_l1",
        "part1/data/period",
    }
    assert (
        "0.09 | 0.0611 | 1.47 |" in rows["part1/rnn/test_l1"]
        and "not reached" in rows["part1/rnn/test_l1"]
    )
    assert (
        "reached" in rows["part1/gru/test_l1"]
        and "not" not in rows["part1/gru/test_l1"]
    )
    assert (
        rows["part1/data/period"] == "| `part1/data/period` | 60 | 12.5 |"
    )  # no reference: the second table
    assert rows["part1/gru/test_l1"].endswith("| 12.5 |")
    assert "Profile: full. Device: cuda. PyTorch: 2.13.0." in text
    assert (
        "1 reach the original" in text and "**1 do not reach it**" in text
    )
    assert "smoke" not in text and "torch 2.13.0" in text


def test_what_varies_between_records_gets_a_column():
    other = entry("part1/rnn/test_l1", 0.05, 0.0611) | {"device": "cpu"}
    text = report.report_markdown(
        [entry("part1/gru/test_l1", 0.05, 0.0507), other]
    )
    assert (
        "| result | this book | write-up | ratio | | seconds | device |"
        in text
    )
    assert (
        "| cpu |" in text
        and "| cuda |" in text
        and "Device: cpu, cuda." in text
    )


def test_smoke_numbers_carry_a_warning_and_no_records_a_note():
    assert "{warning}" in report.report_markdown(
        [entry("a/b_l1", 1.0, 1.0, profile="smoke")]
    )
    assert "No headline numbers" in report.report_markdown([])


@pytest.mark.parametrize(
    "bad", ["not a list", [1], [{"id": "a/b", "value": 1.0}]]
)
def test_bad_records_raise(bad):
    with pytest.raises(ValueError, match="record"):
        report.report_markdown(bad)


def test_pages_command_writes_the_report_from_a_results_file(
    tmp_path, capsys
):
    results = tmp_path / "results.json"
    results.write_text(
        json.dumps([entry("part1/rnn/test_l1", 0.05, 0.0611)])
    )
    cli.main(
        [
            "pages",
            "--profile",
            "full",
            "--results",
            str(results),
            "--out",
            str(tmp_path / "gen"),
            "--benchmarks",
            str(tmp_path / "none"),
        ]
    )
    text = (tmp_path / "gen" / "report.md").read_text()
    assert "`part1/rnn/test_l1` | 0.05 | 0.0611 | 0.818 |" in text
    assert "1 records" in capsys.readouterr().out
