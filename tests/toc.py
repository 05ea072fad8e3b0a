"""The pages ``_toc.yml`` lists, shared by the notebook and site tests."""

from __future__ import annotations

from pathlib import Path

import yaml


def toc_files(root: Path) -> list[str]:
    """Every ``file:`` entry of ``root/_toc.yml`` without its suffix, in the book's order."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.append(str(Path(str(node["file"])).with_suffix("")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load((root / "_toc.yml").read_text()))
    return found
