"""No measured number is typed into a chapter's prose.

A number a chapter measured reaches its markdown through a glue role
(``{glue:text}`name:.4f```, from :func:`tutorial_lib.bookkeeping.prose.glue` in the cell
that computed it), so a rebuild that changes the number changes the
sentence. Typed decimals are allowed only where they are settings of the
experiments or the write-ups' own numbers, each listed below with why. This
test reads every chapter's markdown cells (without code, maths and glue
roles) and fails on any other decimal number, naming the chapter, the cell
and the number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))

TYPED = {
    "beyond_01_baselines": {
        "0.036": "the 2018 post's test L1 of its GRU",
        "0.35": "setting: the 2018 noise bound",
    },
    "beyond_02_open_questions": {
        "0.175": "setting-derived: the noise's mean absolute value, 0.35 / 2",
        "0.6": "setting-derived: mean |sin| = 2 / pi, the L1 of an output "
        "near zero",
    },
    "beyond_03_best_denoiser": {
        "0.036": "the 2018 post's test L1 of its GRU",
        "0.35": "setting: the 2018 noise bound",
    },
    "part1_02_vanilla_rnn": {
        "0.175": "setting-derived: the noise's mean absolute value, 0.35 / 2",
    },
    "part1_05_watching_it_learn": {
        "0.175": "setting-derived: the noise's mean absolute value, 0.35 / 2",
    },
    "part1_06_missing_targets": {
        "0.175": "setting-derived: the noise's mean absolute value, 0.35 / 2",
    },
    "part2_03_depth_noise_sweep": {
        **{
            v: "the 2024 post's figure, read off at epoch 50"
            for v in (
                "0.01 0.025 0.06 0.13 0.012 0.033 0.064 0.35 0.34 0.46 "
                "0.48 0.80 0.79 0.84 0.86"
            ).split()
        },
        "0.1": "setting: a noise level",
        "0.2": "setting: a noise level",
        "0.3": "setting: a noise level",
        "0.4": "setting: a noise level",
        "0.005": "the precision of the readings off the post's figure",
        "0.02": "the precision of the readings off the post's figure",
    },
    "part2_04_is_deeper_worse": {
        **{
            v: "the 2024 post's figure, read off"
            for v in "0.01 0.13 0.35 0.48 0.8 0.9".split()
        },
    },
}

DECIMAL = re.compile(r"(?<![\w.])\d*\.\d+(?:e-?\d+)?")


def prose(markdown: str) -> str:
    """``markdown`` without fenced blocks, inline code, maths and roles."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", text)  # glue and other roles
    text = re.sub(r"`[^`]*`", " ", text)
    return re.sub(r"\$[^$]*\$", " ", text)


def typed_decimals(path: Path) -> list[tuple[str, str]]:
    """``(cell id, number)`` for every decimal in the chapter's prose."""
    found = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            text = prose("".join(cell["source"]))
            found += [(cell.get("id"), n) for n in DECIMAL.findall(text)]
    return found


def test_the_prose_filter_keeps_typed_numbers_and_drops_glued_ones():
    text = (
        "It scores 0.0123 here, {glue:text}`score:.4f` glued, `x = 0.5` "
        "in code, $\\alpha = 0.3$ in maths.\n```python\ny = 0.7\n```\n"
    )
    assert DECIMAL.findall(prose(text)) == ["0.0123"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_decimal_in_the_prose_is_glued_or_a_listed_setting(path):
    allowed = TYPED.get(path.stem, {})
    unlisted = [(c, n) for c, n in typed_decimals(path) if n not in allowed]
    assert not unlisted, (
        f"{path.name}: typed decimals in prose (cell, number) {unlisted}: "
        "glue a measured value with tutorial_lib.bookkeeping.prose.glue, or list a "
        "setting or a write-up's number in TYPED with why"
    )


def test_every_listed_number_is_still_in_its_chapter():
    for stem, allowed in TYPED.items():
        present = {
            n for _, n in typed_decimals(ROOT / f"notebooks/{stem}.ipynb")
        }
        stale = sorted(set(allowed) - present)
        assert not stale, f"{stem}: listed but not in the prose: {stale}"
