"""The disk cache: train once, reuse everywhere, results keyed by their configuration.

``cached(name, config, compute)`` returns ``compute()``'s result, saved the
first time under ``<artifacts>/<name>-<key>.pt`` where ``key`` hashes the
configuration (a JSON-able mapping of everything that decides the result:
sizes, seed, model and training settings). A changed configuration gets a new
key, so it is never served a stale result. Files are written atomically, so an
interrupted build leaves only finished runs behind and the next one resumes.

``run_grid`` does the same for every point of a sweep, and ``run_jobs`` for
a list of differently named runs. ``run_stacks`` hands the missing points
of a sweep to one function a group at a time, so that runs of one shape
train as one stacked model (:mod:`tutorial_lib.stacked`); each run is still
saved on its own.
Chapters rarely call them: :func:`tutorial_lib.part1.train` and :func:`tutorial_lib.part2.train`
train one configuration through the cache, in ``run.artifacts``
(:attr:`tutorial_lib.bookkeeping.run.Run.artifacts`).

Artifacts live in ``_build/artifacts/<profile>/`` next to the book's
``_toc.yml`` (elsewhere ``./artifacts/<profile>/``), or under
``TUTORIAL_ARTIFACTS_DIR`` when it is set (the tests point it at a fresh folder):
:func:`tutorial_lib.bookkeeping.folders.artifacts_dir`.
Code changes that keep the configuration are not detected: ``make clean-cache``
removes the artifacts with the execution cache.

What is never cached: a result computed while Ctrl-C came (even one whose
computation caught the interrupt and returned, as
:func:`~tutorial_lib.training.fit` does), or holding a
:class:`~tutorial_lib.training.History` marked ``interrupted``, is not
saved, and :func:`cached` raises :class:`KeyboardInterrupt` instead, so a
stopped run is trained afresh next time. A saved file is served only for
the configuration it was saved with (one that holds another is renamed to
``<file>.mismatch``). A result that cannot be saved (unwritable folder,
unpicklable object) is returned with a warning. A saved file that cannot be
read (truncated, empty, garbage) is renamed to ``<file>.corrupt`` and the run
recomputed. Temporary files that a killed write left behind
(``.<file>.<random>.tmp``) are removed when they are older than
:data:`tutorial_lib.bookkeeping.saved_runs.STALE_TMP_SECONDS`; :mod:`tutorial_lib.bookkeeping.saved_runs` stores
and reads the files.
"""

from __future__ import annotations

import dataclasses
import functools
import json
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

from tutorial_lib.bookkeeping.parallel import in_processes
from tutorial_lib.bookkeeping.published import fetch
from tutorial_lib.bookkeeping.saved_runs import (
    load_run,
    run_path,
    save_run,
    timed,
)

if TYPE_CHECKING:
    from tutorial_lib.fit_types import FitConfig

T = TypeVar("T")


def fit_settings(config: FitConfig) -> dict[str, Any]:
    """The fields of ``config`` that decide a training's result, for a cache
    key: every one but ``progress`` (showing a progress bar changes nothing)."""
    return {
        k: v
        for k, v in dataclasses.asdict(config).items()
        if k != "progress"
    }


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
) -> list[T]:
    """``[compute(c) for c in configs]``, each point cached on its own
    (:func:`cached`): :func:`run_jobs` with one name for every point."""
    jobs = [(name, c, functools.partial(compute, c)) for c in configs]
    return run_jobs(jobs, directory=directory)


def run_jobs(
    jobs: Iterable[tuple[str, Mapping[str, Any], Callable[[], T]]],
    *,
    directory: Path,
    processes: int = 0,
    published: str | None = None,
) -> list[T]:
    """``[compute() for name, config, compute in jobs]``, each job cached on
    its own as ``cached(name, config, compute)`` would.

    The missing jobs are computed here, one after another, with the
    caller's torch threads, or with ``processes`` > 1 in that many worker
    processes (:func:`tutorial_lib.bookkeeping.parallel.in_processes`; the computes must
    then be picklable). ``published``: the address of the book's published
    runs, which are loaded instead of trained where they match
    (:mod:`tutorial_lib.bookkeeping.published`). Prints one line for all (how many
    runs were reused)
    and a line per job only for the jobs it trains. An interrupted set
    keeps every finished job and raises :class:`KeyboardInterrupt`;
    rerunning it computes only the missing ones.
    """
    jobs = list(jobs)
    paths = [run_path(name, config, directory) for name, config, _ in jobs]
    configs = [config for _, config, _ in jobs]
    results, downloaded = _saved(paths, configs, published)
    missing = [i for i in range(len(jobs)) if i not in results]
    labels = _labels(jobs, missing)
    processes = min(processes, len(missing))
    if processes > 1:
        print(f"training {len(missing)} runs, {processes} at a time")
        calls = [jobs[i][2] for i in missing]
        finished = in_processes(calls, labels, processes)
    else:
        finished = _one_by_one([jobs[i][2] for i in missing], labels)
    for k, result, seconds in finished:
        i = missing[k]
        name, config, _ = jobs[i]
        results[i] = save_run(name, config, result, paths[i], seconds)
    _report(jobs, missing, downloaded)
    return [results[i] for i in range(len(jobs))]


def _one_by_one(
    calls: list[Callable[[], T]], labels: list[str]
) -> Iterator[tuple[int, T, float]]:
    """``(i, calls[i](), seconds)`` here, one after another, saying which
    (``labels[i]``) before each when there are labels."""
    for i, call in enumerate(calls):
        if labels:
            print(labels[i])
        yield (i, *timed(call))


