"""Every chapter notebook, whichever exist: the install cell, no outputs, a place in the book.

The repository's address lives in one place, ``_config.yml`` (``repository.url``
and ``repository.branch``); the launch buttons are made from it, each
notebook's first cell is made from it (``make install-cells``,
``tests/install_cell.py``), and the README, the set-up page and CITATION.cff
must name exactly that address.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import install_cell
import pytest
import toc
import yaml
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]
# Chapters in notebooks/, and notebook pages in book/ (the explorer).
NOTEBOOKS = sorted(
    [
        *(ROOT / "notebooks").glob("*.ipynb"),
        *(ROOT / "book").glob("*.ipynb"),
    ]
)
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
# Colab's preinstalled versions (it ships ipywidgets 7 and its own torch build),
# measured and dated in compat/colab.txt; tutorial_lib's requirements must accept them.
COLAB_VERSIONS = {
    Requirement(line).name: str(
        next(iter(Requirement(line).specifier)).version
    )
    for line in (ROOT / "compat" / "colab.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
}


def repository() -> tuple[str, str]:
    repo = CONFIG["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "master")


def source(cell: dict) -> str:
    return (
        "".join(cell["source"])
        if isinstance(cell["source"], list)
        else cell["source"]
    )


def toc_files() -> set[str]:
    return set(toc.toc_files(ROOT))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no chapter notebooks found in notebooks/"


def test_repository_url_is_a_github_repository_on_main():
    url, branch = repository()
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    assert branch == "main"
    assert (
        CONFIG["launch_buttons"]["colab_url"]
        == "https://colab.research.google.com"
    )


def run_install_cell(
    code: str, *, colab: bool, has_tutorial_lib: bool
) -> list[str]:
    """Run an install cell with its %pip line made a function call; returns what it gave pip."""
    import importlib.util

    calls: list[str] = []
    code = re.sub(
        r"^(\s*)%pip install (.*)$",
        # IPython expands {name} in a magic's line as an f-string would.
        lambda m: f"{m.group(1)}_pip(f{m.group(2)!r})",
        code,
        flags=re.M,
    )
    modules = dict(sys.modules)
    if colab:
        modules["google.colab"] = object()
    else:
        modules.pop("google.colab", None)
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        return (
            None
            if name == "tutorial_lib" and not has_tutorial_lib
            else real_find_spec(name, *args)
        )

    fake_sys = type("sys", (), {"modules": modules})
    fake_util = type("util", (), {"find_spec": staticmethod(find_spec)})
    fake_importlib = type("importlib", (), {"util": fake_util})
    code = re.sub(r"^import (importlib\.util|sys)$", "", code, flags=re.M)
    exec(
        compile(code, "install cell", "exec"),
        {
            "_pip": calls.append,
            "sys": fake_sys,
            "importlib": fake_importlib,
        },
    )
    return calls


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_first_cell_is_the_install_cell(path):
    nb = json.loads(path.read_text())
    first = nb["cells"][0]
    assert first["cell_type"] == "code", (
        "the first cell must be the install cell"
    )
    assert "remove-cell" in first.get("metadata", {}).get("tags", []), (
        "the install cell must be hidden (tag remove-cell)"
    )
    assert source(first) == install_cell.cell_source(ROOT), (
        f"{path.name}: the first cell differs from the install cell made from _config.yml; run `make install-cells`"
    )


def test_install_cell_installs_on_colab_and_tells_elsewhere():
    code = install_cell.cell_source(ROOT)
    url, branch = repository()
    wanted = f"tutorial_lib @ git+{url}@{branch}"
    # On Colab: pip installs tutorial_lib from the repository.
    assert run_install_cell(code, colab=True, has_tutorial_lib=False) == [
        f'--quiet "{wanted}"'
    ]
    # In a reader's own Jupyter with tutorial_lib installed: nothing happens.
    assert run_install_cell(code, colab=False, has_tutorial_lib=True) == []
    # Without it: the chapter stops at once and says what to run.
    with pytest.raises(
        ModuleNotFoundError, match=re.escape(f'%pip install "{wanted}"')
    ):
        run_install_cell(code, colab=False, has_tutorial_lib=False)


def github_urls(text: str) -> set[str]:
    return {
        m.rstrip("/.")
        for m in re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", text)
    }


@pytest.mark.parametrize(
    "name", ["README.md", "book/setup.md", "CITATION.cff"]
)
def test_every_way_in_names_the_repository_of_config(name):
    url, _ = repository()
    text = (ROOT / name).read_text()
    assert url in text, (
        f"{name} should give the repository's address {url} (from _config.yml)"
    )
    others = github_urls(text) - {url, url.removesuffix(".git")}
    assert not others, (
        f"{name} names another repository than _config.yml's {url}: {sorted(others)}"
    )


def test_setup_page_gives_the_install_cells_pip_command():
    assert (
        install_cell.pip_requirement(ROOT)
        in (ROOT / "book" / "setup.md").read_text()
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code"
        and (c.get("outputs") or c.get("execution_count"))
    ]
    assert dirty == [], (
        f"{path.name}: cells {dirty} carry outputs or execution counts; commit notebooks without them"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_is_a_chapter_and_ends_with_the_run_stamp(path):
    page = path.relative_to(ROOT).with_suffix("").as_posix()
    assert page in toc_files(), (
        f"{page} is not in _toc.yml, so the book would not build it"
    )
    code = [
        source(c).strip()
        for c in json.loads(path.read_text())["cells"]
        if c["cell_type"] == "code"
    ]
    assert code[-1] == "run.stamp();", (
        f"{path.name}: the last code cell must be `run.stamp();`"
    )


# A Markdown table's separator row written out in code: "|---|" or "| --- |".
HAND_MADE_TABLE = re.compile(r"""["']\|\s*:?-{3}""")


