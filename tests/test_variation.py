import json

import numpy as np
import pytest

from bookbuild.errors import BuildInputError
from bookbuild.perfpage import targets_markdown
from bookbuild.variation import variation_markdown

MACHINE = {
    "gpu": "Test GPU",
    "cores": 4,
    "date": "2026-01-01",
    "python": "3.12",
}


def _spread(tmp_path, values):
    runs = [
        {"part": part, "run": run, "seed": s, "value": v}
        for (part, run), vs in values.items()
        for s, v in enumerate(vs)
    ]
    (tmp_path / "seed_spread_cuda.json").write_text(
        json.dumps(
            {
                "machine": MACHINE,
                "seeds": [0, 1, 2],
                "book_seed": 0,
                "runs": runs,
            }
        )
    )
    return tmp_path


def _row(text, start):
    return next(
        line for line in text.splitlines() if line.startswith(start)
    )


def test_comparisons_are_ranked_only_beyond_the_scatter(tmp_path):
    folder = _spread(
        tmp_path,
        {
            ("part1", "bigru"): [0.030, 0.031, 0.029],
            ("part1", "birnn"): [0.050, 0.060, 0.040],
            ("part1", "rnn"): [0.050, 0.051, 0.049],
            ("part2", "2/0.4"): [0.040, 0.041, 0.039],
            ("part2", "8/0.4"): [0.020, 0.021, 0.019],
        },
    )
    text = variation_markdown(folder, [])
    assert "holds, larger than the scatter" in _row(
        text, "| Part I: bidirectional GRU below RNN"
    )
    assert "within the scatter" in _row(
        text, "| Part I: bidirectional RNN below RNN"
    )
    assert "reversed, larger than the scatter" in _row(
        text, "| Part II, alpha 0.4: depth 2 below depth 8"
    )
    assert "did not run at the full profile" in text


def test_build_values_outside_the_scatter_are_listed(tmp_path):
    folder = _spread(
        tmp_path,
        {
            ("part1", "rnn"): [0.050, 0.051, 0.049],
            ("part2", "4/0.1"): [0.0013, 0.0014, 0.0012],
        },
    )
    records = [
        {"id": "part1/rnn/test_l1", "value": 0.0505, "profile": "full"},
        {
            "id": "part2/ae/d4/alpha0.1/val_mse",
            "value": 0.003,
            "profile": "full",
        },
    ]
    text = variation_markdown(folder, records)
    assert "0.0505 |" in _row(text, "| Part I, RNN: test L1")
    assert "(outside 2 std)" in _row(text, "| Part II, depth 4, alpha 0.1")
    assert text.count("(outside 2 std)") == 1
    assert "mean: Part II, depth 4, alpha 0.1: validation MSE." in text
    # A smoke build's values are never set beside the full-size runs.
    smoke = [dict(r, profile="smoke") for r in records]
    assert "did not run at the full profile" in variation_markdown(
        folder, smoke
    )


def test_a_broken_seed_file_is_named(tmp_path):
    (tmp_path / "seed_spread_cuda.json").write_text(
        '{"machine": {}, "runs": [{}]}'
    )
    with pytest.raises(BuildInputError, match="seed_spread_cuda.json"):
        variation_markdown(tmp_path, [])
    assert "Not measured yet" in variation_markdown(tmp_path / "none", [])


def _fit(device, ms, ratio):
    return {
        "rows": [
            {
                "case": "BiGRU(30), full batch",
                "device": device,
                "plain_ms_per_step": ms,
                "ratio": ratio,
            }
        ]
    }


def test_gpu_targets_are_judged_from_the_measurements():
    cpu = _fit("cpu", 1300.0, 1.0)
    chapters = {
        "complete": True,
        "chapters": [
            {"chapter": "a", "seconds": 100.0, "error": None},
            {"chapter": "b", "seconds": 50.0, "error": None},
        ],
    }
    text = targets_markdown(cpu, _fit("cuda", 40.0, 1.02), chapters)
    assert "3 minutes or less: met: every chapter in 150 s" in text
    assert "plain loop on the GPU: met (largest ratio 1.020" in text
    assert "than this CPU: met (32 to 32 times)" in text
    cut = {
        "complete": False,
        "chapters": [
            {"chapter": "a", "seconds": 100.0, "error": None},
            {"chapter": "b", "seconds": 300.0, "error": "cut off"},
        ],
    }
    text = targets_markdown(cpu, _fit("cuda", 65.0, 1.2), cut)
    assert "not met: 1 chapter ran to the end in 100 s" in text
    assert "then b had not finished after 300 s" in text
    assert "GPU: not met (largest ratio 1.200" in text
    assert "than this CPU: not met (20 to 20 times)" in text


