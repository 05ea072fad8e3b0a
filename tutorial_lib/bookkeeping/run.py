"""A chapter's run: its profile, device and seed, and what it records.

Every chapter starts with ``run = tutorial_lib.start(chapter="<notebook>")``.
That one call reads the profile, picks the device, seeds torch, NumPy and
Python's ``random`` (:mod:`tutorial_lib.runtime`), prints all three, so the
page says what produced it, and empties the chapter's records folder (see
:mod:`tutorial_lib.bookkeeping.records`). The returned :class:`Run` is passed
around explicitly; nothing here is global.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, TypeVar

import torch

from tutorial_lib.bookkeeping import claims
from tutorial_lib.bookkeeping.cost import training_seconds, write_cost
from tutorial_lib.bookkeeping.files import hold_lock
from tutorial_lib.bookkeeping.folders import artifacts_dir
from tutorial_lib.bookkeeping.parallel import processes_for
from tutorial_lib.bookkeeping.published import archive_url
from tutorial_lib.bookkeeping.records import (
    check_chapter,
    check_record,
    clear_records,
    record_claim,
    records_dir,
)
from tutorial_lib.bookkeeping.records import record as _record
from tutorial_lib.checks import non_negative_int
from tutorial_lib.profile import (
    by_profile,
    current_profile,
    current_seed,
    strict_claims,
)
from tutorial_lib.runtime import (
    BOOK_SEED,
    choose_device,
    device_name,
    seed_everything,
    versions,
)

T = TypeVar("T")


@dataclass
class Run:
    """What one chapter runs with. Made by :func:`start`; pass it on explicitly."""

    profile: str
    device: torch.device
    seed: int
    started: float = field(default_factory=time.perf_counter)
    chapter: str | None = None
    records_folder: Path | None = None
    strict: bool = False
    """Whether a failed claim stops the chapter: only in the book's build
    (``TUTORIAL_STRICT_CLAIMS=1``, set by the Makefile), at ``full``."""
    recorded: dict[str, tuple[float, float | None]] = field(
        default_factory=dict
    )
    """What this run has recorded: ``{id: (value, reference)}``."""
    obtaining: float = 0.0  # seconds spent loading or training runs
    training: float = 0.0  # what training them cost, wherever it ran

    def size(self, *, full: T, smoke: T) -> T:
        """The value for this run's profile: ``run.size(full=10_000, smoke=300)``."""
        return by_profile(self.profile, full=full, smoke=smoke)

    @property
    def artifacts(self) -> Path:
        """Where this run's profile keeps its cached trainings
        (:func:`tutorial_lib.bookkeeping.folders.artifacts_dir`)."""
        return artifacts_dir(self.profile)

    def seeds(self, n: int) -> list[int]:
        """``n`` seeds for repeated runs of one comparison, this run's seed
        first: ``[seed, seed + 1, ..., seed + n - 1]``.

        A claim that compares trained models rests on all of them
        (:func:`tutorial_lib.bookkeeping.verdicts.below`), not on one draw.
        """
        n = non_negative_int("n", n)
        if n < 1:
            raise ValueError(f"n must be at least 1 seed, got {n}")
        return [self.seed + i for i in range(n)]

    @property
    def processes(self) -> int:
        """How many worker processes train this chapter's missing runs at
        once (:func:`tutorial_lib.bookkeeping.parallel.processes_for`): one per CPU core
        at full size; 0 (this process) at smoke size, where starting a
        worker costs more than the training."""
        return processes_for(self.device) if self.profile == "full" else 0

    @property
    def published(self) -> str | None:
        """The address of the book's published runs for this profile, which
        the cache loads instead of training (:mod:`tutorial_lib.bookkeeping.published`);
        None at smoke size or with ``TUTORIAL_PUBLISHED_RUNS=off``."""
        return archive_url(self.profile)

    @property
    def elapsed(self) -> float:
        """Seconds since :func:`start`."""
        return time.perf_counter() - self.started

    def record(
        self,
        id: str,
        value: float,
        reference: float | None = None,
        *,
        seconds: float | None = None,
    ) -> None:
        """Save a headline number (see :func:`tutorial_lib.bookkeeping.records.record`);
        nothing is shown (a cell may end with it).

        ``seconds`` is what producing the number cost (a training time, say);
        it defaults to the time since :func:`start`.

        Raises:
            ValueError: the run was started without ``chapter=``, or ``id`` was
                recorded before in this run with another value.
        """
        if self.records_folder is None:
            raise ValueError(
                f"run.record({id!r}, ...) needs the chapter's name: start the run "
                "with tl.start(chapter='<notebook file name without .ipynb>')"
            )
        now = check_record(id, value, reference)
        self._check_repeat(id, now)
        _record(
            id,
            value,
            reference,
            profile=self.profile,
            device=self.device.type,
            seconds=self.elapsed if seconds is None else seconds,
            directory=self.records_folder,
        )
        self.recorded[id] = now

    def claim(
        self, statement: str, holds, *, values: Mapping[str, float]
    ) -> None:
        """Check a claim at this run's profile and record it for the report.

        The chapter's sentence and the numbers it rests on, as in
        :func:`tutorial_lib.bookkeeping.claims.check`::

            run.claim(
                "the Wiener filter beats the low-pass at every alpha",
                less(wiener, lowpass),  # a Verdict: its margin is kept
                values={"wiener@0.1": wiener[0], "lowpass@0.1": lowpass[0]},
            )

        The claim is written to the chapter's records folder first
        (:func:`tutorial_lib.bookkeeping.records.record_claim`, one file a statement), so
        one that fails at ``full`` is on record when it stops the chapter;
        the build lists every recorded claim on the report page. The same
        words checked twice in one run keep the later outcome.

        The claim is printed as one line and nothing is returned, so a
        cell may end with it.

        Raises:
            ClaimFailed: a claim that does not hold, at ``full`` in the
                book's build (``run.strict``); elsewhere it is printed as
                failed on this run.
            ValueError: the run was started without ``chapter=``, or an
                argument is not what :func:`~tutorial_lib.bookkeeping.claims.check` takes.
        """
        if self.records_folder is None:
            raise ValueError(
                f"run.claim({statement!r}, ...) needs the chapter's name: start "
                "the run with tl.start(chapter='<notebook file name without "
                ".ipynb>')"
            )
        claim = claims.evaluate(
            statement, holds, values=values, profile=self.profile
        )
        record_claim(
            claim.statement,
            claim.held,
            dict(claim.values),
            margin=claim.margin,
            profile=self.profile,
            chapter=self.chapter,
            directory=self.records_folder,
        )
        claims.enforce(claim, self.profile, strict=self.strict)

    def _check_repeat(
        self, id: str, now: tuple[float, float | None]
    ) -> None:
        """Raise ValueError when ``id`` was recorded by this run with other numbers."""
        before = self.recorded.get(id)
        if before is not None and before != now:
            raise ValueError(
                f"chapter {self.chapter!r} recorded {id!r} twice: value, reference "
                f"{before} and now {now}; an id names one number (run the chapter "
                "again from tl.start() to record afresh)"
            )

    def used_runs(self, results, seconds: float) -> None:
        """Count runs obtained (loaded or trained) in ``seconds`` toward
        the chapter's cost alone (:mod:`tutorial_lib.bookkeeping.cost`);
        worker processes train side by side, so their times are shared."""
        self.obtaining += seconds
        self.training += training_seconds(results) / max(1, self.processes)

    def stamp(self) -> str:
        """Print and return the line that ends every chapter; save its cost."""
        v = versions()
        line = (
            f"Executed with profile={self.profile}, device={device_name(self.device)}, seed={self.seed}, "
            f"in {self.elapsed:.1f} s; "
            + ", ".join(f"{k} {val}" for k, val in v.items())
        )
        print(line)
        if self.records_folder is not None:
            write_cost(
                self.records_folder,
                elapsed=self.elapsed,
                obtaining=self.obtaining,
                training=self.training,
                device=device_name(self.device),
            )
        return line


