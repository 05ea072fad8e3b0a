import json
from pathlib import Path

import pytest

from bookbuild import __main__ as cli
from bookbuild import report

ROOT = Path(__file__).resolve().parent.parent


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


def test_verdicts_respect_the_direction_and_the_match_band():
    assert report.verdict("a/test_l1", 0.05, 0.06) == "matched"
    assert report.verdict("a/test_l1", 0.074, 0.06) == "matched"
    assert report.verdict("a/test_l1", 0.09, 0.06) == "worse"
    assert report.verdict("a/test_l1", 0.01, 0.06) == "better"
    assert report.verdict("a/snr_db", 9.0, 10.0) == "matched"
    assert report.verdict("a/snr_db", 5.0, 10.0) == "worse"
    assert report.verdict("a/snr_db", 13.0, 10.0) == "better"
    # far below the post's loss is not a reproduction: "better", not a match
    assert report.verdict("part2/ae/d8/alpha0.4/val_mse", 0.019, 0.86) == (
        "better"
    )
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
        and "worse than the write-up" in rows["part1/rnn/test_l1"]
    )
    assert "matches" in rows["part1/gru/test_l1"]
    # no reference: the second table
    assert (
        rows["part1/data/period"] == "| `part1/data/period` | 60 | 12.5 |"
    )
    assert rows["part1/gru/test_l1"].endswith("| 12.5 |")
    assert "Profile: full. Device: cuda. PyTorch: 2.13.0." in text
    assert (
        "1 match the original" in text
        and "0 are better" in text
        and "**1 are worse**" in text
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


def test_the_findings_judge_seeds_by_this_build_s_own_records(tmp_path):
    """The bidirectional RNN's finding rests on the seed comparison with the
    RNN: the build's records decide it, not a stored spread."""
    seeds = [
        entry(f"part1/{run}/test_l1/seed{s}", value + 0.001 * s)
        for run, value in (("birnn", 0.050), ("rnn", 0.050))
        for s in range(3)
    ]
    results = tmp_path / "results.json"
    results.write_text(json.dumps(seeds))
    args = ["pages", "--profile", "full", "--results", str(results)]
    # the stored GPU spread is there, with five seeds of both models
    out = [
        "--out",
        str(tmp_path / "gen"),
        "--benchmarks",
        str(ROOT / "benchmarks"),
    ]
    cli.main(args + out)
    text = (tmp_path / "gen" / "report.md").read_text()
    row = next(
        line for line in text.splitlines() if "one-directional" in line
    )
    assert "over this build's seeds the difference is within" in row
    results.write_text(json.dumps(seeds[:3]))  # no RNN seeds in the build
    cli.main(args + out)
    text = (tmp_path / "gen" / "report.md").read_text()
    row = next(
        line for line in text.splitlines() if "one-directional" in line
    )
    assert (
        "seed spread: Part I: bidirectional RNN below RNN: no runs" in row
    )


def claim(statement, held, profile="full", chapter="part1_01", **values):
    return {
        "statement": statement,
        "held": held,
        "values": values,
        "profile": profile,
        "chapter": chapter,
        "recorded_at": "2025-01-01T00:00:00Z",
    }


def claim_rows(text):
    section = text.split("## Claims the build checked", 1)[1]
    return [
        line
        for line in section.splitlines()
        if line.startswith("| ")
        and not line.startswith(("| chapter |", "| --- |"))
    ]


def test_report_lists_the_claims_held_and_failed():
    text = report.report_markdown(
        [entry("part1/rnn/test_l1", 0.05, 0.0611)],
        claims=[
            claim("phases repeat", True, fewest=7, ratio=2.012345),
            claim(
                "a | b beats c",
                False,
                profile="smoke",
                chapter="part2_01",
                a=0.123456,
            ),
        ],
    )
    assert claim_rows(text) == [
        "| part1_01 | phases repeat | held | — | fewest=7, ratio=2.012 |",
        "| part2_01 | a \\| b beats c | **FAILED** (not enforced at smoke "
        "size) | — | a=0.1235 |",
    ]
    assert "**2 claims**, 1 held, **1 did not hold**" in text
    assert "{danger}" not in text
    assert text.index("## Beside the write-ups") < text.index(
        "## Claims the build checked"
    )


def test_a_claim_s_margin_is_shown_as_a_percentage_or_exact():
    with_margins = [
        {**claim("close", True, x=1.0), "margin": 0.01234},
        {**claim("exact", True, x=1.0), "margin": float("inf")},
        {**claim("plain bool", True, x=1.0), "margin": None},
    ]
    rows = claim_rows(report.report_markdown([], claims=with_margins))
    assert [row.split("|")[4].strip() for row in rows] == [
        "1.2 %",
        "exact",
        "—",
    ]
    assert report.margin_text(-0.5) == "-50.0 %"


def test_a_claim_that_failed_at_full_is_listed_first_under_a_warning():
    text = report.report_markdown(
        [],
        claims=[
            claim("first held", True, x=1.0),
            claim("then failed", False, x=2.0),
        ],
    )
    assert "No headline numbers" in text
    rows = claim_rows(text)
    assert [row.split("|")[2].strip() for row in rows] == [
        "then failed",
        "first held",
    ]
    assert rows[0].split("|")[3].strip() == "**FAILED**"
    assert "{danger}" in text
    assert "**1 claims did not hold at full size**" in text


def test_no_claims_file_or_no_claims_is_said_in_one_sentence():
    records = [entry("part1/rnn/test_l1", 0.05, 0.0611)]
    missing = report.report_markdown(records)
    assert "No claims file was found" in missing
    assert claim_rows(missing) == []
    empty = report.report_markdown(records, claims=[])
    assert "No chapter checked a claim in this build." in empty
    assert "No claims file" not in empty


def test_bad_claims_raise():
    with pytest.raises(ValueError, match="claim 0: held is 'no'"):
        report.report_markdown([], claims=[claim("s", "no")])
    with pytest.raises(ValueError, match="claims must be a list"):
        report.report_markdown([], claims="s")
