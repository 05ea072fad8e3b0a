"""Installing tutorial_lib prints no deprecation warning about its licence.

setuptools (>= 77) deprecates ``license = { text = ... }``: pyproject.toml
gives the SPDX expression and the licence file (PEP 639). The package's
metadata is prepared here as pip does (setuptools' build backend, in a copy
of the files a build reads), offline, with every warning shown.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PREPARE = """
import os
from setuptools import build_meta
os.mkdir("meta")
print(build_meta.prepare_metadata_for_build_wheel("meta"))
"""


def test_the_metadata_says_mit_without_a_deprecation_warning(tmp_path):
    for name in (
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "LICENSE-CONTENT",
    ):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(
        ROOT / "tutorial_lib",
        tmp_path / "tutorial_lib",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", PREPARE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "Deprecat" not in log, log
    metadata = (
        tmp_path / "meta" / done.stdout.split()[-1] / "METADATA"
    ).read_text()
    fields = [
        line for line in metadata.splitlines() if line.startswith("License")
    ]
    # the code's licence only: the prose's (LICENSE-CONTENT) is not packaged
    assert fields == ["License-Expression: MIT", "License-File: LICENSE"], (
        fields
    )
