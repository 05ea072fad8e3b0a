"""Every ``literalinclude`` of the book still finds what it shows.

Chapters show library code with MyST ``literalinclude`` directives, e.g.::

    ```{literalinclude} ../tutorial_lib/models.py
    :pyobject: SequenceDenoiser
    ```

A renamed function, or an edited line that a ``:start-at:`` looked for, breaks
such a directive, and only the (slow) site build would notice. This file finds
every ``literalinclude`` in the chapters (``notebooks/*.ipynb``,
``book/*.ipynb``, ``book/*.md``) the way the build does, and reads each one
with Sphinx's own ``LiteralIncludeReader``:

* the fences are found by MyST's own Markdown parser (backtick, tilde and colon
  fences, also nested inside other directives such as admonitions);
* the options are parsed and converted by MyST's ``parse_directive_text``
  against the ``literalinclude`` directive's own ``option_spec``, so an unknown
  or malformed option fails here as it fails the build;
* the path is resolved relative to the page, as Sphinx's ``relfn2path`` does
  (a leading ``/`` means the book's root, the repository's root here);
* the reader must read without error, without logging a warning (the build
  runs with ``--warningiserror``) and give non-empty text;
* ``:emphasize-lines:`` must lie within the included text;
* no included line is wider than the site's code column (ruff's
  ``line-length``): ruff leaves long strings alone, the page would not.

One test per directive, named by the page, the cell and the line.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

# The book's toolchain (the book extra, installed by make test) reads the
# directives; make test-compat's environments have only the runtime and test
# requirements, and the chapters' includes are checked in .venv.
pytest.importorskip("myst_parser")

from markdown_it.renderer import RendererHTML
from markdown_it.tree import SyntaxTreeNode
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.directives import parse_directive_text
from myst_parser.parsers.mdit import create_md_parser
from sphinx.config import Config
from sphinx.directives.code import LiteralInclude, LiteralIncludeReader
from sphinx.util import parselinenos

ROOT = Path(__file__).resolve().parents[1]
# The site's code column holds this many characters (tests/test_site.py
# checks it in a browser); ruff formats the code to the same width.
WIDTH = int(
    re.search(
        r"^line-length\s*=\s*(\d+)",
        (ROOT / "pyproject.toml").read_text(),
        re.MULTILINE,
    ).group(1)
)

# Jupyter Book 1's default MyST extensions (jupyter_book/default_config.yml)
# that change how blocks are parsed; _config.yml sets no others. (linkify and
# substitution act inside paragraphs only.)
MYST = MdParserConfig(
    enable_extensions={"colon_fence", "dollarmath", "tasklist"}
)

# Directives whose body is not Markdown: a literalinclude shown inside one is an
# example, not a directive.
LITERAL_DIRECTIVES = {
    "code",
    "code-block",
    "sourcecode",
    "code-cell",
    "eval-rst",
    "math",
    "raw",
    "literalinclude",
    "csv-table",
    "list-table",
    "mermaid",
    "highlight",
}

# A line that opens a literalinclude fence (MyST's REGEX_DIRECTIVE_START, for
# this directive). Used to check that the parser saw every one of them.
OPENING = re.compile(r"^[ \t]*([`]{3,}|[~]{3,}|[:]{3,})\{literalinclude\}")


@dataclass(frozen=True)
class Include:
    """One literalinclude directive, as written on a page."""

    page: Path  # the notebook or Markdown file
    cell: int | None  # the notebook cell's index, None for a Markdown file
    line: (
        int  # 1-based line of the fence's opening, within the cell or file
    )
    argument: str  # the text after ``{literalinclude}`` on the opening line
    content: str  # everything inside the fence (options and any body)
    # False for a line that looks like a literalinclude fence's opening but
    # that MyST does not read as a directive
    is_directive: bool = True

    @property
    def where(self) -> str:
        page = _relative(self.page)
        if self.cell is None:
            return f"{page}, line {self.line}"
        return f"{page}, cell {self.cell}, line {self.line}"


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def markdown_sources(page: Path) -> list[tuple[int | None, str]]:
    """(cell index, text) for every Markdown source of a page."""
    if page.suffix == ".ipynb":
        notebook = json.loads(page.read_text(encoding="utf-8"))
        # a cell's source is a list of lines, or one string
        return [
            (index, "".join(cell["source"]))
            for index, cell in enumerate(notebook["cells"])
            if cell["cell_type"] == "markdown"
        ]
    return [(None, page.read_text(encoding="utf-8"))]


def _directive_body(content: str) -> tuple[str, int]:
    """A directive's content less its option block, and the lines dropped."""
    lines = content.splitlines()
    skip = 0
    if lines and lines[0].startswith("---"):
        skip = next(
            (
                i + 1
                for i in range(1, len(lines))
                if lines[i].startswith("---")
            ),
            len(lines),
        )
    else:
        while skip < len(lines) and lines[skip].lstrip().startswith(":"):
            skip += 1
    return "\n".join(lines[skip:]), skip


