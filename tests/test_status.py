"""bookbuild.status: the status page is read from a real (tiny) jupyter-cache."""

from __future__ import annotations

import nbformat
import pytest

# the book extra (make test); not in the compat envs
jupyter_cache = pytest.importorskip("jupyter_cache")

from jupyter_cache.base import CacheBundleIn  # noqa: E402

from bookbuild.errors import BuildInputError  # noqa: E402
from bookbuild.status import status_markdown  # noqa: E402


def chapter(name: str, stamp: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f"# {name}\nrun.stamp();")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=stamp + "\n")
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter"), cell]
    return nb


def test_status_lists_each_chapters_time_profile_device_and_date(tmp_path):
    root = tmp_path / "book"
    (root / "notebooks").mkdir(parents=True)
    (root / "_toc.yml").write_text("root: intro\n")
    cache_dir = root / "_build" / ".jupyter_cache-full"
    cache = jupyter_cache.get_cache(str(cache_dir))
    for name, seconds, device in [
        ("part1_02_rnn", 412.5, "cpu (2 threads, x86_64)"),
        ("part1_01_sine", 3.25, "cuda (NVIDIA H200)"),
    ]:
        path = root / "notebooks" / f"{name}.ipynb"
        nb = chapter(
            name,
            f"Executed with profile=full, device={device}, seed=0, in {seconds} s; python 3.11.7, torch 2.13.0",
        )
        nbformat.write(nb, path)
        cache.cache_notebook_bundle(
            CacheBundleIn(
                nb, str(path), data={"execution_seconds": seconds}
            ),
            check_validity=False,
        )

    md = status_markdown(cache_dir)
    lines = md.splitlines()
    assert lines[0].startswith(
        "| chapter | execution time | profile | device |"
    )
    # Sorted by page; each chapter links to its page, with its own numbers.
    assert lines[2].startswith(
        "| {doc}`/notebooks/part1_01_sine` | 3.2 s | full | cuda (NVIDIA H200) | 20"
    )
    assert lines[3].startswith(
        "| {doc}`/notebooks/part1_02_rnn` | 6.9 min | full | cpu (2 threads, x86_64) | 20"
    )
    assert lines[-1] == "| **all 2 chapters** | **6.9 min** | | | |"

    # what each chapter takes alone, where its execution saved it
    md = status_markdown(cache_dir, alone={"part1_02_rnn": 1500.0})
    lines = md.splitlines()
    assert lines[0].startswith(
        "| chapter | execution time | alone, training every run it uses |"
    )
    assert lines[2].startswith(
        "| {doc}`/notebooks/part1_01_sine` | 3.2 s |  |"
    )
    assert lines[3].startswith(
        "| {doc}`/notebooks/part1_02_rnn` | 6.9 min | 25.0 min | full |"
    )
    assert all(line.count("|") == 7 for line in lines)


def test_status_of_an_empty_cache_says_so(tmp_path):
    assert "empty" in status_markdown(tmp_path / "nothing")


def a_cache_with_one_chapter(tmp_path):
    path = tmp_path / "part1_01_sine.ipynb"
    nb = chapter(
        "part1_01_sine", "Executed with profile=smoke, device=cpu, seed=0"
    )
    nbformat.write(nb, path)
    cache_dir = tmp_path / ".jupyter_cache-smoke"
    jupyter_cache.get_cache(str(cache_dir)).cache_notebook_bundle(
        CacheBundleIn(nb, str(path), data={"execution_seconds": 1.0}),
        check_validity=False,
    )
    return cache_dir


def way_out(cache_dir):
    return (
        f"; expected the jupyter-cache (database {cache_dir / 'global.db'} and "
        "executed notebooks) that "
        f"the book's build writes: remove it (rm -rf {cache_dir}, or make "
        "clean-cache, which also removes the saved trainings and records); "
        "the next make book executes every chapter again"
    )


def test_a_corrupt_cache_database_is_named_with_the_way_out(tmp_path):
    cache_dir = tmp_path / ".jupyter_cache-smoke"
    cache_dir.mkdir()
    (cache_dir / "global.db").write_bytes(b"not sqlite at all " * 200)
    with pytest.raises(BuildInputError) as caught:
        status_markdown(cache_dir)
    assert str(caught.value) == (
        f"execution cache {cache_dir} cannot be read (DatabaseError: file is "
        "not a database)" + way_out(cache_dir)
    )


def test_a_cache_database_without_its_tables_is_named(tmp_path):
    cache_dir = tmp_path / ".jupyter_cache-smoke"
    cache_dir.mkdir()
    # sqlite: a database, no tables
    (cache_dir / "global.db").write_bytes(b"")
    with pytest.raises(BuildInputError) as caught:
        status_markdown(cache_dir)
    assert str(caught.value) == (
        f"execution cache {cache_dir} cannot be read (OperationalError: no "
        "such table: nbcache)" + way_out(cache_dir)
    )


def test_a_cache_missing_its_executed_notebook_is_named(tmp_path):
    cache_dir = a_cache_with_one_chapter(tmp_path)
    for executed in (cache_dir / "executed").rglob("*.ipynb"):
        executed.unlink()
    with pytest.raises(BuildInputError) as caught:
        status_markdown(cache_dir)
    message = str(caught.value)
    assert message.startswith(
        f"execution cache {cache_dir} cannot be read ("
    )
    assert message.endswith(way_out(cache_dir))


def test_the_pages_step_names_a_corrupt_cache_in_one_line(tmp_path):
    from bookbuild import __main__ as cli

    a_cache_with_one_chapter(tmp_path)
    (tmp_path / ".jupyter_cache-smoke" / "global.db").write_bytes(
        b"x" * 4096
    )
    results = tmp_path / "results.json"
    results.write_text(
        '[{"id": "a/x", "value": 1.0, "reference": null, "profile": "smoke",'
        ' "device": "cpu", "seconds": 1.0}]'
    )
    with pytest.raises(SystemExit) as caught:
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
    message = str(caught.value)
    assert message.startswith(
        f"error: execution cache {tmp_path / '.jupyter_cache-smoke'} cannot "
        "be read (DatabaseError: file is not a database)"
    )
    assert "make clean-cache" in message and "\n" not in message