def hand_made_tables(code: str) -> list[str]:
    """The lines of ``code`` that write a Markdown table's rule by hand."""
    return [
        line for line in code.splitlines() if HAND_MADE_TABLE.search(line)
    ]


def test_the_table_check_finds_a_hand_made_table():
    assert hand_made_tables('rows = ["| a | b |", "|---|---|"]')
    assert hand_made_tables('"| --- |" + " ---: |" * 3')
    assert not hand_made_tables("display(plots.table(rows))")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tables_are_built_by_plots_table_not_by_hand(path):
    """A table is data given to `plots.table`, not Markdown put together
    line by line in the chapter: the reader should not scroll past it."""
    found = [
        line
        for c in json.loads(path.read_text())["cells"]
        if c["cell_type"] == "code"
        for line in hand_made_tables(source(c))
    ]
    assert found == [], (
        f"{path.name} writes Markdown tables by hand: {found}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_cell_ids_are_unique(path):
    ids = [c.get("id") for c in json.loads(path.read_text())["cells"]]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    assert twice == [], f"{path.name}: cell ids used twice: {twice}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_claim_cells_hide_their_code(path):
    """A claim's code is the book's check, not the lesson: its cell is
    collapsed (``hide-input``), and the page shows only what was checked."""
    shown = [
        i
        for i, c in enumerate(json.loads(path.read_text())["cells"])
        if c["cell_type"] == "code"
        and "run.claim(" in source(c)
        and "hide-input" not in c.get("metadata", {}).get("tags", [])
    ]
    assert shown == [], (
        f"{path.name}: cells {shown} make claims but show their code; tag "
        "them hide-input (split the lesson's code into a cell of its own)"
    )


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_runtime_requirements_accept_what_colab_preinstalls():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())[
        "project"
    ]
    requirements = {
        Requirement(r).name: Requirement(r) for r in project["dependencies"]
    }
    for name, version in COLAB_VERSIONS.items():
        assert name in requirements, (
            f"{name} should be a requirement of tutorial_lib"
        )
        assert requirements[name].specifier.contains(
            version, prereleases=True
        ), (
            f"tutorial_lib requires {requirements[name]}, which would upgrade Colab's {name} {version}"
        )
