"""Collect the chapters' records (:mod:`tutorial_lib.bookkeeping.records`) into one JSON list.

``python -m bookbuild gather --profile full --out _build/results.json``

Only the chapters that ``_toc.yml`` lists are read, each from its own folder
``<records>/<chapter>/``: a chapter dropped from the book, or an old record
that a chapter no longer writes, never reaches ``results.json``. Every record
is checked on the way (valid JSON, the keys the pages need, finite numbers,
the id its file name says, the chapter it stores is the folder's); an id
that two chapters record is an error that names both. Any problem raises :class:`BuildInputError` naming the file.

The same folders hold the claims the chapters checked (``run.claim``,
``claim-<hash>.json``; see :mod:`tutorial_lib.bookkeeping.records`). :func:`gather_claims`
collects them, checked the same way, in the order of the chapters and, within
a chapter, of the file names; the command writes them to ``claims.json`` next
to the results file (``_build/claims.json``) for the report page.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import yaml

from bookbuild.errors import BuildInputError
from tutorial_lib.bookkeeping.cost import COST_FILE
from tutorial_lib.bookkeeping.files import write_text_atomically
from tutorial_lib.bookkeeping.records import (
    ID_PATTERN,
    claim_file_name,
    id_from_file_name,
    is_claim_file_name,
    record_file_name,
)

REQUIRED = ("id", "value", "reference", "profile", "device", "seconds")
"""The keys every record has (see :func:`tutorial_lib.bookkeeping.records.record`)."""
CLAIM_KEYS = ("statement", "held", "values", "profile", "chapter")
"""The keys every claim has (see :func:`tutorial_lib.bookkeeping.records.record_claim`)."""


def toc_chapters(toc: Path) -> list[str]:
    """The chapters ``toc`` lists: the file names (no suffix) of its notebooks."""
    names = [f.stem for f in toc_notebooks(toc)]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise BuildInputError(
            f"{toc} lists two notebooks named {', '.join(twice)}; "
            "expected one file name per chapter (records are kept by it)"
        )
    return names


def toc_notebooks(toc: Path) -> list[Path]:
    """The notebooks ``toc`` lists, relative to its folder
    (``notebooks/part1_01_noisy_sine.ipynb``), in its order."""
    root = Path(toc).parent
    files: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    try:
        walk(yaml.safe_load(Path(toc).read_text()))
    except (OSError, yaml.YAMLError) as err:
        raise BuildInputError(
            f"table of contents {toc} cannot be read ({err}); expected the book's "
            "_toc.yml (--toc)"
        ) from err
    notebooks = [Path(f).with_suffix(".ipynb") for f in files]
    return [f for f in notebooks if (root / f).is_file()]


def _finite(
    entry: dict, key: str, where: str, optional: bool = False
) -> None:
    number = entry[key]
    if optional and number is None:
        return
    ok = isinstance(number, (int, float)) and not isinstance(number, bool)
    if not ok or not math.isfinite(number):
        raise BuildInputError(
            f"{where}: {key} of record {entry.get('id')!r} is {number!r}; "
            "expected a finite number" + (" or null" if optional else "")
        )


def _object_with(
    entry: object, keys, what: str, where: str, *, entry_id: bool = False
) -> None:
    """BuildInputError naming ``where`` unless ``entry`` is a JSON object
    holding every one of ``keys`` (``what``: record or claim)."""
    if not isinstance(entry, dict):
        raise BuildInputError(
            f"{where}: a {what} must be a JSON object, got {type(entry).__name__}"
        )
    missing = [key for key in keys if key not in entry]
    if missing:
        name = f" {entry.get('id', '(no id)')!r}" if entry_id else ""
        raise BuildInputError(
            f"{where}: {what}{name} lacks {', '.join(missing)}; expected the "
            f"keys {', '.join(keys)}"
        )


def validate_record(entry: object, where: str) -> dict:
    """``entry`` if it is a usable record; else BuildInputError naming ``where``."""
    _object_with(entry, REQUIRED, "record", where, entry_id=True)
    if not isinstance(entry["id"], str) or not ID_PATTERN.fullmatch(
        entry["id"]
    ):
        raise BuildInputError(
            f"{where}: id {entry['id']!r} is not valid; expected parts of "
            "[a-z0-9._-] joined by '/'"
        )
    _finite(entry, "value", where)
    _finite(entry, "reference", where, optional=True)
    _finite(entry, "seconds", where)
    if entry["seconds"] < 0:
        raise BuildInputError(
            f"{where}: seconds of record {entry['id']!r} is "
            f"{entry['seconds']!r}; expected a number >= 0"
        )
    return entry


def _read_json(path: Path, what: str) -> object:
    """The JSON in a chapter's ``what`` file (a record or a claim)."""
    if Path(path).is_dir():
        raise BuildInputError(
            f"{path}: a folder named like a {what} file; expected a file "
            "(move the folder out of the records folder)"
        )
    try:
        return json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise BuildInputError(
            f"{path}: not a readable JSON {what} ({err}); run its chapter again"
        ) from err
    except OSError as err:
        raise BuildInputError(
            f"{path}: the {what} cannot be read ({err.strerror}); expected a "
            "readable file"
        ) from err