def seed_records(profile="full"):
    """The records Part II's chapter 3 writes: every seed's test MSE."""
    values = {
        (2, 0.1): [0.0020, 0.0021, 0.0019],
        (4, 0.1): [0.0013, 0.0014, 0.0013],
    }
    return [
        {
            "id": f"part2/ae/d{d}/alpha{a}/test_mse/seed{s}",
            "value": v,
            "profile": profile,
        }
        for (d, a), vs in values.items()
        for s, v in enumerate(vs)
    ] + [
        {
            "id": "part2/ae/d2/alpha0.1/test_mse",
            "value": 0.002,
            "profile": profile,
        }
    ]


def test_the_page_opens_with_the_build_s_own_seeds(tmp_path):
    from bookbuild.variation import build_values

    values = build_values(seed_records())
    assert values[("part2", "2/0.1")] == {0: 0.0020, 1: 0.0021, 2: 0.0019}
    page = variation_markdown(tmp_path, seed_records())
    assert page.startswith("## This build's seeds")
    assert (
        "| Part II, depth 2, alpha 0.1: test MSE | 3 | 0.002 | 0.0001 "
        "| 0.0019 | 0.0021 |"
    ) in page
    assert (
        "| Part II, alpha 0.1: depth 4 below depth 2 | 0.001333 | 0.002 "
        "| 3 and 3 | holds, larger than the scatter |"
    ) in page
    assert page.index("## This build's seeds") < page.index(
        "## Cross-check"
    )


def test_the_chance_of_a_false_ranking_matches_the_rule_in_simulation():
    from bookbuild.variation import chance_of_a_false_ranking
    from tutorial_lib.bookkeeping.verdicts import differs

    rng = np.random.default_rng(0)
    trials = rng.standard_normal((4000, 2, 3))  # equal methods, 3 seeds
    rate = np.mean([differs(a, b) for a, b in trials])
    assert chance_of_a_false_ranking(3) == pytest.approx(0.116, abs=0.001)
    assert rate == pytest.approx(chance_of_a_false_ranking(3), abs=0.015)
    assert chance_of_a_false_ranking(5) < chance_of_a_false_ranking(3)
    with pytest.raises(ValueError, match="n must be at least 2 seeds"):
        chance_of_a_false_ranking(1)


def test_the_page_counts_the_comparisons_the_rule_may_rank_by_chance(
    tmp_path,
):
    page = variation_markdown(tmp_path, seed_records())
    assert (
        "With 3 seeds a side it ranks two equal methods about 12%" in page
    )
    assert "No correction for that many comparisons is made" in page


def test_part_one_s_seeds_join_the_page_and_its_comparisons(tmp_path):
    from bookbuild.variation import build_values

    part1 = [
        {
            "id": f"part1/{run}/test_l1/seed{s}",
            "value": v,
            "profile": "full",
        }
        for run, vs in {
            "bigru": [0.036, 0.035, 0.037],
            "rnn": [0.050, 0.048, 0.052],
        }.items()
        for s, v in enumerate(vs)
    ] + [{"id": "part1/rnn/test_l1", "value": 0.05, "profile": "full"}]
    values = build_values(seed_records() + part1)
    assert values[("part1", "rnn")] == {0: 0.050, 1: 0.048, 2: 0.052}
    assert ("part1", "birnn") not in values
    page = variation_markdown(tmp_path, seed_records() + part1)
    assert "| Part I, bidirectional GRU: test L1 | 3 | 0.036 |" in page
    assert (
        "| Part I: bidirectional GRU below RNN | 0.036 | 0.05 | 3 and 3 "
        "| holds, larger than the scatter |"
    ) in page
    # a smoke record of the same run is another build's: left out
    smoke = [dict(r, profile="smoke", value=1.0) for r in part1]
    assert build_values(seed_records() + part1 + smoke) == values
