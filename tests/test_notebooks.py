"""Every chapter notebook, whichever exist: the Colab install cell, no outputs, a place in the book.

The repository's address lives in one place, ``_config.yml`` (``repository.url``
and ``repository.branch``); the launch buttons are made from it, and each
notebook's first cell must install ``tutorial_lib`` from exactly that address.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

import toc

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]
# Chapters in notebooks/, and notebook pages in book/ (the explorer).
NOTEBOOKS = sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "book").glob("*.ipynb")])
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
# Colab's preinstalled versions (it ships ipywidgets 7 and its own torch build);
# tutorial_lib's requirements must accept them as they are.
COLAB_VERSIONS = {"torch": "2.5.1+cu121", "ipywidgets": "7.7.1", "numpy": "1.26.4", "scipy": "1.13.1",
                  "matplotlib": "3.8.0", "tqdm": "4.66.6"}


def repository() -> tuple[str, str]:
    repo = CONFIG["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "master")


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def toc_files() -> set[str]:
    return set(toc.toc_files(ROOT))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no chapter notebooks found in notebooks/"


def test_repository_url_is_a_github_repository_on_main():
    url, branch = repository()
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    assert branch == "main"
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_first_cell_installs_tutorial_lib_on_colab_only(path):
    nb = json.loads(path.read_text())
    first = nb["cells"][0]
    assert first["cell_type"] == "code", "the first cell must be the Colab install cell"
    assert "remove-cell" in first.get("metadata", {}).get("tags", []), "the install cell must be hidden (tag remove-cell)"
    url, branch = repository()
    lines = [line for line in source(first).splitlines() if line.strip() and not line.strip().startswith("#")]
    assert lines == [
        "import sys",
        'if "google.colab" in sys.modules:',
        f'    %pip install --quiet "tutorial_lib @ git+{url}@{branch}"',
    ], f"{path.name}: the first cell differs from the install cell of the other chapters"
    # Outside Colab the cell must do nothing: run it (the %pip line made into a
    # function call) in a namespace where google.colab is not imported.
    calls = []
    code = re.sub(r"%pip install (.*)$", lambda m: f"_pip({m.group(1)!r})", source(first), flags=re.M)
    exec(compile(code, path.name, "exec"), {"_pip": lambda *a: calls.append(a)})
    assert calls == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert dirty == [], f"{path.name}: cells {dirty} carry outputs or execution counts; commit notebooks without them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_is_a_chapter_and_ends_with_the_run_stamp(path):
    page = path.relative_to(ROOT).with_suffix("").as_posix()
    assert page in toc_files(), f"{page} is not in _toc.yml, so the book would not build it"
    code = [source(c).strip() for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    assert code[-1] == "run.stamp();", f"{path.name}: the last code cell must be `run.stamp();`"


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_runtime_requirements_accept_what_colab_preinstalls():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = {Requirement(r).name: Requirement(r) for r in project["dependencies"]}
    for name, version in COLAB_VERSIONS.items():
        assert name in requirements, f"{name} should be a requirement of tutorial_lib"
        assert requirements[name].specifier.contains(version, prereleases=True), (
            f"tutorial_lib requires {requirements[name]}, which would upgrade Colab's {name} {version}"
        )