def run_stacks(
    name: str,
    configs: Iterable[Mapping[str, Any]],
    compute: Callable[[list[Mapping[str, Any]]], list[T]],
    *,
    group: Callable[[Mapping[str, Any]], str],
    directory: Path,
    processes: int = 0,
    published: str | None = None,
) -> list[T]:
    """``[compute([c])[0] for c in configs]``, each point cached on its own,
    the missing points computed a group at a time.

    ``group(config)`` names the group a point belongs to (points of one
    group can be computed together); ``compute`` takes one group's missing
    configurations and returns their results in that order. With
    ``processes`` > 1 each group is split in that many parts, computed in
    as many worker processes (``compute`` must be picklable). Each part's
    runs are saved as soon as it is done, so an interrupt loses only the
    parts being computed. ``published`` as for :func:`run_jobs`.
    """
    configs = list(configs)
    paths = [run_path(name, config, directory) for config in configs]
    results, downloaded = _saved(paths, configs, published)
    groups: dict[str, list[int]] = {}
    for i in range(len(configs)):
        if i not in results:
            groups.setdefault(group(configs[i]), []).append(i)
    parts = [p for m in groups.values() for p in _split(m, processes)]
    spans = [_span(configs, members) for members in parts]
    calls = [
        functools.partial(compute, [configs[i] for i in members])
        for members in parts
    ]
    processes = min(processes, len(parts))
    several = len(configs) > 1
    if processes > 1:
        print(
            f"training {sum(map(len, parts))} runs, {processes} stacks at a time"
        )
        finished = in_processes(calls, spans, processes)
    else:
        starts = [
            f"training {len(m)} run(s) together: {s}"
            for m, s in zip(parts, spans)
        ]
        finished = _one_by_one(calls, starts if several else [])
    for k, found, seconds in finished:
        for i, result in zip(parts[k], found, strict=True):
            results[i] = save_run(name, configs[i], result, paths[i], None)
        print(_trained_line(name, spans[k], seconds, processes, several))
    jobs = [(name, c, None) for c in configs]
    _report(jobs, [i for m in parts for i in m], downloaded)
    return [results[i] for i in range(len(configs))]


def _trained_line(
    name: str, span: str, seconds: float, processes: int, several: bool
) -> str:
    """What :func:`run_stacks` says when a part is saved: its span when
    parts finish out of order (worker processes), else a short line."""
    if processes > 1:
        return f"  {span}: trained in {seconds:.0f} s and saved"
    if several:
        return f"  trained in {seconds:.0f} s and saved"
    return f"{name}: computed in {seconds:.1f} s and saved"


def _split(members: list[int], parts: int) -> list[list[int]]:
    """``members`` in ``parts`` (at most ``len(members)``) near-equal runs."""
    parts = max(1, min(parts, len(members)))
    size, extra = divmod(len(members), parts)
    bounds = [k * size + min(k, extra) for k in range(parts + 1)]
    return [members[a:b] for a, b in zip(bounds, bounds[1:])]


def _saved(
    paths: list[Path],
    configs: list[Mapping[str, Any]],
    published: str | None,
) -> tuple[dict[int, Any], int]:
    """:func:`_found`, after fetching the missing runs that the book
    published (``published``: their address, or None); and how many were
    fetched."""
    results = _found(paths, configs)
    missing = [i for i in range(len(paths)) if i not in results]
    if published is None or not missing:
        return results, 0
    placed = set(fetch([paths[i] for i in missing], published))
    fetched = 0
    for i in missing:
        if paths[i] in placed:
            found, result = load_run(paths[i], configs[i])
            if found:
                results[i], fetched = result, fetched + 1
    return results, fetched


def _found(
    paths: list[Path], configs: list[Mapping[str, Any]]
) -> dict[int, Any]:
    """``{i: result}`` for every path that holds the readable saved run of
    its configuration."""
    results = {}
    for i, (path, config) in enumerate(zip(paths, configs)):
        found, result = load_run(path, config)
        if found:
            results[i] = result
    return results


def _span(configs: list[Mapping[str, Any]], members: list[int]) -> str:
    """What names a group's points among ``configs``: each setting that
    varies among all of them, with its values in the group
    (``seed=1, alpha=0.1, 0.2``); for a single point, its whole label."""
    if len(configs) == 1:
        return _label(configs[0])
    parts = []
    for key in configs[members[0]]:
        everywhere = {json.dumps(c.get(key)) for c in configs}
        if len(everywhere) > 1:
            values = sorted(
                {json.dumps(configs[i].get(key)) for i in members}
            )
            parts.append(f"{key}={', '.join(values)}")
    return "; ".join(parts) or _label(configs[members[0]])


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


def _report(jobs: list, missing: list[int], downloaded: int = 0) -> None:
    """The closing line: what was reused, downloaded and trained (one job:
    its reuse)."""
    fetched = (
        f", {downloaded} of them the book's published runs"
        if downloaded
        else ""
    )
    if len(jobs) == 1:
        if not missing:
            source = "published" if downloaded else "saved"
            print(f"{jobs[0][0]}: reusing the {source} run")
        return
    print(
        f"{len(jobs)} runs: {len(jobs) - len(missing)} reused"
        + fetched
        + (f", {len(missing)} trained" if missing else "")
    )
