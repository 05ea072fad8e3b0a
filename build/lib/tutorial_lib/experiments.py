"""Train once, reuse everywhere: results cached on disk, keyed by their configuration.

``cached(name, config, compute)`` returns ``compute()``'s result, saved the
first time under ``<artifacts>/<name>-<key>.pt`` where ``key`` hashes the
configuration (a JSON-able mapping of everything that decides the result:
sizes, seed, model and training settings). A changed configuration gets a new
key, so it is never served a stale result. Files are written atomically, so an
interrupted build leaves only finished runs behind and the next one resumes.

``run_grid`` does the same for every point of a sweep.

Artifacts live in ``_build/artifacts/<profile>/`` next to the book's
``_toc.yml`` (elsewhere ``./artifacts/<profile>/``), or under
``TUTORIAL_ARTIFACTS_DIR`` when it is set (the tests point it at a fresh folder).
Code changes that keep the configuration are not detected: ``make clean-cache``
removes the artifacts with the execution cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, TypeVar

import torch

from tutorial_lib.results import book_root

ENV_VAR = "TUTORIAL_ARTIFACTS_DIR"
T = TypeVar("T")


def artifacts_dir(profile: str, start: Path | None = None) -> Path:
    """Where ``profile``'s cached runs live (see the module docstring)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]) / profile
    root = book_root(start)
    base = root / "_build" if root is not None else (start or Path.cwd()).resolve()
    return base / "artifacts" / profile


def config_key(config: Mapping[str, Any]) -> str:
    """A short stable hash of a JSON-able configuration (key order does not matter)."""
    try:
        text = json.dumps(config, sort_keys=True)
    except TypeError as err:
        raise ValueError(f"a cached run's configuration must be JSON-able (numbers, strings, lists, dicts): {err}") from err
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _save_atomically(obj: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cached(name: str, config: Mapping[str, Any], compute: Callable[[], T], *, directory: Path) -> T:
    """``compute()``, or its saved result for the same ``name`` and ``config``.

    Args:
        name: a short file-name-safe label, e.g. ``"part1-gru"``.
        config: everything that decides the result (JSON-able).
        compute: produces the result (anything ``torch.save`` can store:
            state dicts, :class:`~tutorial_lib.training.History`, arrays).
        directory: usually ``artifacts_dir(run.profile)``.
    """
    if not name or any(c in name for c in "/\\ "):
        raise ValueError(f"name {name!r} must be a non-empty label without slashes or spaces")
    path = Path(directory) / f"{name}-{config_key(config)}.pt"
    if path.is_file():
        print(f"{name}: reusing the saved run ({path.name})")
        return load_cached(path)
    started = time.perf_counter()
    result = compute()
    _save_atomically({"config": dict(config), "result": result}, path)
    print(f"{name}: computed in {time.perf_counter() - started:.1f} s and saved ({path.name})")
    return result


def load_cached(path: Path) -> Any:
    """The result stored in one artifact file."""
    return torch.load(path, weights_only=False)["result"]


def run_grid(
    name: str,
    configs: Iterable[Mapping[str, Any]],
    compute: Callable[[Mapping[str, Any]], T],
    *,
    directory: Path,
) -> list[T]:
    """``[compute(c) for c in configs]``, each point cached on its own (see :func:`cached`).

    An interrupted sweep keeps every finished point; rerunning it computes only
    the missing ones.
    """
    configs = list(configs)
    results = []
    for i, config in enumerate(configs, 1):
        label = ", ".join(f"{k}={v}" for k, v in config.items() if not isinstance(v, (dict, list)))
        print(f"[{i}/{len(configs)}] {label}")
        results.append(cached(name, config, lambda c=config: compute(c), directory=directory))
    return results
