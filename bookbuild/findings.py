"""The findings table of the report: each write-up's headline claims, and
whether this build reproduced them.

A :class:`Finding` states one claim of a write-up (or one of the book's own)
and the outcome the book reports for it. The outcome's words are written
here, once; whether the page may show them is decided by the build: every
chapter claim the finding rests on (:meth:`tutorial_lib.bookkeeping.run.Run.claim`,
gathered into ``_build/claims.json``) must have been checked and have held,
and every seed comparison it names must have the stated verdict over the
build's own seeds (the first section of the "How much do the numbers
vary?" page). Otherwise the row says which evidence
is missing or failed, instead of the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bookbuild.variation import comparisons, verdict


@dataclass(frozen=True)
class Finding:
    """One headline claim and the outcome the evidence must support.

    Attributes:
        source: ``"2018 post"``, ``"2024 post"`` or ``"this book"``.
        claim: the claim, in words.
        outcome: what the book finds, shown only when the evidence holds.
        claims: statements of chapter claims that must have held.
        seeds: ``(comparison, verdict)`` pairs over the build's own seeds.
    """

    source: str
    claim: str
    outcome: str
    claims: tuple[str, ...] = ()
    seeds: tuple[tuple[str, str], ...] = ()


FINDINGS = (
    Finding(
        "2018 post",
        "recurrent networks learn to denoise the noisy sine",
        "reproduced: all three end below half the noisy input's error",
        claims=(
            "each of the three models ends below half the noisy input's L1, "
            "at every seed",
        ),
    ),
    Finding(
        "2018 post",
        "the GRU beats both RNNs",
        "reproduced, by more than the seed-to-seed scatter",
        claims=(
            "the GRU ends lowest of the three, below each of the other two "
            "by more than the seed-to-seed scatter",
        ),
        seeds=(
            (
                "Part I: bidirectional GRU below bidirectional RNN",
                "holds, larger than the scatter",
            ),
            (
                "Part I: bidirectional GRU below RNN",
                "holds, larger than the scatter",
            ),
        ),
    ),
    Finding(
        "2018 post",
        "the bidirectional RNN beats the one-directional RNN",
        "not established: over this build's seeds the difference is within "
        "the scatter",
        seeds=(
            (
                "Part I: bidirectional RNN below RNN",
                "within the scatter",
            ),
        ),
    ),
    Finding(
        "2024 post",
        "convolutional autoencoders denoise the two-tone signals",
        "reproduced at every depth and noise level, on a held-out test set",
        claims=(
            "every model, at every seed, ends below its noisy input; most by "
            "a factor of ten",
        ),
    ),
    Finding(
        "2024 post",
        "deeper autoencoders denoise worse; depth 8 barely learns",
        "reproduced only with the first try's settings (550 optimiser "
        "steps); with the book's (5,500 steps) depth 8 is the worst only at "
        "the lowest noise level and beats depth 2 at the highest, by more "
        "than the seed-to-seed scatter",
        claims=(
            "first try: depth 8 ends worse than the noisy input at most "
            "noise levels, at every seed",
            "at the lowest noise level depth 8 ends worst of the four, by "
            "more than the scatter",
            "depth 8 ends below depth 2 at the highest noise level, by more "
            "than the scatter",
        ),
    ),
    Finding(
        "this book",
        "the 2018 task has an exact answer",
        "yes: with the noise bound, the minimax matcher recovers every test "
        "sequence exactly",
        claims=(
            "exactly one of the 60 sines is possible for every test sequence, "
            "and the minimax matcher recovers every one exactly",
        ),
    ),
    Finding(
        "this book",
        "the 2018 post's networks beat classical methods",
        "only in part: the GRU beats every filter, the two RNNs end level "
        "with the best one, and a two-parameter sine fit beats all three",
        claims=(
            "the bidirectional GRU beats every classical filter, at every seed",
            "the RNN and the bidirectional RNN end within a quarter of the "
            "best filter's error, at every seed",
            "the two-parameter least-squares sine fit beats all three "
            "networks, at every seed",
        ),
    ),
    Finding(
        "this book",
        "a learned model finds the 2018 task's exact answer",
        "yes, with the right form: a matcher over the 60 sines that "
        "learns the exponent of its norm learns that the noise is bounded "
        "and is exact on nearly every test sequence; a classifier over the "
        "same sines is exact about as often as the least-squares matcher",
        claims=(
            "the template classifier recovers about as many test sequences "
            "exactly as the least-squares matcher (within 2 points), fewer "
            "than the minimax matcher's all, at every seed",
            "the learned-norm matcher recovers at least 99% of the test "
            "sequences exactly, with a learned exponent p above 8, at every "
            "seed",
        ),
    ),
    Finding(
        "2024 post",
        "autoencoders denoise because noise does not fit through their "
        "bottleneck (the title question)",
        "not for the post's training: shown clean targets, a network "
        "without a bottleneck denoises too, and the U-Net twin that goes "
        "around it does best",
        claims=(
            "its U-Net twin ends lower still, below every plain autoencoder "
            "by more than the scatter, and below the wide and small models",
            "the depth-1 network, without a bottleneck, ends several (at "
            "least three) times below the noisy input",
        ),
    ),
    Finding(
        "this book",
        "an autoencoder trained only to reproduce its noisy input denoises",
        "only when its code is smaller than the input: depths 6 and 8 "
        "remove most of the noise, the tighter no less; models that can copy "
        "their input keep nearly all of it",
        claims=(
            "the models that can copy their input (narrowest point at least "
            "the input's size, or skips around it) learn nearly the "
            "identity: each misses its own input by less than a twentieth "
            "of the input's noise, leaves more than 95% of that noise, and "
            "ends within 1% of the noisy input against the clean signal",
            "the plain models whose code is smaller than the input are "
            "depths 6 and 8, and each leaves less than a quarter of the "
            "input's noise, at every seed",
            "the tighter code removes no less: depth 8 does not leave more "
            "noise than depth 6 by more than the seed-to-seed scatter",
        ),
    ),
    Finding(
        "this book",
        "the 2024 post's autoencoders beat classical filters",
        "depth 4 beats the Wiener filter at every noise level, depth 2 at "
        "none",
        claims=(
            "the Wiener filter is the best filter at every noise level",
            "depth 2 ends above the best filter at every noise level and "
            "every seed",
            "depth 4 beats it at every noise level, by more than the "
            "seed-to-seed scatter",
        ),
    ),
    Finding(
        "this book",
        "the 2024 post's autoencoders beat the best classical method",
        "no: singular-spectrum analysis, which knows only that there are "
        "two tones, beats every autoencoder at the three lowest noise "
        "levels and is level with the best at the highest",
        claims=(
            "SSA scores below every filter and the linear MMSE estimator "
            "at every noise level, and above the least-squares fit",
            "SSA scores below every autoencoder at every seed at the three "
            "lowest noise levels",
        ),
    ),
    Finding(
        "this book",
        "more training signals bring a network nearer the two-tone limit",
        "only a network built around the signal family: given fresh "
        "signals, one that weighs a grid of tones ends below "
        "singular-spectrum analysis, while the plain autoencoder of depth "
        "4 gains less than a tenth; trained on the book's signals, every "
        "network stays at least five times above the limit",
        claims=(
            "every learned model trained on the book's signals, at every "
            "seed, ends at least five times above the posterior mean",
            "given fresh signals, the template network ends below "
            "singular-spectrum analysis by more than the seed-to-seed "
            "scatter",
            "fresh signals lower the template network's mean error by more "
            "than a quarter, and the plain depth-4 autoencoder's by less "
            "than a tenth",
        ),
    ),
)


def _missing(
    finding: Finding,
    held: Mapping[str, bool],
    seed_verdicts: Mapping[str, str] | None,
) -> list[str]:
    """What keeps ``finding``'s outcome off the page (empty: nothing)."""
    out = []
    for statement in finding.claims:
        if statement not in held:
            out.append(f"claim not checked: {statement}")
        elif not held[statement]:
            out.append(f"claim FAILED: {statement}")
    for what, expected in finding.seeds:
        got = None if seed_verdicts is None else seed_verdicts.get(what)
        if got != expected:
            out.append(f"seed spread: {what}: {got or 'no runs'}")
    return out


def findings_markdown(
    claims: Sequence[Mapping] | None, seed_values: Mapping | None
) -> str:
    """The findings table from the gathered claims and the build's own
    seeds (:func:`bookbuild.variation.build_values`; None when there are
    none)."""
    held: dict[str, bool] = {}
    for entry in claims or []:
        statement = entry["statement"]
        held[statement] = held.get(statement, True) and bool(entry["held"])
    seed_verdicts = (
        None
        if seed_values is None
        else {
            what: verdict(a, b) for what, a, b in comparisons(seed_values)
        }
    )
    lines = [
        "| source | claim | outcome in this build |",
        "|---|---|---|",
    ]
    for finding in FINDINGS:
        missing = _missing(finding, held, seed_verdicts)
        outcome = (
            finding.outcome
            if not missing
            else "not established by this build: " + "; ".join(missing)
        )
        lines.append(f"| {finding.source} | {finding.claim} | {outcome} |")
    return "\n".join(lines) + "\n"