def _fences(text: str, offset: int = 0):
    """(line, name, argument, content) of every directive fence in MyST text,
    nested ones included; ``line`` is 1-based."""
    md = create_md_parser(MYST, RendererHTML)
    tree = SyntaxTreeNode(md.parse(text))
    for node in tree.walk():
        if node.type not in ("fence", "colon_fence"):
            continue
        parts = (node.info or "").strip().split(maxsplit=1)
        name = parts[0] if parts else ""
        if not (name.startswith("{") and name.endswith("}")):
            continue
        name = name[1:-1]
        argument = parts[1] if len(parts) > 1 else ""
        line = offset + node.map[0] + 1
        yield line, name, argument, node.content
        if name not in LITERAL_DIRECTIVES:
            content = node.content
            if node.type == "colon_fence" and content.startswith(":::"):
                # as MyST's render_colon_fence: a nested fence is not an option
                content, line = "\n" + content, line - 1
            body, skipped = _directive_body(content)
            # the body starts on the line after the opening and the options
            yield from _fences(body, offset=line + skipped)


def find_includes(page: Path) -> list[Include]:
    """Every literalinclude directive of a page, in order."""
    found = []
    for cell, text in markdown_sources(page):
        seen = set()
        for line, name, argument, content in _fences(text):
            if name == "literalinclude":
                found.append(Include(page, cell, line, argument, content))
                seen.add(line)
        # A line that opens a literalinclude but that the parser did not read as
        # one (an indented code block, a fence inside a literal directive...) is
        # kept, so that check_include says so instead of the test skipping it.
        for number, source_line in enumerate(text.splitlines(), start=1):
            if OPENING.match(source_line) and number not in seen:
                found.append(
                    Include(page, cell, number, "", "", is_directive=False)
                )
    return sorted(found, key=lambda inc: (inc.cell or 0, inc.line))


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        try:
            self.messages.append(record.getMessage())
        except Exception:  # a lazy translation proxy that does not format
            self.messages.append(f"{record.msg} {record.args}")


def check_include(include: Include) -> list[str]:
    """What is wrong with one literalinclude; an empty list if nothing is."""
    if not include.is_directive:
        return [
            "this line opens a literalinclude fence, but MyST does not read it "
            "as a directive (an indented code block, the body of a literal "
            "directive, or taken for another directive's options?)"
        ]
    try:
        parsed = parse_directive_text(
            LiteralInclude,
            include.argument,
            include.content,
            line=include.line,
        )
    except Exception as exc:  # MarkupError: a bad argument or option value
        return [f"MyST cannot parse the directive: {exc}"]
    problems = [f"MyST: {w.msg}" for w in parsed.warnings]
    if len(parsed.arguments) != 1:
        return [
            *problems,
            f"expected one path argument, got {parsed.arguments!r}",
        ]
    options = dict(parsed.options)

    def resolve(name: str) -> Path:  # sphinx.environment.relfn2path
        if name.startswith("/"):
            return Path(os.path.normpath(ROOT / name[1:]))
        return Path(os.path.normpath(include.page.parent / name))

    path = resolve(parsed.arguments[0])
    if "diff" in options:
        options["diff"] = str(resolve(options["diff"]))

    handler = _Warnings()
    sphinx_logger = logging.getLogger("sphinx")
    sphinx_logger.addHandler(handler)
    try:
        reader = LiteralIncludeReader(str(path), options, Config())
        text, nlines = reader.read(location=(include.where, include.line))
    except Exception as exc:
        return [*problems, f"{path.name}: {type(exc).__name__}: {exc}"]
    finally:
        sphinx_logger.removeHandler(handler)
    problems += [f"Sphinx warns: {message}" for message in handler.messages]
    if not text.strip():
        problems.append(f"{path.name}: the include is empty")
    wide = [line for line in text.splitlines() if len(line) > WIDTH]
    if wide:
        problems.append(
            f"{path.name}: {len(wide)} line(s) wider than the code column's "
            f"{WIDTH} characters (ruff's line-length), which the page would "
            f"scroll sideways; the first: {wide[0].strip()!r}"
        )
    if "emphasize-lines" in options:
        spec = options["emphasize-lines"]
        try:
            wanted = parselinenos(spec, nlines)
        except ValueError as exc:
            problems.append(f":emphasize-lines: {spec!r}: {exc}")
        else:
            if not wanted or any(n >= nlines for n in wanted):
                problems.append(
                    f":emphasize-lines: {spec!r} is outside the {nlines} included lines"
                )
    return problems


