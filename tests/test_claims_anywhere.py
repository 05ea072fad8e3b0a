"""benchmarks/claims_anywhere.py: what a build's claims say of their margins."""

import math
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import claims_anywhere  # noqa: E402


def test_margins_are_listed_smallest_first_exact_and_unmeasured_last():
    claims = [
        {"chapter": "b", "statement": "exact", "margin": math.inf},
        {"chapter": "a", "statement": "wide", "margin": 0.5},
        {"chapter": "c", "statement": "plain bool", "margin": None},
        {"chapter": "a", "statement": "close", "margin": 0.0123},
    ]
    assert claims_anywhere.margins(claims) == [
        "1.2% a: close",
        "50.0% a: wide",
        "exact b: exact",
        "none c: plain bool",
    ]


def test_a_build_s_commit_is_read_from_its_own_folder(tmp_path):
    def git(*args):
        return subprocess.run(
            ["git", "-C", str(tmp_path), *args],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    git("init", "-q")
    (tmp_path / "f").write_text("x")
    git("add", "f")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "m")
    assert claims_anywhere.folder_commit(tmp_path) == git(
        "rev-parse", "--short", "HEAD"
    )
