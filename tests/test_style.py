"""The code is formatted and linted by ruff (settings in pyproject.toml).

The line length is the width of the book's content column, so what the
formatter accepts is what a page shows without sideways scrolling.
"""

from __future__ import annotations

import ast
import json
import re
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


def _code_lines(path: Path) -> list[str]:
    """The lines of a module, or of a notebook's code cells."""
    if path.suffix == ".py":
        return path.read_text().splitlines()
    cells = json.loads(path.read_text())["cells"]
    return [
        line
        for cell in cells
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
    ]


def _reader_lines(*folders: str) -> list[tuple[str, str]]:
    """``(file, line)`` for every code line of the modules and notebooks
    in ``folders``."""
    paths = [
        path
        for folder in folders
        for path in sorted((ROOT / folder).glob("*"))
        if path.suffix in (".py", ".ipynb")
    ]
    return [
        (str(path.relative_to(ROOT)), line)
        for path in paths
        for line in _code_lines(path)
    ]


def test_no_comment_trails_a_closing_bracket():
    # A comment after code makes the formatter wrap the code around it
    # (`x = f(\n    a\n)  # comment`); the reader's code, and the
    # maintainers', keeps comments on their own line above it.
    pattern = re.compile(r"^\s*[)\]}][^#\"']*#")
    folders = [
        "tutorial_lib",
        "tutorial_lib/classical",
        "tutorial_lib/bookkeeping",
        "notebooks",
        "book",
        "tests",
        "bookbuild",
        "benchmarks",
    ]
    found = [
        f"{name}: {line.strip()}"
        for name, line in _reader_lines(*folders)
        if pattern.match(line)
    ]
    assert found == [], "move these comments above their statement"


def test_figures_fit_the_content_column():
    # The content column is about 690 px wide at 1280 px; a figure wider
    # than 9.6 inches (at matplotlib's 100 dpi) is shrunk until its 10-point
    # tick labels are under 10 px. Wide grids are split into rows instead.
    widths = re.compile(r"figsize=\(\s*([0-9.]+)\s*,")
    too_wide = [
        f"{name}: {line.strip()}"
        for name, line in _reader_lines("notebooks", "book")
        for width in widths.findall(line)
        if float(width) > 9.6
    ]
    assert too_wide == []


MODULE_LINES = 350
"""The longest module of ``tutorial_lib`` a reader should meet."""
FUNCTION_LINES = 70
"""The longest function, docstring not counted: :func:`fit`, the loop a
chapter reads whole, is the longest (69 lines)."""


def _long_functions(path: Path) -> list[str]:
    """``module:function (n lines)`` for each function of ``path`` whose
    code, without its docstring, is longer than FUNCTION_LINES."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        lines = node.end_lineno - node.lineno + 1
        if ast.get_docstring(node) is not None:
            doc = node.body[0]
            lines -= doc.end_lineno - doc.lineno + 1
        if lines > FUNCTION_LINES:
            found.append(f"{path.name}:{node.name} ({lines} lines)")
    return found


def test_the_package_stays_small_enough_to_read():
    modules = sorted((ROOT / "tutorial_lib").rglob("*.py"))
    long_modules = [
        f"{path.name} ({n} lines)"
        for path in modules
        if (n := len(path.read_text().splitlines())) > MODULE_LINES
    ]
    long_functions = [f for path in modules for f in _long_functions(path)]
    assert long_modules == [], f"split these modules: over {MODULE_LINES}"
    assert long_functions == [], f"split these: over {FUNCTION_LINES}"


def test_the_size_check_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(FUNCTION_LINES))
    module = tmp_path / "long.py"
    module.write_text(f'def f():\n    """Doc."""\n{body}\n    return 0\n')
    assert _long_functions(module) == [
        f"long.py:f ({FUNCTION_LINES + 2} lines)"
    ]
