import dataclasses
import json
import re

import numpy as np
import pytest

from tutorial_lib.bookkeeping import claims, records
from tutorial_lib.bookkeeping.run import start
from tutorial_lib.bookkeeping.verdicts import less


def test_a_claim_that_holds_is_returned_and_printed_at_both_profiles(
    capsys,
):
    for profile in ("full", "smoke"):
        claim = claims.check(
            "a is below b",
            np.float64(1.0) < 2.0,
            values={"a": 1.0, "b": np.float32(2.0)},
            profile=profile,
        )
        assert claim == claims.Claim(
            "a is below b", True, {"a": 1.0, "b": 2.0}
        )
        assert type(claim.held) is bool
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "claim held: a is below b (a=1, b=2)",
        "claim held (not enforced at smoke size): a is below b (a=1, b=2)",
    ]


def test_a_planted_false_claim_fails_at_full_and_only_prints_at_smoke(
    capsys,
):
    words = "the filter beats the oracle"
    values = {"filter": 0.0412, "oracle": 0.0031}
    with pytest.raises(claims.ClaimFailed) as failure:
        claims.check(
            words,
            values["filter"] < values["oracle"],
            values=values,
            profile="full",
        )
    assert isinstance(failure.value, AssertionError)
    assert (
        str(failure.value)
        == f"claim FAILED: {words} (filter=0.0412, oracle=0.0031)"
    )
    claim = claims.check(
        words,
        values["filter"] < values["oracle"],
        values=values,
        profile="smoke",
    )
    assert not claim.held and claim.statement == words
    assert capsys.readouterr().out == (
        f"claim FAILED (not enforced at smoke size): {words} "
        "(filter=0.0412, oracle=0.0031)\n"
    )


def test_a_claim_is_frozen_and_keeps_its_own_copy_of_the_values():
    values = {"x": 1.0}
    claim = claims.check("x is one", True, values=values, profile="smoke")
    values["x"] = 2.0
    assert claim.values == {"x": 1.0}
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.held = False


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            dict(holds=np.array([True, False])),
            "holds must be a Verdict, a bool .*, got ndarray",
        ),
        (
            dict(holds=1),
            "holds must be a Verdict, a bool or a numpy bool, got int",
        ),
        (dict(statement=" "), "statement must be a non-empty string"),
        (
            dict(profile="fast"),
            "profile must be one of full, smoke, got 'fast'",
        ),
        (
            dict(values=[1.0]),
            "values must be a dict of name -> number, got list",
        ),
        (dict(values={"x": "1"}), "values must map names .* got 'x': '1'"),
        (
            dict(values={"x": True}),
            "values must map names .* got 'x': True",
        ),
    ],
)
def test_check_names_a_bad_argument(kwargs, message):
    arguments = dict(
        statement="s", holds=True, values={"x": 1.0}, profile="full"
    )
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        claims.check(
            arguments.pop("statement"), arguments.pop("holds"), **arguments
        )


@pytest.fixture
def results_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(records.ENV_VAR, str(tmp_path))
    return tmp_path


def stored_claims(folder):
    return {
        p.name: json.loads(p.read_text())
        for p in folder.glob("claim-*.json")
    }


def test_run_claim_records_the_claim_and_prints_it(results_dir, capsys):
    run = start(device="cpu", profile="smoke", chapter="ch1")
    returned = run.claim(
        "a is below b", np.bool_(True), values={"a": 1, "b": 2.5}
    )
    assert returned is None  # a cell may end with it: no repr on the page
    files = stored_claims(results_dir / "smoke" / "ch1")
    assert list(files) == [records.claim_file_name("a is below b")]
    stored = files[records.claim_file_name("a is below b")]
    assert re.fullmatch(r"claim-[0-9a-f]{16}\.json", list(files)[0])
    assert stored.pop("recorded_at").endswith("Z")
    assert stored == {
        "statement": "a is below b",
        "held": True,
        "values": {"a": 1.0, "b": 2.5},
        "margin": None,  # a plain bool: no margin
        "profile": "smoke",
        "chapter": "ch1",
    }
    assert capsys.readouterr().out.splitlines()[-1] == (
        "claim held (not enforced at smoke size): a is below b (a=1, b=2.5)"
    )