def start(
    seed: int | None = None,
    device: str | torch.device | None = "auto",
    *,
    profile: str | None = None,
    chapter: str | None = None,
) -> Run:
    """Begin a chapter: read the profile, choose the device, seed everything, and say so.

    Args:
        seed: seeds torch, NumPy and ``random``; default: ``TUTORIAL_SEED``
            when set (``make book SEED=1``), else :data:`BOOK_SEED`.
        device: ``"auto"`` (CUDA, then MPS, then CPU) or an explicit device.
        profile: overrides ``TUTORIAL_PROFILE`` (tests use this).
        chapter: the notebook's file name without ``.ipynb``; needed by
            :meth:`Run.record`. Its earlier records are removed here (see
            :mod:`tutorial_lib.bookkeeping.records`).
    """
    profile = (
        current_profile()
        if profile is None
        else by_profile(profile, full="full", smoke="smoke")
    )
    chosen = choose_device(device)
    seed = current_seed(default=BOOK_SEED) if seed is None else seed
    seed_everything(seed)
    print(
        f"profile={profile}  device={device_name(chosen)}  seed={seed}  torch {torch.__version__}"
    )
    folder = None
    if chapter is not None:
        folder = records_dir(profile) / check_chapter(chapter)
        # one execution of a chapter writes its records at a time
        hold_lock(
            folder.with_name(f".{folder.name}.lock"),
            f"the records of chapter {chapter!r} ({folder})",
        )
        clear_records(folder)
    return Run(
        profile=profile,
        device=chosen,
        seed=seed,
        chapter=chapter,
        records_folder=folder,
        strict=strict_claims(),
    )
