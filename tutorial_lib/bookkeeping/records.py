"""Headline numbers: what a chapter records, one small file a number.

A chapter starts with ``run = tl.start(chapter="part1_02_vanilla_rnn")`` (its
notebook's file name) and records a number with one call,
``run.record("part1/rnn/test_l1", value, reference=0.0611)``.

Where records go. Each chapter has a folder of its own,
``_build/records/<profile>/<chapter>/`` (next to the book's ``_toc.yml``;
elsewhere, on Colab say, ``./results/<profile>/<chapter>/``, or under
``TUTORIAL_RESULTS_DIR`` when it is set), and each record is one small JSON
file in it, written atomically. Its name is the id with ``/`` written as
``+`` (``part1+rnn+test_l1.json``): ids are made of ``[a-z0-9._-]`` only, so
the mapping is lossless and two ids never share a file.

Why per chapter. :func:`~tutorial_lib.bookkeeping.run.start` empties the chapter's
folder, so after a chapter executes its folder holds exactly what that
execution recorded: an id the chapter no longer records disappears with the
next execution. A chapter that the book's execution cache serves without
executing keeps the records of its last execution, which are the numbers its
cached page shows. Records live per profile because that cache is per
profile. The book's build (``python -m bookbuild gather``, at the
repository's root; nothing here imports it) collects the folders of the
chapters ``_toc.yml`` lists into ``_build/results.json``.

The chapter's name is given to ``start`` rather than guessed: a notebook
that Jupyter Book executes is not told its own file name.

Claims. A claim that a chapter checks with ``run.claim(...)`` (see
:mod:`tutorial_lib.bookkeeping.claims`) is kept in the same folder, one file a claim,
``claim-<first 16 hex digits of the statement's SHA-256>.json``
(:func:`claim_file_name`). Such a name has no ``+``, which every record's
name has (an id has at least two parts), so the two kinds never share a
name; the build gathers the claims into ``_build/claims.json``.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
import time
from pathlib import Path

import numpy as np
import torch

from tutorial_lib.bookkeeping.files import write_text_atomically
from tutorial_lib.bookkeeping.folders import book_root, folder_from_env
from tutorial_lib.profile import build_label

ENV_VAR = "TUTORIAL_RESULTS_DIR"
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)+")
CHAPTER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
SEPARATOR = "+"
"""Stands for ``/`` in a record's file name; never part of an id."""
CLAIM_PREFIX = "claim-"
"""How a claim's file name starts (see :func:`claim_file_name`)."""


def records_dir(profile: str, start: Path | None = None) -> Path:
    """The folder that holds ``profile``'s records (see the module docstring);
    a build with another base seed has its own (:func:`build_label`).
    :data:`ENV_VAR`, when set, must be an absolute path (ValueError naming it
    otherwise)."""
    label = build_label(profile)
    folder = folder_from_env(ENV_VAR)
    if folder is not None:
        return folder / label
    root = book_root(start)
    if root is not None:
        return root / "_build" / "records" / label
    return (start or Path.cwd()).resolve() / "results" / label


def check_id(id: str) -> str:
    """``id`` if it is ``[a-z0-9._-]`` segments joined by ``/``, else ValueError."""
    if not isinstance(id, str) or not ID_PATTERN.fullmatch(id):
        raise ValueError(
            f"result id {id!r} is not valid; expected at least two parts of "
            "[a-z0-9._-] (each starting with a letter or digit) joined by '/', "
            "such as 'part1/rnn/test_l1'"
        )
    return id


def check_chapter(chapter: str) -> str:
    """``chapter`` if it can name a chapter (a notebook's file name without
    ``.ipynb``), else ValueError."""
    if isinstance(chapter, str) and chapter.lower().endswith(".ipynb"):
        raise ValueError(
            f"chapter {chapter!r} ends in .ipynb; expected the notebook's file "
            f"name without it: drop the suffix, chapter={chapter[:-6]!r} "
            "(records are kept and gathered by that name)"
        )
    if not isinstance(chapter, str) or not CHAPTER_PATTERN.fullmatch(
        chapter
    ):
        raise ValueError(
            f"chapter {chapter!r} is not valid; expected the notebook's file name "
            "without .ipynb, such as 'part1_02_vanilla_rnn'"
        )
    return chapter


def record_file_name(id: str) -> str:
    """The file that holds record ``id``: ``a/b_c`` -> ``a+b_c.json``."""
    return check_id(id).replace("/", SEPARATOR) + ".json"


def id_from_file_name(name: str) -> str:
    """The inverse of :func:`record_file_name` (no check of the result)."""
    return name.removesuffix(".json").replace(SEPARATOR, "/")


