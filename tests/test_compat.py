"""The compatibility files: compat/oldest.txt holds exactly pyproject's floors, and every bound says why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]
# Only torch 2.13.0 (CPU) installs on the CI machine without GBs of CUDA packages.
HELD = {"torch": "2.13.0"}


def pins(name: str) -> dict[str, str]:
    out = {}
    for line in (ROOT / "compat" / name).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", (
                f"compat/{name}: {line} should be an exact pin"
            )
            out[req.name.lower()] = spec.version
    return out


def dependencies() -> list[Requirement]:
    return [
        Requirement(r)
        for r in tomllib.loads((ROOT / "pyproject.toml").read_text())[
            "project"
        ]["dependencies"]
    ]


pytestmark = pytest.mark.skipif(
    tomllib is None, reason="tomllib needs Python 3.11"
)


def test_oldest_pins_are_pyprojects_floors():
    oldest = pins("oldest.txt")
    floors = {}
    for req in dependencies():
        (spec,) = req.specifier  # one bound each: a floor
        assert spec.operator == ">=", (
            f"{req}: tutorial_lib's requirements have floors only"
        )
        floors[req.name.lower()] = spec.version
    assert set(oldest) == set(floors), (
        "compat/oldest.txt and pyproject.toml name different packages"
    )
    for name, floor in floors.items():
        want = HELD.get(name, floor)
        assert Version(oldest[name]) == Version(want), (
            f"compat/oldest.txt pins {name}=={oldest[name]}, but pyproject's floor is {floor}"
        )


def test_every_held_exception_is_said_in_the_file():
    text = (ROOT / "compat" / "oldest.txt").read_text()
    for name in HELD:
        assert re.search(rf"^# .*{name}", text, flags=re.M | re.I), (
            f"compat/oldest.txt must say why {name} is held"
        )


def test_every_requirement_has_a_comment_that_justifies_it():
    text = (ROOT / "pyproject.toml").read_text()
    block = text[
        text.index("dependencies = [") : text.index(
            "]", text.index("dependencies = [")
        )
    ]
    lines = block.splitlines()[1:]
    for i, line in enumerate(lines):
        if line.strip().startswith('"'):
            assert i > 0 and lines[i - 1].strip().startswith("#"), (
                f"pyproject.toml: {line.strip()} has no comment above it"
            )


def test_colab_file_is_dated_and_sourced():
    text = (ROOT / "compat" / "colab.txt").read_text()
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", text), (
        "compat/colab.txt must say when it was measured"
    )
    assert "Source:" in text
    assert pins("colab.txt")["torch"] == HELD["torch"]


def test_citation_file_has_what_cff_1_2_0_requires_and_the_licences():
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert cff.get(key), f"CITATION.cff needs {key}"
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())[
        "project"
    ]
    assert project["license"] in cff["license"], (
        "CITATION.cff and pyproject.toml name different code licences"
    )
    assert "CC-BY-4.0" in cff["license"]
    assert (
        cff["title"]
        == yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
    )
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert (
        "Attribution 4.0 International"
        in (ROOT / "LICENSE-CONTENT").read_text()
    )
