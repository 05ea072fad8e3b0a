"""The disk cache: train once, reuse everywhere, results keyed by their configuration.

``cached(name, config, compute)`` returns ``compute()``'s result, saved the
first time under ``<artifacts>/<name>-<key>.pt`` where ``key`` hashes the
configuration (a JSON-able mapping of everything that decides the result:
sizes, seed, model and training settings). A changed configuration gets a new
key, so it is never served a stale result. Files are written atomically, so an
interrupted build leaves only finished runs behind and the next one resumes.

``run_grid`` does the same for every point of a sweep. Chapters rarely call
either: :func:`tutorial_lib.part1.train` and :func:`tutorial_lib.part2.train`
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
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, TypeVar

import torch

from tutorial_lib.files import write_atomically
from tutorial_lib.training import History

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


def _compute_and_save(
    name: str,
    config: Mapping[str, Any],
    compute: Callable[[], T],
    path: Path,
) -> T:
    started = time.perf_counter()
    result = compute()
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
            stacklevel=3,
        )
        return result
    took = time.perf_counter() - started
    print(f"{name}: computed in {took:.1f} s and saved ({path.name})")
    return result


def _cached(
    name: str,
    config: Mapping[str, Any],
    compute: Callable[[], T],
    *,
    directory: Path,
    before_compute: Callable[[], None] = lambda: None,
) -> tuple[T, bool]:
    """``(result, reused)``: :func:`cached` without its message about reuse."""
    if not name or any(c in name for c in "/\\ "):
        raise ValueError(
            f"name {name!r} must be a non-empty label without slashes or spaces"
        )
    path = Path(directory) / f"{name}-{config_key(config)}.pt"
    if Path(directory).is_dir():
        _remove_stale_tmp(Path(directory))
    found, result = _load_or_set_aside(path)
    if found:
        return result, True
    before_compute()
    return _compute_and_save(name, config, compute, path), False


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
    result, reused = _cached(name, config, compute, directory=directory)
    if reused:
        path = Path(directory) / f"{name}-{config_key(config)}.pt"
        print(f"{name}: reusing the saved run ({path.name})")
    return result


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
) -> list[T]:
    """``[compute(c) for c in configs]``, each point cached on its own (:func:`cached`).

    Prints one line for the grid (how many runs were reused) and a line per
    point only for the points it trains. An interrupted sweep keeps every
    finished point and raises :class:`KeyboardInterrupt`; rerunning it
    computes only the missing ones.
    """
    configs = list(configs)
    results, reused = [], 0
    for i, config in enumerate(configs, 1):
        announce = functools.partial(
            print, f"[{i}/{len(configs)}] {_label(config)}"
        )
        result, was_reused = _cached(
            name,
            config,
            functools.partial(compute, config),
            directory=directory,
            before_compute=announce,
        )
        results.append(result)
        reused += was_reused
    trained = len(configs) - reused
    print(
        f"{len(configs)} runs: {reused} reused from {directory}"
        + (f", {trained} trained" if trained else "")
    )
    return results
