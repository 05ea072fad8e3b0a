"""Lets the tests import ``bookbuild``, the build's code at the repository's
root, which is not installed (``python -m pytest`` from the root finds it too).
"""

import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(autouse=True)
def _no_published_runs(monkeypatch):
    """No test downloads the book's published runs unless it says so: each
    trains its own (tests/test_published.py serves them locally)."""
    monkeypatch.setenv("TUTORIAL_PUBLISHED_RUNS", "off")
