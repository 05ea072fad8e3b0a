"""What chapters import (``tutorial_lib``) and what builds the book (``bookbuild``)
stay apart, and the build's generated pages ask for ids the chapters record."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from bookbuild import __main__ as cli
from bookbuild import leaderboard

ROOT = Path(__file__).resolve().parents[1]
ID_PART = "[a-z0-9._-]+"


def imported_modules(tree: ast.AST) -> set[str]:
    """Every module that an ``import``, a ``from`` or ``import_module("...")`` names."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            first = node.args[0]
            literal = isinstance(first, ast.Constant)
            if name in ("import_module", "__import__") and literal:
                found.add(str(first.value))
    return found


def test_no_tutorial_lib_module_imports_bookbuild():
    files = sorted((ROOT / "tutorial_lib").rglob("*.py"))
    assert len(files) > 5
    offenders = {
        path.name: sorted(
            m
            for m in imported_modules(ast.parse(path.read_text()))
            if m.split(".")[0] == "bookbuild"
        )
        for path in files
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_importing_every_tutorial_lib_module_loads_no_bookbuild():
    code = (
        "import importlib, pkgutil, sys, tutorial_lib\n"
        "for m in pkgutil.walk_packages(tutorial_lib.__path__, 'tutorial_lib.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] == 'bookbuild'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_command_line_lists_both_build_steps():
    text = cli.parser().format_help()
    assert "gather" in text and "pages" in text


def test_the_makefile_and_config_use_bookbuild():
    makefile = (ROOT / "Makefile").read_text()
    assert (
        "-m bookbuild gather" in makefile
        and "-m bookbuild pages" in makefile
    )
    assert "-m tutorial_lib" not in makefile
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    for name, folder in config["sphinx"]["local_extensions"].items():
        assert (ROOT / folder / f"{name}.py").is_file(), (name, folder)
    assert "bookbuild/**" in config["exclude_patterns"]


def notebook_cells(path: Path) -> list[str]:
    """A notebook's code cells as Python (IPython's ``%``, ``!`` lines: ``pass``)."""
    cells = json.loads(path.read_text())["cells"]
    return [
        re.sub(
            r"^(\s*)[%!].*$",
            r"\1pass",
            "".join(cell["source"]),
            flags=re.MULTILINE,
        )
        for cell in cells
        if cell["cell_type"] == "code"
    ]


def id_pattern(node: ast.expr) -> str | None:
    """A regular expression for a literal or f-string id; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(
            re.escape(part.value)
            if isinstance(part, ast.Constant)
            else ID_PART
            for part in node.values
        )
    return None


def recorded_id_patterns() -> dict[str, str]:
    """``{pattern: notebook}`` for every ``run.record(<id>, ...)`` in the chapters."""
    found = {}
    for path in sorted(
        [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("book/*.ipynb")]
    ):
        nodes = (
            n
            for cell in notebook_cells(path)
            for n in ast.walk(ast.parse(cell))
        )
        for node in nodes:
            is_record = (
                getattr(getattr(node, "func", None), "attr", "") == "record"
            )
            if (
                is_record
                and node.args
                and (pattern := id_pattern(node.args[0]))
            ):
                found[pattern] = path.name
    return found


def leaderboard_ids() -> set[str]:
    """Every record id the leaderboard looks up."""
    ids = set()
    for row in leaderboard.ROWS:
        alphas = row.alphas or (None,)
        ids.update(row.error.format(alpha=a) for a in alphas)
        if row.params:
            ids.add(row.params)
    return ids


def test_the_chapters_record_ids():
    patterns = recorded_id_patterns()
    assert "part1/rnn/test_l1" in patterns  # a literal id
    assert re.fullmatch(
        f"part2/ae/d{ID_PART}/alpha{ID_PART}/val_mse",
        "part2/ae/d4/alpha0.1/val_mse",
    )


def test_every_id_the_leaderboard_uses_is_recorded_by_a_chapter():
    patterns = recorded_id_patterns()
    ids = leaderboard_ids()
    assert len(ids) > 20
    unrecorded = sorted(
        i for i in ids if not any(re.fullmatch(p, i) for p in patterns)
    )
    assert not unrecorded, f"no chapter records {unrecorded}"


def start_chapters(path: Path) -> list[object]:
    """The ``chapter=`` of every ``tl.start(...)`` call in a notebook (None: absent)."""
    found = []
    for cell in notebook_cells(path):
        for node in ast.walk(ast.parse(cell)):
            if getattr(getattr(node, "func", None), "attr", "") != "start":
                continue
            given = {k.arg: k.value for k in node.keywords}
            literal = given.get("chapter")
            found.append(
                literal.value if isinstance(literal, ast.Constant) else None
            )
    return found


def test_every_notebook_starts_its_run_under_its_own_name():
    notebooks = sorted(
        [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("book/*.ipynb")]
    )
    assert len(notebooks) > 10
    wrong = {
        p.name: start_chapters(p)
        for p in notebooks
        if start_chapters(p) != [p.stem]
    }
    assert not wrong, (
        "expected one tl.start(chapter='<file name>') per notebook"
    )
