"""The Makefile's build: claims strict, and another base seed in folders of its own."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None, reason="make is not installed"
)


def dry_run(*args: str) -> str:
    """What `make -n site ...` would run (nothing is executed)."""
    done = subprocess.run(
        [
            "make",
            "-n",
            "--no-print-directory",
            "site",
            "BIN=.venv/bin",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_the_build_makes_claims_strict_and_passes_the_seed():
    out = dry_run("PROFILE=full")
    assert "TUTORIAL_STRICT_CLAIMS=1" in out
    assert "TUTORIAL_SEED=0" in out
    assert ".jupyter_cache-full " in out or ".jupyter_cache-full\n" in out


def test_another_base_seed_gets_its_own_execution_cache():
    out = dry_run("PROFILE=full", "SEED=1")
    assert "TUTORIAL_SEED=1" in out
    assert "_build/.jupyter_cache-full-seed1" in out
    assert ".jupyter_cache-full " not in out
