"""The report's findings table: outcomes shown only when the build's
evidence holds, and every piece of evidence named exists in a chapter."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from bookbuild.findings import FINDINGS, findings_markdown
from bookbuild.variation import ALPHAS, DEPTHS, comparisons

ROOT = Path(__file__).resolve().parent.parent


def chapter_claims() -> set[str]:
    """The literal statements of every ``run.claim("...", ...)`` call."""
    found = set()
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            try:
                tree = ast.parse("".join(cell["source"]))
            except SyntaxError:  # IPython magics: the install cell
                continue
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "attr", "") == "claim"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    found.add(node.args[0].value)
    return found


def all_seed_values(gap: float) -> dict:
    """Seed values for every run the comparisons know; depth ``d`` and
    Part I model ``i`` get means ``gap`` apart, three seeds each."""
    values = {}
    for i, run in enumerate(["bigru", "birnn", "rnn"]):
        values["part1", run] = {s: 1 + i * gap + 0.01 * s for s in range(3)}
    for d in DEPTHS:
        for a in ALPHAS:
            values["part2", f"{d}/{a}"] = {
                s: d + 0.01 * s for s in range(3)
            }
    return values


def test_every_claim_a_finding_rests_on_is_stated_in_a_chapter():
    stated = chapter_claims()
    assert len(stated) > 10
    needed = {c for f in FINDINGS for c in f.claims}
    assert needed - stated == set()


def test_every_seed_comparison_a_finding_names_exists():
    names = {what for what, _, _ in comparisons(all_seed_values(1.0))}
    needed = {what for f in FINDINGS for what, _ in f.seeds}
    assert needed and needed <= names


def held_claims(failed: str | None = None) -> list[dict]:
    return [
        {"statement": c, "held": c != failed}
        for f in FINDINGS
        for c in f.claims
    ]


def test_outcomes_show_only_when_every_claim_held():
    finding = next(f for f in FINDINGS if f.claims and not f.seeds)
    page = findings_markdown(held_claims(), None)
    assert finding.outcome in page
    failed = findings_markdown(held_claims(failed=finding.claims[0]), None)
    assert finding.outcome not in failed
    assert f"claim FAILED: {finding.claims[0]}" in failed
    missing = findings_markdown([], None)
    assert f"claim not checked: {finding.claims[0]}" in missing


def test_seed_verdicts_decide_the_rows_that_name_them():
    within = next(
        f
        for f in FINDINGS
        if any(v == "within the scatter" for _, v in f.seeds)
    )
    # Part I models 1.0 apart with 0.01 scatter: every order holds
    clear = findings_markdown(held_claims(), all_seed_values(1.0))
    assert within.outcome not in clear
    assert "holds, larger than the scatter" in clear
    # equal means: the bidirectional RNN is within the scatter of the RNN
    level = findings_markdown(held_claims(), all_seed_values(0.0))
    assert within.outcome in level
    assert "seed spread" in findings_markdown(held_claims(), None)


def test_the_report_page_carries_the_findings_before_the_number_tables():
    from bookbuild.report import report_markdown

    claims = [
        {
            "statement": c,
            "held": True,
            "values": {"x": 1.0},
            "profile": "full",
            "chapter": "part1_04_gru",
            "recorded_at": "2026-12-01T00:00:00Z",
        }
        for c in held_claims_statements()
    ]
    record = {
        "id": "part1/rnn/test_l1",
        "value": 0.05,
        "reference": 0.0611,
        "profile": "full",
        "device": "cpu",
        "seconds": 1.0,
    }
    page = report_markdown([record], claims=claims, seeds=None)
    assert page.index("## Findings") < page.index("## Beside the write-ups")
    plain = next(f for f in FINDINGS if f.claims and not f.seeds)
    assert plain.outcome in page


def held_claims_statements() -> list[str]:
    return sorted({c for f in FINDINGS for c in f.claims})