def pages(root: Path = ROOT) -> list[Path]:
    found = [
        *sorted((root / "notebooks").glob("*.ipynb")),
        *sorted((root / "book").glob("*.ipynb")),
        *sorted((root / "book").glob("*.md")),
    ]
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


def _label(include: Include) -> str:
    page = _relative(include.page)
    cell = "" if include.cell is None else f"cell{include.cell}-"
    target = Path(include.argument).name or "?"
    obj = re.search(
        r"^\s*:pyobject:\s*(\S+)", include.content, re.MULTILINE
    )
    return f"{page}:{cell}line{include.line}:{target}" + (
        f":{obj.group(1)}" if obj else ""
    )


INCLUDES = [include for page in pages() for include in find_includes(page)]


def test_the_chapters_have_literalincludes():
    # guards the search itself: none found would pass every test below
    assert INCLUDES, "no literalinclude found in notebooks/ or book/"


@pytest.mark.parametrize(
    "include", INCLUDES, ids=[_label(i) for i in INCLUDES]
)
def test_literalinclude_reads(include):
    problems = check_include(include)
    assert not problems, f"{include.where}: " + "; ".join(problems)


# --- the helpers catch what they are meant to catch ------------------------------

MODULE = '''\
import torch


class Denoiser:
    """A model."""

    def __init__(self, width):
        self.width = width
        self.scale = 2

    def forward(self, x):
        return x * self.scale


def fit(model, data):
    for epoch in range(3):
        loss = model.forward(data)
    return loss


def describe(model):
    return f"a denoiser of width {model.width}, its output scaled by {model.scale}"
'''


