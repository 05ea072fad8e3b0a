"""The code is formatted and linted by ruff (settings in pyproject.toml).

The line length is the width of the book's content column, so what the
formatter accepts is what a page shows without sideways scrolling.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = [
    "tutorial_lib",
    "bookbuild",
    "tests",
    "benchmarks",
    "notebooks",
    "book",
]


def ruff(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("ruff")
    command = (
        [str(exe)] if exe.is_file() else [shutil.which("ruff") or "ruff"]
    )
    return subprocess.run(
        [*command, *args, *CHECKED],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("args", [("check",), ("format", "--check")])
def test_ruff_passes(args):
    result = ruff(*args)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_sees_the_notebooks():
    # A configuration that silently skipped the chapters would pass the test above.
    listed = ruff("check", "--show-files").stdout
    assert "part1_02_vanilla_rnn.ipynb" in listed
    assert "tutorial_lib/training.py" in listed
