"""The disk cache: train once, reuse everywhere, results keyed by their configuration.

``cached(name, config, compute)`` returns ``compute()``'s result, saved the
first time under ``<artifacts>/<name>-<key>.pt`` where ``key`` hashes the
configuration (a JSON-able mapping of everything that decides the result:
sizes, seed, model and training settings). A changed configuration gets a new
key, so it is never served a stale result. Files are written atomically, so an
interrupted build leaves only finished runs behind and the next one resumes.

``run_grid`` does the same for every point of a sweep, and ``run_jobs`` for
a list of differently named runs; given ``workers``, both train the missing
runs side by side in worker processes (:mod:`tutorial_lib.workers`).
Chapters rarely call them: :func:`tutorial_lib.part1.train` and :func:`tutorial_lib.part2.train`
train one configuration through the cache, in ``run.artifacts``
(:attr:`tutorial_lib.runtime.Run.artifacts`).

Artifacts live in ``_build/artifacts/<profile>/`` next to the book's
``_toc.yml`` (elsewhere ``./artifacts/<profile>/``), or under
``TUTORIAL_ARTIFACTS_DIR`` when it is set (the tests point it at a fresh folder):
:func:`tutorial_lib.folders.artifacts_dir`.
Code changes that keep the configuration are not detected: ``make clean-cache``
removes the artifacts with the execution cache.

What is never cached: a result holding a :class:`~tutorial_lib.training.History`
marked ``interrupted`` (Ctrl-C stopped its training) is not saved, and
:func:`cached` raises :class:`KeyboardInterrupt` instead, so a stopped run is
trained afresh next time. A result that cannot be saved (unwritable folder,
unpicklable object) is returned with a warning. A saved file that cannot be
read (truncated, empty, garbage) is renamed to ``<file>.corrupt`` and the run
recomputed. Temporary files that a killed write left behind
(``.<file>.<random>.tmp``) are removed when they are older than
:data:`STALE_TMP_SECONDS`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import time
import warnings
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    TypeVar,
)

import torch

from tutorial_lib.files import write_atomically
from tutorial_lib.training import History
from tutorial_lib.workers import run_all

if TYPE_CHECKING:
    from tutorial_lib.training import FitConfig

STALE_TMP_SECONDS = 600
"""A temporary file untouched this long belongs to a write that was killed."""
T = TypeVar("T")


def config_key(config: Mapping[str, Any]) -> str:
    """A short stable hash of a JSON-able configuration (key order does not matter)."""
    try:
        text = json.dumps(config, sort_keys=True)
    except TypeError as err:
        raise ValueError(
            f"config {config!r} of a cached run must be JSON-able "
            f"(numbers, strings, lists, dicts): {err}"
        ) from err
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fit_settings(config: FitConfig) -> dict[str, Any]:
    """The fields of ``config`` that decide a training's result, for a cache
    key: every one but ``progress`` (showing a progress bar changes nothing)."""
    return {
        k: v
        for k, v in dataclasses.asdict(config).items()
        if k != "progress"
    }


def _remove_stale_tmp(directory: Path) -> None:
    """Delete ``.*.pt.*.tmp`` files in ``directory`` untouched for a while."""
    now = time.time()
    for tmp in Path(directory).glob(".*.pt.*.tmp"):
        try:
            if now - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                tmp.unlink()
        except FileNotFoundError:
            pass  # another process removed or renamed it meanwhile


def interrupted_histories(result: Any) -> bool:
    """Whether ``result`` holds, at any depth of dicts, lists and tuples, an
    interrupted :class:`~tutorial_lib.training.History`."""
    if isinstance(result, History):
        return result.interrupted
    if isinstance(result, dict):
        return any(interrupted_histories(v) for v in result.values())
    if isinstance(result, (list, tuple)):
        return any(interrupted_histories(v) for v in result)
    return False


def _load_or_set_aside(path: Path) -> tuple[bool, Any]:
    """``(True, result)`` from ``path``; ``(False, None)`` when there is no
    readable file there (an unreadable one is renamed to ``<file>.corrupt``)."""
    if not path.is_file():
        return False, None
    try:
        return True, load_cached(path)
    except Exception as err:  # noqa: BLE001 - any unreadable file is set aside
        aside = path.with_name(path.name + ".corrupt")
        os.replace(path, aside)
        print(
            f"{path}: cannot be read ({type(err).__name__}: {err}); "
            f"moved to {aside.name} and computing the run again"
        )
        return False, None


def _timed(compute: Callable[..., T], *args: Any) -> tuple[T, float]:
    """``(compute(*args), seconds it took)``."""
    started = time.perf_counter()
    result = compute(*args)
    return result, time.perf_counter() - started


def _save(
    name: str,
    config: Mapping[str, Any],
    result: T,
    path: Path,
    seconds: float,
) -> T:
    """Save ``result`` (computed in ``seconds``) to ``path`` and return it."""
    if interrupted_histories(result):
        raise KeyboardInterrupt(
            f"{name}: training was interrupted, so the run was not saved ({path.name})"
        )
    try:
        saved = {"config": dict(config), "result": result}
        write_atomically(path, functools.partial(torch.save, saved))
    except Exception as err:  # noqa: BLE001 - the result is worth more than the file
        warnings.warn(
            f"{name}: the result was computed but could not be saved to {path} "
            f"({type(err).__name__}: {err}); it will be computed again next time",
            RuntimeWarning,
            stacklevel=4,
        )
        return result
    print(f"{name}: computed in {seconds:.1f} s and saved ({path.name})")
    return result


def _path(name: str, config: Mapping[str, Any], directory: Path) -> Path:
    """Where the run ``name`` of ``config`` is saved (checks the name)."""
    if not name or any(c in name for c in "/\\ "):
        raise ValueError(
            f"name {name!r} must be a non-empty label without slashes or spaces"
        )
    return Path(directory) / f"{name}-{config_key(config)}.pt"


def _load(path: Path) -> tuple[bool, Any]:
    """:func:`_load_or_set_aside`, after removing stale temporary files."""
    if path.parent.is_dir():
        _remove_stale_tmp(path.parent)
    return _load_or_set_aside(path)


def cached(
    name: str,
    config: Mapping[str, Any],
    compute: Callable[[], T],
    *,
    directory: Path,
) -> T:
    """``compute()``, or its saved result for the same ``name`` and ``config``.

    Args:
        name: a short file-name-safe label, e.g. ``"part1-gru"``.
        config: everything that decides the result (JSON-able).
        compute: produces the result (anything ``torch.save`` can store:
            state dicts, :class:`~tutorial_lib.training.History`, arrays).
        directory: usually ``run.artifacts``.

    Raises:
        KeyboardInterrupt: the result holds an interrupted ``History``; it was
            not saved (see the module docstring).
    """
    return run_jobs([(name, config, compute)], directory=directory)[0]


def load_cached(path: Path) -> Any:
    """The result stored in one artifact file."""
    return torch.load(path, weights_only=False)["result"]


def _label(config: Mapping[str, Any]) -> str:
    return ", ".join(
        f"{k}={v}"
        for k, v in config.items()
        if not isinstance(v, (dict, list))
    )


def run_grid(
    name: str,
    configs: Iterable[Mapping[str, Any]],
    compute: Callable[[Mapping[str, Any]], T],
    *,
    directory: Path,
    workers: int | None = None,
) -> list[T]:
    """``[compute(c) for c in configs]``, each point cached on its own
    (:func:`cached`): :func:`run_jobs` with one name for every point."""
    jobs = [(name, c, functools.partial(compute, c)) for c in configs]
    return run_jobs(jobs, directory=directory, workers=workers)


def run_jobs(
    jobs: Iterable[tuple[str, Mapping[str, Any], Callable[[], T]]],
    *,
    directory: Path,
    workers: int | None = None,
) -> list[T]:
    """``[compute() for name, config, compute in jobs]``, each job cached on
    its own as ``cached(name, config, compute)`` would.

    Prints one line for all (how many runs were reused) and a line per job
    only for the jobs it trains. An interrupted set keeps every finished job
    and raises :class:`KeyboardInterrupt`; rerunning it computes only the
    missing ones.

    ``workers=None`` computes the missing jobs here, one after another, as
    the caller's torch threads allow. A number trains them with one torch
    thread each, that many at a time in worker processes
    (:func:`tutorial_lib.workers.run_all`); each ``compute`` must then be
    picklable (a module-level function or a ``functools.partial`` of one).
    """
    jobs = list(jobs)
    paths = [_path(name, config, directory) for name, config, _ in jobs]
    results: dict[int, T] = {}
    for i, path in enumerate(paths):
        found, result = _load(path)
        if found:
            results[i] = result
    missing = [i for i in range(len(jobs)) if i not in results]
    labels = _labels(jobs, missing)
    tasks = [functools.partial(_timed, jobs[i][2]) for i in missing]
    if workers is None:
        done = _one_by_one(tasks, labels)
    else:
        if len(tasks) > 1 and workers > 1:
            print(
                f"training {len(tasks)} runs, up to {workers} at a time, "
                "one torch thread each:"
            )
        print("".join(f"{line}\n" for line in labels), end="")
        done = run_all(tasks, workers=workers)
    for k, (result, seconds) in done:
        name, config, _ = jobs[missing[k]]
        results[missing[k]] = _save(
            name, config, result, paths[missing[k]], seconds
        )
    _report(jobs, paths, missing, directory)
    return [results[i] for i in range(len(jobs))]


def _labels(jobs: list, missing: list[int]) -> list[str]:
    """A line per missing job, ``[i/n] setting=value, ...`` (and its name
    when the jobs have several); none for a single job."""
    if len(jobs) == 1:
        return []
    named = len({name for name, _, _ in jobs}) > 1
    return [
        f"[{i + 1}/{len(jobs)}] "
        + (f"{jobs[i][0]}: " if named else "")
        + _label(jobs[i][1])
        for i in missing
    ]


def _report(
    jobs: list, paths: list[Path], missing: list[int], directory: Path
) -> None:
    """The closing line: what was reused and trained (one job: its reuse)."""
    if len(jobs) == 1:
        if not missing:
            print(f"{jobs[0][0]}: reusing the saved run ({paths[0].name})")
        return
    print(
        f"{len(jobs)} runs: {len(jobs) - len(missing)} reused from {directory}"
        + (f", {len(missing)} trained" if missing else "")
    )


def _one_by_one(
    tasks: list[Callable[[], T]], labels: list[str]
) -> Iterator[tuple[int, T]]:
    """Run the tasks here in order, printing each one's label first."""
    for k, task in enumerate(tasks):
        if labels:
            print(labels[k])
        yield k, task()
