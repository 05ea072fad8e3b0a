"""bookbuild.status: the status page is read from a real (tiny) jupyter-cache."""

from __future__ import annotations

import nbformat
import pytest

jupyter_cache = pytest.importorskip(
    "jupyter_cache"
)  # the book extra (make test); not in the compat envs

from jupyter_cache.base import CacheBundleIn  # noqa: E402

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


def test_status_of_an_empty_cache_says_so(tmp_path):
    assert "empty" in status_markdown(tmp_path / "nothing")
