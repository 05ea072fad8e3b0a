import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bookbuild import __main__ as cli
from bookbuild import gather as gathering
from tutorial_lib.bookkeeping import records

TOC = """format: jb-book
root: book/intro
chapters:
  - file: notebooks/ch1
  - file: book/part
    sections:
      - file: notebooks/ch2.ipynb
"""


@pytest.fixture
def book(tmp_path):
    """A book of two chapters (ch1, ch2) and prose pages; returns its records folder."""
    (tmp_path / "_toc.yml").write_text(TOC)
    for name in (
        "notebooks/ch1.ipynb",
        "notebooks/ch2.ipynb",
        "notebooks/gone.ipynb",
        "book/intro.md",
        "book/part.md",
    ):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}")
    return tmp_path / "records"


def put(folder, id, value=1.0):
    records.record(
        id,
        value,
        profile="smoke",
        device="cpu",
        seconds=0.5,
        directory=folder,
    )


def run_gather(book, *more):
    out = book.parent / "results.json"
    cli.main(
        [
            "gather",
            "--profile",
            "smoke",
            "--records",
            str(book),
            "--toc",
            str(book.parent / "_toc.yml"),
            "--out",
            str(out),
            *more,
        ]
    )
    return json.loads(out.read_text())


def test_toc_chapters_are_the_listed_notebooks(book):
    assert gathering.toc_chapters(book.parent / "_toc.yml") == [
        "ch1",
        "ch2",
    ]


def test_gather_reads_only_the_chapters_the_toc_lists(book, capsys):
    put(book / "ch1", "a/x", 3.0)
    put(book / "ch2", "b/y", 4.0)
    put(book / "gone", "c/z")  # a chapter no longer in the book
    put(book, "d/old")  # the flat layout of earlier builds
    entries = run_gather(book)
    assert [(e["id"], e["value"]) for e in entries] == [
        ("a/x", 3.0),
        ("b/y", 4.0),
    ]
    out = capsys.readouterr().out
    assert "2 records of 2 chapters" in out and "left out" in out
    assert "d+old.json" in out and "gone" in out


def test_an_id_recorded_by_two_chapters_names_both(book):
    put(book / "ch1", "a/x")
    put(book / "ch2", "a/x")
    both = "'a/x' is recorded by two chapters, ch1 and ch2"
    with pytest.raises(SystemExit, match=both):
        run_gather(book)


def test_a_missing_records_folder_is_an_error_unless_allowed(book):
    with pytest.raises(
        SystemExit, match=f"records folder {book} does not exist"
    ):
        run_gather(book)
    assert run_gather(book, "--missing-ok") == []


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"id": "a/x", "value": 1', "not a readable JSON record"),
        ("", "not a readable JSON record"),
        ('["a list"]', "must be a JSON object, got list"),
        (
            '{"value": 1.0, "reference": null, "profile": "smoke", "device": "cpu",'
            ' "seconds": 0}',
            r"record '\(no id\)' lacks id",
        ),
    ],
)
def test_an_unreadable_record_names_its_file(book, text, message):
    (book / "ch1").mkdir(parents=True)
    (book / "ch1" / "a+x.json").write_text(text)
    with pytest.raises(SystemExit, match=message) as caught:
        run_gather(book)
    assert str(book / "ch1" / "a+x.json") in str(caught.value)


@pytest.mark.parametrize("bad", ["0.5", None, math.nan, True])
def test_a_record_value_that_is_no_finite_number_is_refused(book, bad):
    put(book / "ch1", "a/x", value=1.0)
    path = book / "ch1" / "a+x.json"
    path.write_text(
        json.dumps(json.loads(path.read_text()) | {"value": bad})
    )
    with pytest.raises(
        SystemExit, match=r"a\+x.json: value of record 'a/x' is"
    ):
        run_gather(book)


def test_a_record_under_another_id_s_name_is_refused(book):
    put(book / "ch1", "a/x")
    (book / "ch1" / "a+x.json").rename(book / "ch1" / "a+y.json")
    with pytest.raises(
        SystemExit, match="holds id 'a/x' but its name says 'a/y'"
    ):
        run_gather(book)


def entry(id="a/x", value=1.0):
    return {
        "id": id,
        "value": value,
        "reference": None,
        "profile": "smoke",
        "device": "cpu",
        "seconds": 1.0,
    }


@pytest.mark.parametrize(
    "content, message",
    [
        ([entry(value="0.5")], r"record 1: value of record 'a/y' is '0.5'"),
        ([entry(value=None)], r"record 1: value of record 'a/y' is None"),
        (
            [entry(value=math.nan)],
            r"record 1: value of record 'a/y' is nan",
        ),
        ([{"id": "a/y"}], r"record 1: record 'a/y' lacks value"),
        ({"a/x": 1.0}, "expected a JSON list of records, got dict"),
    ],
)
def test_pages_refuse_bad_results_naming_file_and_record(
    tmp_path, content, message
):
    results = tmp_path / "results.json"
    if isinstance(content, list):
        content = [entry()] + [dict(c, id="a/y") for c in content]
    results.write_text(json.dumps(content))
    with pytest.raises(SystemExit, match=message) as caught:
        cli.main(
            [
                "pages",
                "--profile",
                "smoke",
                "--results",
                str(results),
                "--out",
                str(tmp_path / "gen"),
                "--benchmarks",
                str(tmp_path),
            ]
        )
    assert str(results) in str(caught.value)
    assert not (tmp_path / "gen").exists()