def test_run_claim_at_full_records_a_false_claim_before_it_stops(
    results_dir, monkeypatch
):
    monkeypatch.setenv("TUTORIAL_STRICT_CLAIMS", "1")  # the book's build
    run = start(device="cpu", profile="full", chapter="ch1")
    assert run.strict
    words = "the filter beats the oracle"
    with pytest.raises(claims.ClaimFailed, match=words):
        run.claim(words, False, values={"filter": 0.04, "oracle": 0.003})
    stored = json.loads(
        (
            results_dir / "full" / "ch1" / records.claim_file_name(words)
        ).read_text()
    )
    assert stored["held"] is False and stored["statement"] == words
    assert stored["values"] == {"filter": 0.04, "oracle": 0.003}


def test_run_claim_keeps_the_later_outcome_and_start_clears_claims(
    results_dir,
):
    run = start(device="cpu", profile="smoke", chapter="ch1")
    run.claim("x is one", True, values={"x": 1.0})
    run.claim("x is one", True, values={"x": 1.0})  # the same again: fine
    run.claim("x is one", False, values={"x": 2.0})
    run.claim("y is two", True, values={"y": 2.0})
    run.record("a/b", 1.0)
    folder = results_dir / "smoke" / "ch1"
    files = stored_claims(folder)
    assert len(files) == 2
    later = files[records.claim_file_name("x is one")]
    assert later["held"] is False and later["values"] == {"x": 2.0}
    assert (folder / "a+b.json").is_file()
    start(device="cpu", profile="smoke", chapter="ch1")
    assert not folder.exists()


def test_run_claim_needs_a_chapter_and_valid_arguments(results_dir):
    run = start(device="cpu", profile="smoke")
    with pytest.raises(ValueError, match="needs the chapter's name"):
        run.claim("x is one", True, values={"x": 1.0})
    run = start(device="cpu", profile="full", chapter="ch1")
    with pytest.raises(ValueError, match="holds must be a Verdict, a bool"):
        run.claim("x is one", np.array([True]), values={"x": 1.0})
    assert stored_claims(results_dir / "full" / "ch1") == {}


def test_claim_files_never_take_a_record_s_name():
    name = records.claim_file_name("x")
    assert records.is_claim_file_name(name)
    assert records.claim_file_name("x ") != name
    # An id may start with "claim-", but its file name has a "+".
    assert not records.is_claim_file_name(
        records.record_file_name("claim-x/y")
    )


def test_outside_the_book_build_a_false_claim_is_printed_not_raised(
    results_dir, monkeypatch, capsys
):
    monkeypatch.delenv("TUTORIAL_STRICT_CLAIMS", raising=False)
    run = start(device="cpu", profile="full", chapter="ch1")
    assert not run.strict
    run.claim("a is below b", False, values={"a": 3.0, "b": 2.0})
    line = capsys.readouterr().out.splitlines()[-1]
    assert line.startswith("claim FAILED on this run (the book's build")
    assert line.endswith("a is below b (a=3, b=2)")
    stored = json.loads(
        (
            results_dir
            / "full"
            / "ch1"
            / records.claim_file_name("a is below b")
        ).read_text()
    )
    assert stored["held"] is False


@pytest.mark.parametrize("value", ["yes", "2", "true"])
def test_a_strictness_that_is_not_0_or_1_is_named(monkeypatch, value):
    monkeypatch.setenv("TUTORIAL_STRICT_CLAIMS", value)
    with pytest.raises(
        ValueError, match=f"TUTORIAL_STRICT_CLAIMS='{value}' must be 1"
    ):
        start(device="cpu", profile="smoke")


def test_a_verdict_s_margin_is_kept_recorded_and_printed(
    results_dir, capsys
):
    run = start(device="cpu", profile="smoke", chapter="ch1")
    run.claim("a is below b", less([1.0, 1.5], 2.0), values={"b": 2.0})
    (stored,) = stored_claims(results_dir / "smoke" / "ch1").values()
    assert stored["held"] is True
    assert stored["margin"] == pytest.approx(0.25)
    assert capsys.readouterr().out.splitlines()[-1] == (
        "claim held (not enforced at smoke size): a is below b "
        "(b=2; margin 25.0%)"
    )
    failed = claims.check(
        "b is below a", ~less(1.0, 2.0), values={}, profile="smoke"
    )
    assert not failed.held and failed.margin == pytest.approx(-0.5)