def _notebook(tmp_path: Path, *cells: str) -> Path:
    (tmp_path / "lib").mkdir(exist_ok=True)
    (tmp_path / "lib" / "mod.py").write_text(MODULE, encoding="utf-8")
    (tmp_path / "chapters").mkdir(exist_ok=True)
    page = tmp_path / "chapters" / "chapter.ipynb"
    notebook = {
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": cell.splitlines(True),
            }
            for cell in cells
        ]
        + [
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": ["# ```{literalinclude} not-markdown.py\n"],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    page.write_text(json.dumps(notebook), encoding="utf-8")
    return page


GOOD = {
    "backticks, pyobject": "```{literalinclude} ../lib/mod.py\n:pyobject: Denoiser\n```",
    "method, start/end, dedent": (
        "Text.\n\n```{literalinclude} ../lib/mod.py\n:pyobject: Denoiser.__init__\n"
        ":language: python\n:start-at: self.width\n:end-at: self.scale\n:dedent:\n```"
    ),
    "colon fence, lines, emphasis": (
        ":::{literalinclude} ../lib/mod.py\n:lines: 15-18\n:emphasize-lines: 2,4\n:::"
    ),
    "yaml options, tildes": "~~~{literalinclude} ../lib/mod.py\n---\npyobject: fit\n---\n~~~",
    "nested in a note": (
        "````{note}\nSee:\n\n```{literalinclude} ../lib/mod.py\n:pyobject: fit\n```\n````"
    ),
}

BAD = {
    "renamed pyobject": (
        "```{literalinclude} ../lib/mod.py\n:pyobject: Model\n```",
        "not found",
    ),
    "renamed method": (
        "```{literalinclude} ../lib/mod.py\n:pyobject: Denoiser.predict\n```",
        "not found",
    ),
    "start-at gone": (
        "```{literalinclude} ../lib/mod.py\n:pyobject: fit\n:start-at: for step in\n```",
        "start-at pattern not found",
    ),
    "end-before gone": (
        "```{literalinclude} ../lib/mod.py\n:end-before: def predict\n```",
        "end-before pattern not found",
    ),
    "emphasis past the end": (
        "```{literalinclude} ../lib/mod.py\n:pyobject: fit\n:emphasize-lines: 3-9\n```",
        "outside the 4 included lines",
    ),
    "lines past the end": (
        "```{literalinclude} ../lib/mod.py\n:lines: 40-50\n```",
        "no lines pulled",
    ),
    "lines partly past the end": (
        "```{literalinclude} ../lib/mod.py\n:lines: 17-30\n```",
        "out of range",
    ),
    "a line wider than the code column": (
        "```{literalinclude} ../lib/mod.py\n:pyobject: describe\n```",
        f"wider than the code column's {WIDTH} characters",
    ),
    "missing file": (
        "```{literalinclude} ../lib/gone.py\n```",
        "not found",
    ),
    "wrong relative path": (
        "```{literalinclude} lib/mod.py\n:pyobject: fit\n```",
        "not found",
    ),
    "unknown option": (
        "```{literalinclude} ../lib/mod.py\n:pyobjet: fit\n```",
        "pyobjet",
    ),
    "conflicting options": (
        "```{literalinclude} ../lib/mod.py\n:start-at: def\n:start-after: def\n```",
        "Cannot use both",
    ),
    "dedent strips code": (
        "```{literalinclude} ../lib/mod.py\n:pyobject: fit\n:dedent: 8\n```",
        "non-whitespace stripped",
    ),
    "broken pyobject nested in a colon-fence note": (
        "::::{note}\n:::{literalinclude} ../lib/mod.py\n:pyobject: gone\n:::\n::::",
        "not found",
    ),
    "the same, after the note's options": (
        "::::{note}\n:class: dropdown\n\n"
        ":::{literalinclude} ../lib/mod.py\n:pyobject: gone\n:::\n::::",
        "not found",
    ),
    # MyST reads every leading line that starts with ":" as an option, the
    # inner fence's included: the build does not see a literalinclude there
    "a fence swallowed by the note's options": (
        "::::{note}\n:class: dropdown\n"
        ":::{literalinclude} ../lib/mod.py\n:pyobject: fit\n:::\n::::",
        "does not read it as a directive",
    ),
    "indented, so a code block": (
        "- item\n\n        ```{literalinclude} ../lib/mod.py\n        :pyobject: fit\n        ```",
        "does not read it as a directive",
    ),
}


def test_the_helpers_pass_good_includes_and_catch_broken_ones(tmp_path):
    bad = list(BAD.values())
    page = _notebook(tmp_path, *GOOD.values(), *(cell for cell, _ in bad))
    found = find_includes(page)
    # one directive per cell; the code cell's text is not Markdown
    assert [inc.cell for inc in found] == list(range(len(GOOD) + len(bad)))
    # lines are counted within the cell, nested fences included
    lines = {name: inc.line for name, inc in zip([*GOOD, *BAD], found)}
    assert lines["method, start/end, dedent"] == 3
    assert lines["nested in a note"] == 4
    assert lines["broken pyobject nested in a colon-fence note"] == 2
    assert lines["the same, after the note's options"] == 4

    for name, include in zip(GOOD, found[: len(GOOD)]):
        assert check_include(include) == [], name
    for (name, (_, expected)), include in zip(
        BAD.items(), found[len(GOOD) :]
    ):
        problems = check_include(include)
        assert problems, f"{name}: not caught"
        assert expected in "; ".join(problems), f"{name}: {problems}"


def test_a_root_relative_path_is_the_books_root():
    include = Include(
        ROOT / "notebooks" / "x.ipynb",
        0,
        1,
        "/tutorial_lib/models.py",
        ":pyobject: ConvAutoencoder\n",
    )
    assert check_include(include) == []


def test_a_renamed_function_breaks_a_real_chapter(tmp_path):
    """A real chapter, in a copy of the tree where the library's class that it
    includes has been renamed, fails through the same helpers."""
    chapter = ROOT / "notebooks" / "part2_02_conv_autoencoder.ipynb"
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "tutorial_lib").mkdir()
    copy = tmp_path / "notebooks" / chapter.name
    copy.write_bytes(chapter.read_bytes())
    models = (ROOT / "tutorial_lib" / "models.py").read_text(
        encoding="utf-8"
    )
    assert "class ConvAutoencoder(" in models
    (tmp_path / "tutorial_lib" / "models.py").write_text(
        models.replace("class ConvAutoencoder(", "class ConvDenoiser("),
        encoding="utf-8",
    )
    includes = [
        i
        for i in find_includes(copy)
        if ":pyobject: ConvAutoencoder" in i.content
    ]
    assert includes, (
        "the chapter no longer includes ConvAutoencoder: pick another"
    )
    problems = check_include(includes[0])
    assert any("'ConvAutoencoder' not found" in p for p in problems), (
        problems
    )