def test_pages_without_a_results_file_say_so(tmp_path):
    with pytest.raises(SystemExit, match="results file .* does not exist"):
        cli.main(
            [
                "pages",
                "--profile",
                "smoke",
                "--results",
                str(tmp_path / "no.json"),
            ]
        )


def test_the_command_exits_non_zero_on_bad_input(book, tmp_path):
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bookbuild",
            "gather",
            "--profile",
            "smoke",
            "--records",
            str(book),
            "--toc",
            str(book.parent / "_toc.yml"),
            "--out",
            str(tmp_path / "r.json"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "does not exist" in done.stderr


def test_pages_refuse_an_id_given_twice(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps([entry(), entry(value=2.0)]))
    with pytest.raises(
        SystemExit, match="records 0 and 1 both have id 'a/x'"
    ):
        cli.main(
            [
                "pages",
                "--profile",
                "smoke",
                "--results",
                str(results),
                "--out",
                str(tmp_path / "gen"),
                "--benchmarks",
                str(tmp_path),
            ]
        )


def test_a_missing_table_of_contents_is_named(tmp_path):
    named = f"table of contents {tmp_path}.* cannot be read"
    with pytest.raises(SystemExit, match=named):
        cli.main(
            [
                "gather",
                "--profile",
                "smoke",
                "--records",
                str(tmp_path),
                "--toc",
                str(tmp_path / "_toc.yml"),
                "--out",
                str(tmp_path / "r"),
            ]
        )


def claim(folder, statement, held=True, chapter=None, **values):
    return records.record_claim(
        statement,
        held,
        values or {"x": 1.0},
        profile="smoke",
        chapter=chapter or folder.name,
        directory=folder,
    )


def test_gather_writes_the_claims_beside_the_results(book, capsys):
    put(book / "ch1", "a/x", 3.0)
    put(book / "ch2", "b/y", 4.0)
    claim(book / "ch2", "ch2 says so", x=2.0)
    claims = [
        claim(book / "ch1", f"ch1 says {i}", held=i != 1) for i in range(3)
    ]
    claim(book / "gone", "a chapter no longer in the book")
    entries = run_gather(book)
    assert [e["id"] for e in entries] == ["a/x", "b/y"]
    gathered = json.loads((book.parent / "claims.json").read_text())
    in_file_order = sorted(
        claims, key=lambda c: records.claim_file_name(c["statement"])
    )
    assert [c["statement"] for c in gathered] == [
        *(c["statement"] for c in in_file_order),
        "ch2 says so",
    ]
    assert gathered[:3] == in_file_order
    assert "4 claims ->" in capsys.readouterr().out


def test_gather_without_records_writes_no_claims(book):
    assert run_gather(book, "--missing-ok") == []
    assert json.loads((book.parent / "claims.json").read_text()) == []


@pytest.mark.parametrize(
    "change, message",
    [
        (None, "not a readable JSON claim"),
        ({"held": "yes"}, "held is 'yes'; expected true or false"),
        ({"values": {"x": "1"}}, "values are .*; expected names mapped to"),
        ({"margin": "12 %"}, "margin is '12 %'; expected a number or null"),
        ({"statement": ""}, "statement is ''"),
        (
            {"chapter": "ch2"},
            "claim of chapter 'ch2' in the folder of 'ch1'",
        ),
        ({"statement": "other words"}, "holds the claim 'other words'"),
    ],
)
def test_a_malformed_claim_file_is_refused_naming_it(book, change, message):
    claim(book / "ch1", "ch1 says so")
    path = book / "ch1" / records.claim_file_name("ch1 says so")
    if change is None:
        path.write_text('{"statement": ')
    else:
        path.write_text(json.dumps(json.loads(path.read_text()) | change))
    with pytest.raises(SystemExit, match=message) as caught:
        run_gather(book)
    assert str(path) in str(caught.value)


def test_a_claim_file_lacking_keys_is_refused_naming_them(book):
    (book / "ch1").mkdir(parents=True)
    path = book / "ch1" / "claim-0123456789abcdef.json"
    path.write_text('{"statement": "s", "held": true}')
    with pytest.raises(
        SystemExit, match="claim lacks values, profile, chapter"
    ) as caught:
        run_gather(book)
    assert str(path) in str(caught.value)


def test_pages_read_the_claims_beside_the_results(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps([entry()]))
    arguments = [
        "pages",
        "--profile",
        "smoke",
        "--results",
        str(results),
        "--out",
        str(tmp_path / "gen"),
        "--benchmarks",
        str(tmp_path),
    ]
    cli.main(arguments)
    report = (tmp_path / "gen" / "report.md").read_text()
    assert "No claims file was found" in report
    good = claim(tmp_path / "ch1", "the sine repeats", x=60.0)
    (tmp_path / "claims.json").write_text(json.dumps([good]))
    cli.main(arguments)
    report = (tmp_path / "gen" / "report.md").read_text()
    assert "| ch1 | the sine repeats | held" in report
    (tmp_path / "claims.json").write_text(json.dumps([good, {"held": 1}]))
    with pytest.raises(SystemExit, match="claim 1: claim lacks statement"):
        cli.main(arguments)


def test_gather_out_under_a_file_or_onto_a_folder_is_named(book):
    put(book / "ch1", "a/x")
    blocker = book.parent / "a_file"
    blocker.write_text("")
    for out, message in (
        (
            blocker / "results.json",
            f"--out {blocker / 'results.json'}: "
            f"{blocker} is a file, not a folder; expected a path under a folder",
        ),
        (book, f"--out {book} is a folder; expected a file or a new path"),
    ):
        with pytest.raises(SystemExit) as caught:
            cli.main(
                [
                    "gather",
                    "--profile",
                    "smoke",
                    "--records",
                    str(book),
                    "--toc",
                    str(book.parent / "_toc.yml"),
                    "--out",
                    str(out),
                ]
            )
        assert str(caught.value) == f"error: {message}"


def test_pages_out_under_a_file_is_named(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps([entry()]))
    for out, message in (
        (
            results / "gen",
            f"--out {results / 'gen'}: {results} is a file, "
            "not a folder; expected a path under a folder",
        ),
        (
            results,
            f"--out {results} is a file; expected a folder or a new path",
        ),
    ):
        with pytest.raises(SystemExit) as caught:
            cli.main(
                [
                    "pages",
                    "--profile",
                    "smoke",
                    "--results",
                    str(results),
                    "--out",
                    str(out),
                    "--benchmarks",
                    str(tmp_path),
                ]
            )
        assert str(caught.value) == f"error: {message}"


def test_a_folder_named_like_a_record_is_named(book):
    put(book / "ch1", "a/x")
    (book / "ch1" / "a+y.json").mkdir()
    with pytest.raises(gathering.BuildInputError) as caught:
        gathering.gather(book, ["ch1"])
    assert str(caught.value) == (
        f"{book / 'ch1' / 'a+y.json'}: a folder named like a record file; "
        "expected a file (move the folder out of the records folder)"
    )


def test_a_record_with_negative_seconds_is_refused(book):
    put(book / "ch1", "a/x")
    path = book / "ch1" / "a+x.json"
    path.write_text(
        json.dumps(dict(json.loads(path.read_text()), seconds=-2))
    )
    with pytest.raises(gathering.BuildInputError) as caught:
        gathering.gather(book, ["ch1"])
    assert str(caught.value) == (
        f"{path}: seconds of record 'a/x' is -2; expected a number >= 0"
    )


def test_a_record_copied_into_another_chapter_s_folder_is_refused(book):
    put(book / "ch1", "a/x")
    (book / "ch2").mkdir()
    copied = book / "ch2" / "a+x.json"
    copied.write_text((book / "ch1" / "a+x.json").read_text())
    (book / "ch1" / "a+x.json").unlink()
    assert json.loads(copied.read_text())["chapter"] == "ch1"
    with pytest.raises(gathering.BuildInputError) as caught:
        gathering.gather(book, ["ch1", "ch2"])
    assert str(caught.value) == (
        f"{copied}: record 'a/x' of chapter 'ch1' in the folder of 'ch2'; "
        "expected a chapter's records in its own folder (remove the file; "
        "executing ch2 again rewrites its folder)"
    )


def test_a_record_that_stores_no_chapter_is_still_gathered(book):
    # records written before they stored their chapter (a chapter served
    # from the execution cache keeps them) are read as their folder's
    put(book / "ch1", "a/x", 3.0)
    path = book / "ch1" / "a+x.json"
    entry = json.loads(path.read_text())
    del entry["chapter"]
    path.write_text(json.dumps(entry))
    assert [e["value"] for e in gathering.gather(book, ["ch1"])] == [3.0]


def test_gather_names_a_relative_results_folder(book, monkeypatch):
    monkeypatch.setenv(records.ENV_VAR, "results")
    with pytest.raises(SystemExit) as caught:
        cli.main(
            [
                "gather",
                "--profile",
                "smoke",
                "--toc",
                str(book.parent / "_toc.yml"),
                "--out",
                str(book.parent / "results.json"),
            ]
        )
    assert str(caught.value).startswith(
        "error: TUTORIAL_RESULTS_DIR='results' is a relative path; expected "
        "an absolute path"
    )
