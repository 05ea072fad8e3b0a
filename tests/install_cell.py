"""The first cell of every chapter (the install cell), made from ``_config.yml``.

The repository's address lives in one place, ``_config.yml`` (``repository.url``
and ``repository.branch``). ``python tests/install_cell.py --write`` (``make
install-cells``) rewrites the first cell of every notebook from it;
``tests/test_notebooks.py`` checks that each one is exactly this cell.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    [
        *(ROOT / "notebooks").glob("*.ipynb"),
        *(ROOT / "book").glob("*.ipynb"),
    ]
)


def repository(root: Path = ROOT) -> tuple[str, str]:
    """``(url, branch)`` of the book's repository, from ``_config.yml``."""
    repo = yaml.safe_load((root / "_config.yml").read_text())["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "master")


def pip_requirement(root: Path = ROOT) -> str:
    """What a reader gives pip to install tutorial_lib from the repository."""
    url, branch = repository(root)
    return f"tutorial_lib @ git+{url}@{branch}"


def cell_source(root: Path = ROOT) -> str:
    """The install cell, as ruff formats it and within its line length.

    IPython expands ``{REQUIREMENT}`` in the ``%pip`` line.
    """
    package, _, source = pip_requirement(root).partition(" @ ")
    return "\n".join(
        [
            "# Installs the book's package on Colab; elsewhere, says how.",
            "import importlib.util",
            "import sys",
            "",
            "REQUIREMENT = (",
            f'    "{package} @ "',
            f'    "{source}"',
            ")",
            'if "google.colab" in sys.modules:',
            '    %pip install --quiet "{REQUIREMENT}"',
            'elif importlib.util.find_spec("tutorial_lib") is None:',
            "    raise ModuleNotFoundError(",
            '        "tutorial_lib is missing: run this in a cell, then the "',
            "        f'chapter again:  %pip install \"{REQUIREMENT}\"'",
            "    )",
        ]
    )


def write(root: Path = ROOT) -> list[Path]:
    """Make the first cell of every notebook the install cell; returns the notebooks changed."""
    changed = []
    for path in (
        NOTEBOOKS
        if root == ROOT
        else sorted(
            [
                *(root / "notebooks").glob("*.ipynb"),
                *(root / "book").glob("*.ipynb"),
            ]
        )
    ):
        text = path.read_text()
        nb = json.loads(text)
        first = nb["cells"][0]
        lines = cell_source(root).splitlines(keepends=True)
        if first["cell_type"] != "code":
            raise SystemExit(
                f"{path}: the first cell is not a code cell; add the install cell by hand"
            )
        if first["source"] != lines:
            first["source"] = lines
            first.setdefault("metadata", {}).setdefault("tags", [])
            if "remove-cell" not in first["metadata"]["tags"]:
                first["metadata"]["tags"].append("remove-cell")
            path.write_text(
                json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
            )
            changed.append(path)
    return changed


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        print(cell_source())
    else:
        for p in write():
            print(f"rewrote the install cell of {p.relative_to(ROOT)}")
