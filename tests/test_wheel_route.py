"""The pip route of book/setup.md, as a reader in their own Jupyter takes it.

Builds tutorial_lib's wheel, installs it (not editable) into a fresh virtual
environment (no system site-packages) with torch 2.13.0 first and
constraints.txt's versions, and executes one small chapter at smoke size from
an empty folder outside the repository: the installed package alone must be
enough. Slow (a whole environment): `make test-compat` runs it, `make test` does not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "notebooks" / "part1_01_noisy_sine.ipynb"
TORCH = "torch==2.13.0"


def sh(*args: str | Path, **kw) -> subprocess.CompletedProcess:
    print("$", " ".join(map(str, args)), flush=True)
    return subprocess.run([str(a) for a in args], check=True, **kw)


@pytest.mark.slow
def test_wheel_installs_and_runs_a_chapter_from_an_empty_folder(tmp_path):
    wheels, venv, reader = (
        tmp_path / "wheels",
        tmp_path / "venv",
        tmp_path / "reader",
    )
    reader.mkdir()
    sh(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "-w",
        wheels,
        ROOT,
    )
    (wheel,) = wheels.glob("tutorial_lib-*.whl")
    sh(sys.executable, "-m", "venv", venv)
    py = venv / "bin" / "python"
    sh(py, "-m", "pip", "install", "--quiet", TORCH)
    sh(
        py,
        "-m",
        "pip",
        "install",
        "--quiet",
        "-c",
        ROOT / "constraints.txt",
        wheel,
        "ipykernel",
        "nbclient",
    )
    freeze = sh(
        py, "-m", "pip", "list", capture_output=True, text=True
    ).stdout
    assert "nvidia-" not in freeze.lower(), (
        "the CUDA build of torch was installed"
    )
    assert "tutorial_lib" in freeze.replace("-", "_")

    shutil.copy(CHAPTER, reader / CHAPTER.name)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("TUTORIAL_", "PYTHON", "VIRTUAL_ENV", "MPLBACKEND")
        )
    }
    env |= {
        "TUTORIAL_PROFILE": "smoke",
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    }
    where = sh(
        py,
        "-c",
        "import tutorial_lib; print(tutorial_lib.__file__)",
        cwd=reader,
        env=env,
        capture_output=True,
        text=True,
    )
    assert str(venv) in where.stdout and str(ROOT) not in where.stdout, (
        where.stdout
    )
    run = textwrap.dedent(f"""
        import nbformat
        from nbclient import NotebookClient
        nb = nbformat.read({CHAPTER.name!r}, as_version=4)
        NotebookClient(nb, kernel_name="python3", timeout=600, resources={{"metadata": {{"path": "."}}}}).execute()
        images = sum("image/png" in o.get("data", {{}}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        print("figures:", images)
        assert images, "the chapter showed no figure"
    """)
    sh(py, "-c", run, cwd=reader, env=env)
