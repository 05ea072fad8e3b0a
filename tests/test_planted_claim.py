"""A false claim planted in a copy of a chapter stops it at full size, and is
only reported at smoke size.

The copy of ``part1_01_noisy_sine`` gets one cell right after its
``tl.start(...)``: ``run.claim(<planted words>, False, ...)``. Executed in a
fresh kernel (nbclient, this Python) with ``TUTORIAL_PROFILE=full`` it must
fail at that cell, before any full-size work, naming the claim; with
``smoke`` the whole chapter runs and the cell's output says that the claim
FAILED and is not enforced. Records and cached trainings go to the test's
own folder (``TUTORIAL_RESULTS_DIR``, ``TUTORIAL_ARTIFACTS_DIR``), never
into the repository. Seconds at smoke size, like tests/test_figures.py, so
not marked slow.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tutorial_lib.bookkeeping import records

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "part1_01_noisy_sine"
WORDS = "planted: the noisy sine has 61 distinct phases"
PLANTED = f'run.claim({WORDS!r}, False, values={{"phases": 60}})'


def planted_copy(folder: Path) -> tuple[Path, int]:
    """The chapter with the planted cell, in ``folder``; and that cell's index."""
    nb = nbformat.read(
        ROOT / "notebooks" / f"{CHAPTER}.ipynb", as_version=4
    )
    starts = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and "tl.start(" in cell.source
    ]
    assert len(starts) == 1, f"expected one tl.start( cell, got {starts}"
    at = starts[0] + 1
    nb.cells.insert(at, nbformat.v4.new_code_cell(PLANTED))
    folder.mkdir(parents=True)
    path = folder / f"{CHAPTER}.ipynb"
    nbformat.write(nb, path)
    return path, at


def execute(path: Path, profile: str, tmp_path: Path, monkeypatch):
    """Execute ``path`` at ``profile`` in a fresh kernel; the notebook, run."""
    monkeypatch.setenv("TUTORIAL_PROFILE", profile)
    monkeypatch.setenv(records.ENV_VAR, str(tmp_path / "records"))
    monkeypatch.setenv(
        "TUTORIAL_ARTIFACTS_DIR", str(tmp_path / "artifacts")
    )
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(path.parent)}},
    )
    return client, nb


def stored_claim(tmp_path: Path, profile: str) -> dict:
    folder = tmp_path / "records" / profile / CHAPTER
    return json.loads((folder / records.claim_file_name(WORDS)).read_text())


def test_a_planted_false_claim_stops_the_book_build_at_full(
    tmp_path, monkeypatch
):
    path, at = planted_copy(tmp_path / "notebooks")
    monkeypatch.setenv("TUTORIAL_STRICT_CLAIMS", "1")  # as the book's build
    client, nb = execute(path, "full", tmp_path, monkeypatch)
    with pytest.raises(CellExecutionError) as failure:
        client.execute()
    message = str(failure.value)
    assert "ClaimFailed" in message and WORDS in message
    assert "phases=60" in message
    executed = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and cell.get("execution_count")
    ]
    assert max(executed) == at, "the chapter went on past the planted cell"
    assert stored_claim(tmp_path, "full")["held"] is False


def test_a_planted_false_claim_is_reported_not_enforced_at_smoke(
    tmp_path, monkeypatch
):
    path, at = planted_copy(tmp_path / "notebooks")
    client, nb = execute(path, "smoke", tmp_path, monkeypatch)
    client.execute()
    text = "".join(
        output.get("text", "") for output in nb.cells[at].outputs
    )
    line = f"claim FAILED (not enforced at smoke size): {WORDS} (phases=60)"
    assert line in text.splitlines()
    last = nb.cells[-1]
    assert last.source.strip() == "run.stamp();"
    assert "Executed with profile=smoke" in "".join(
        output.get("text", "") for output in last.outputs
    )
    assert stored_claim(tmp_path, "smoke")["held"] is False