def claim_file_name(statement: str) -> str:
    """The file that holds the claim ``statement``: ``claim-<hash>.json``,
    with the first 16 hex digits of the statement's SHA-256 (UTF-8)."""
    digest = hashlib.sha256(statement.encode("utf-8")).hexdigest()
    return f"{CLAIM_PREFIX}{digest[:16]}.json"


def is_claim_file_name(name: str) -> bool:
    """Whether a file name in a records folder is a claim's (not a record's)."""
    return name.startswith(CLAIM_PREFIX) and SEPARATOR not in name


def check_record(
    id: str,
    value: float,
    reference: float | None,
) -> tuple[float, float | None]:
    """``(value, reference)`` as floats, once ``id`` and both are valid."""
    check_id(id)
    checked = []
    for name, number in (("value", value), ("reference", reference)):
        if number is None and name == "reference":
            checked.append(None)
            continue
        try:
            if isinstance(number, (str, bytes, bool, np.bool_)):
                raise TypeError(
                    "a string or a bool is not a measured number"
                )
            number = float(number)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"{name} of {id!r} must be a number, got {number!r}"
            ) from err
        if not math.isfinite(number):
            raise ValueError(
                f"{name} of {id!r} is {number}; only finite numbers can be recorded"
            )
        checked.append(number)
    return checked[0], checked[1]


def check_seconds(id: str, seconds) -> float:
    """``seconds`` (what producing record ``id`` cost) as a float, if it is
    a finite number >= 0; else ValueError naming the id and the value."""
    real = isinstance(seconds, numbers.Real) and not isinstance(
        seconds, (bool, np.bool_)
    )
    if not real or not math.isfinite(seconds) or seconds < 0:
        raise ValueError(
            f"seconds of {id!r} must be a finite number >= 0, got {seconds!r}"
        )
    return float(seconds)


def clear_records(folder: Path) -> None:
    """Remove the record and claim files (``*.json``) in ``folder``, then the
    folder if empty."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    for path in folder.glob("*.json"):
        path.unlink(missing_ok=True)
    if not any(folder.iterdir()):
        folder.rmdir()


def record(
    id: str,
    value: float,
    reference: float | None = None,
    *,
    profile: str,
    device: str,
    seconds: float,
    directory: Path,
    chapter: str | None = None,
) -> dict:
    """Save one headline number in ``directory`` (silently: the chapter
    shows its numbers its own way, the report lists them all).

    Args:
        id: stable, slash-separated, e.g. ``"part1/rnn/test_l1"``.
        value: the number the chapter shows (finite).
        reference: the write-up's own value for it, where it has one.
        profile, device, seconds: what produced it.
        directory: the chapter's records folder (see the module docstring).
        chapter: the chapter that records it, stored in the record so that
            the build can tell a record copied into another chapter's folder
            (default: the name of ``directory``, which is the chapter's).

    Returns:
        The record, as written.

    Raises:
        ValueError: a bad id, a value or reference that is not a finite
            number (a string or a bool is not), or ``seconds`` that is not a
            finite number >= 0.
    """
    value, reference = check_record(id, value, reference)
    seconds = check_seconds(id, seconds)
    chapter = (
        Path(directory).name if chapter is None else check_chapter(chapter)
    )
    entry = {
        "id": id,
        "value": value,
        "reference": reference,
        "profile": profile,
        "device": device,
        "seconds": round(seconds, 3),
        "chapter": chapter,
        "torch": torch.__version__,
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    path = Path(directory) / record_file_name(id)
    write_text_atomically(path, json.dumps(entry, indent=1))
    return entry


def record_claim(
    statement: str,
    held: bool,
    values: dict[str, float],
    *,
    margin: float | None = None,
    profile: str,
    chapter: str,
    directory: Path,
) -> dict:
    """Save one checked claim in ``directory`` (the chapter's records folder).

    The file is :func:`claim_file_name` of the statement, so the same words
    checked again in one execution overwrite it: the later outcome is the one
    kept. Values that are not finite (a NaN loss, say) are kept as JSON's
    ``NaN`` and ``Infinity``, which Python's :mod:`json` reads back. Nothing
    is printed (:func:`tutorial_lib.bookkeeping.claims.enforce` prints the claim).

    ``margin`` is how far the claim is from failing
    (:mod:`tutorial_lib.bookkeeping.verdicts`; ``Infinity`` for exact facts),
    ``None`` (JSON ``null``) when the chapter gave a plain bool.

    Returns:
        The claim's entry, as written: ``statement, held, values, margin,
        profile, chapter, recorded_at``.
    """
    entry = {
        "statement": statement,
        "held": bool(held),
        "values": {name: float(v) for name, v in values.items()},
        "margin": None if margin is None else float(margin),
        "profile": profile,
        "chapter": chapter,
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    path = Path(directory) / claim_file_name(statement)
    write_text_atomically(path, json.dumps(entry, indent=1))
    return entry
