"""One saved run on disk: where it lives, how it is written and read back.

A run is saved as ``<directory>/<name>-<key>.pt``, holding the
configuration it was computed for and its result; ``key`` hashes the
configuration (:func:`config_key`). Files are written atomically. A file
that cannot be read is renamed to ``<file>.corrupt``, one that holds
another configuration to ``<file>.mismatch``, and temporary files of a
killed write are removed once they are :data:`STALE_TMP_SECONDS` old. A
result holding an interrupted :class:`~tutorial_lib.training.History`, or
computed while Ctrl-C came (:func:`timed`), is never saved.
:mod:`tutorial_lib.bookkeeping.cache` decides what to compute; this module only stores.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import signal
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, TypeVar

import torch

from tutorial_lib.bookkeeping.files import write_atomically
from tutorial_lib.fit_types import History

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


def _remove_stale_tmp(directory: Path) -> None:
    """Delete ``.*.pt.*.tmp`` files in ``directory`` untouched for a while."""
    now = time.time()
    for tmp in Path(directory).glob(".*.pt.*.tmp"):
        try:
            if now - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                tmp.unlink()
        except FileNotFoundError:
            pass  # another process removed or renamed it meanwhile
        except OSError as err:  # a read-only folder: leave it, say so
            print(
                f"{tmp}: a stale temporary file that cannot be removed ({err})"
            )


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


def _set_aside(path: Path, suffix: str, why: str) -> None:
    """Rename ``path`` to ``<file><suffix>`` and say why; in a read-only
    folder, leave it and say that instead."""
    aside = path.with_name(path.name + suffix)
    try:
        os.replace(path, aside)
        print(
            f"{path}: {why}; moved to {aside.name} and computing the run again"
        )
    except OSError as err:
        print(
            f"{path}: {why}; it cannot be moved aside ({err}), computing the run again"
        )


def _load_or_set_aside(
    path: Path, config: Mapping[str, Any] | None = None
) -> tuple[bool, Any]:
    """``(True, result)`` from ``path``; ``(False, None)`` when there is no
    readable file there (an unreadable one is renamed to ``<file>.corrupt``)
    or when it holds another configuration than ``config`` (renamed to
    ``<file>.mismatch``: a saved run is served only for its own settings)."""
    if not path.is_file():
        return False, None
    try:
        saved = torch.load(path, weights_only=False)
        stored, result = saved["config"], saved["result"]
    except Exception as err:  # noqa: BLE001 - any unreadable file is set aside
        _set_aside(
            path,
            ".corrupt",
            f"cannot be read ({type(err).__name__}: {err})",
        )
        return False, None
    if config is not None and _canonical(stored) != _canonical(config):
        _set_aside(
            path,
            ".mismatch",
            f"holds the run of {_canonical(stored)}, not of the requested "
            f"{_canonical(config)}",
        )
        return False, None
    return True, result


def _canonical(config: Mapping[str, Any]) -> str:
    """A configuration as the JSON text its key is made from."""
    return json.dumps(config, sort_keys=True, default=str)


@contextlib.contextmanager
def noticing_interrupts() -> Iterator[list[bool]]:
    """Within the block, Ctrl-C (SIGINT) is noted in the yielded list and
    then raised as usual, so that an interrupt caught inside the block (as
    :func:`~tutorial_lib.training.fit` catches it) is still known after it.
    Outside the main thread, where signals cannot be watched, nothing is noted."""
    seen: list[bool] = []
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    if previous in (None, signal.SIG_IGN, signal.SIG_DFL):
        yield seen  # not watchable here, or Ctrl-C does not raise anyway
        return

    def note(signum, frame):
        seen.append(True)
        if callable(previous):
            previous(signum, frame)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, previous)


def timed(compute: Callable[..., T], *args: Any) -> tuple[T, float]:
    """``(compute(*args), seconds it took)``.

    Raises:
        KeyboardInterrupt: Ctrl-C came while ``compute`` ran, even if
            ``compute`` caught it and returned, so the result is never
            saved as a finished run.
    """
    started = time.perf_counter()
    with noticing_interrupts() as seen:
        result = compute(*args)
    if seen:
        raise KeyboardInterrupt(
            "interrupted while computing; the partial result was not saved"
        )
    return result, time.perf_counter() - started


def save_run(
    name: str,
    config: Mapping[str, Any],
    result: T,
    path: Path,
    seconds: float | None,
) -> T:
    """Save ``result`` (computed in ``seconds``) to ``path`` and return it;
    say so unless ``seconds`` is None (a group's runs: one line for all)."""
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
    if seconds is not None:
        print(f"{name}: computed in {seconds:.1f} s and saved")
    return result


def run_path(name: str, config: Mapping[str, Any], directory: Path) -> Path:
    """Where the run ``name`` of ``config`` is saved (checks the name)."""
    if not name or any(c in name for c in "/\\ "):
        raise ValueError(
            f"name {name!r} must be a non-empty label without slashes or spaces"
        )
    return Path(directory) / f"{name}-{config_key(config)}.pt"


def load_run(path: Path, config: Mapping[str, Any]) -> tuple[bool, Any]:
    """:func:`_load_or_set_aside`, after removing stale temporary files."""
    if path.parent.is_dir():
        _remove_stale_tmp(path.parent)
    return _load_or_set_aside(path, config)
