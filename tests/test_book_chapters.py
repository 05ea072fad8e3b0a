"""benchmarks/book_chapters.py: the claims a run of the chapters checked."""

import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import book_chapters  # noqa: E402


def test_the_claims_of_every_chapter_are_kept_held_or_not(tmp_path):
    def claim(chapter, name, held, margin):
        folder = tmp_path / chapter
        folder.mkdir(exist_ok=True)
        (folder / f"claim-{name}.json").write_text(
            json.dumps({"statement": name, "held": held, "margin": margin})
        )

    claim("part1_04_gru", "close", True, 0.04)
    claim("part1_04_gru", "fact", True, math.inf)
    claim("part2_03_sweep", "lost", False, None)
    (tmp_path / "part2_03_sweep" / "cost.json").write_text("{}")

    assert book_chapters.chapter_claims(tmp_path) == [
        {
            "chapter": "part1_04_gru",
            "statement": "close",
            "held": True,
            "margin": 0.04,
        },
        {
            "chapter": "part1_04_gru",
            "statement": "fact",
            "held": True,
            "margin": "exact",
        },
        {
            "chapter": "part2_03_sweep",
            "statement": "lost",
            "held": False,
            "margin": None,
        },
    ]