def read_record(path: Path, chapter: str | None = None) -> dict:
    """The record in one file, checked (see :func:`validate_record`), and,
    given the ``chapter`` whose folder holds it, that the chapter the record
    stores (records written before they stored one have none) is that one."""
    entry = _read_json(path, "record")
    validate_record(entry, str(path))
    if record_file_name(entry["id"]) != Path(path).name:
        raise BuildInputError(
            f"{path}: holds id {entry['id']!r} but its name says "
            f"{id_from_file_name(Path(path).name)!r}; expected them to agree"
        )
    stored = entry.get("chapter")
    if chapter is not None and stored is not None and stored != chapter:
        raise BuildInputError(
            f"{path}: record {entry['id']!r} of chapter {stored!r} in the "
            f"folder of {chapter!r}; expected a chapter's records in its own "
            f"folder (remove the file; executing {chapter} again rewrites "
            "its folder)"
        )
    return entry


def gather(records: Path, chapters: list[str]) -> list[dict]:
    """Every record of ``chapters`` under the profile's folder ``records``, by id.

    Raises:
        BuildInputError: ``records`` is missing, a record is unusable, or two
            chapters record the same id.
    """
    _check_folder(records)
    found: dict[str, tuple[str, dict]] = {}
    for chapter in chapters:
        for path in sorted((Path(records) / chapter).glob("*.json")):
            if is_claim_file_name(path.name) or path.name == COST_FILE:
                continue
            entry = read_record(path, chapter)
            if entry["id"] in found:
                raise BuildInputError(
                    f"id {entry['id']!r} is recorded by two chapters, "
                    f"{found[entry['id']][0]} and {chapter} ({path}); "
                    "expected each id to belong to one chapter"
                )
            found[entry["id"]] = (chapter, entry)
    return [found[i][1] for i in sorted(found)]


def _check_folder(records: Path) -> None:
    if not Path(records).is_dir():
        raise BuildInputError(
            f"records folder {records} does not exist: no chapter has recorded "
            "anything for this profile yet; execute the chapters first (make book; "
            "chapters served from the execution cache need make clean-cache)"
        )


def validate_claim(entry: object, where: str) -> dict:
    """``entry`` if it is a usable claim; else BuildInputError naming ``where``.

    A claim has a non-empty ``statement``, ``held`` true or false, ``values``
    mapping names to numbers (NaN and infinities allowed: a claim may be
    about one), ``profile`` and ``chapter`` as strings, and optionally a
    ``margin``, a number or null.
    """
    _object_with(entry, CLAIM_KEYS, "claim", where)
    statement, values = entry["statement"], entry["values"]
    problem = None
    if not isinstance(statement, str) or not statement.strip():
        problem = f"statement is {statement!r}; expected non-empty words"
    elif not isinstance(entry["held"], bool):
        problem = f"held is {entry['held']!r}; expected true or false"
    elif not isinstance(values, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool)
        for v in values.values()
    ):
        problem = f"values are {values!r}; expected names mapped to numbers"
    elif not isinstance(entry.get("margin"), (int, float, type(None))) or (
        isinstance(entry.get("margin"), bool)
    ):
        problem = (
            f"margin is {entry['margin']!r}; expected a number or null"
        )
    elif not all(
        isinstance(entry[k], str) and entry[k]
        for k in ("profile", "chapter")
    ):
        problem = (
            f"profile {entry['profile']!r} or chapter {entry['chapter']!r} "
            "is not a non-empty string"
        )
    if problem:
        raise BuildInputError(f"{where}: {problem}")
    return entry


def read_claim(path: Path, chapter: str) -> dict:
    """The claim in one file of ``chapter``'s folder, checked
    (:func:`validate_claim`, its file name and its chapter)."""
    entry = _read_json(path, "claim")
    validate_claim(entry, str(path))
    if claim_file_name(entry["statement"]) != Path(path).name:
        raise BuildInputError(
            f"{path}: holds the claim {entry['statement']!r}, whose file would "
            f"be {claim_file_name(entry['statement'])}; expected them to agree"
        )
    if entry["chapter"] != chapter:
        raise BuildInputError(
            f"{path}: claim of chapter {entry['chapter']!r} in the folder of "
            f"{chapter!r}; expected a chapter's claims in its own folder"
        )
    return entry


def gather_claims(records: Path, chapters: list[str]) -> list[dict]:
    """Every claim of ``chapters`` under ``records``: chapter order, then
    file order.

    Raises:
        BuildInputError: ``records`` is missing or a claim file is unusable.
    """
    _check_folder(records)
    return [
        read_claim(path, chapter)
        for chapter in chapters
        for path in sorted((Path(records) / chapter).glob("*.json"))
        if is_claim_file_name(path.name)
    ]


def unlisted(records: Path, chapters: list[str]) -> list[str]:
    """What ``records`` holds besides the listed chapters' folders (left out)."""
    if not Path(records).is_dir():
        return []
    return sorted(
        p.name
        for p in Path(records).iterdir()
        if p.name not in chapters and not p.name.startswith(".")
    )


def write_results(entries: list[dict], out: Path) -> None:
    """Write ``entries`` (records, or claims) to ``out`` as one JSON list
    (atomically)."""
    write_text_atomically(Path(out), json.dumps(entries, indent=1) + "\n")
