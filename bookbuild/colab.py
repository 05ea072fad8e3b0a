"""Colab editions: each chapter as Colab and a plain Jupyter show it.

Jupyter renders Markdown, not MyST: in a chapter opened there, a
``{literalinclude}`` shows as its own raw text (so the model class a
chapter teaches never appears), an ``{admonition}`` as a code fence and a
``{glue:text}`` role as its name. The edition of a chapter is the chapter
with those resolved:

* an included file's lines (``:pyobject:``, ``:start-at:``,
  ``:start-after:``, ``:end-at:``, ``:end-before:``, as Sphinx selects them)
  as a Python code block;
* an admonition as a quoted block under its bold title;
* a glued value as the text the site shows, read from the chapter the
  build executed (``_build/jupyter_execute/``);
* a first cell that says what the chapter costs at full size when it trains
  every run it uses, on the machine that built the book (the cost each
  chapter saved in the full-size build, :mod:`tutorial_lib.bookkeeping.cost`)
  and on a GPU (``benchmarks/``), and how to run it small.

``python -m bookbuild colab`` writes every chapter's edition to
``_build/colab/<path>`` (published on the ``colab`` branch, which the
Colab buttons open) and over the page's download copy,
``_build/html/_sources/<path>``. Cells keep their code and lose their
outputs: a reader runs them.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import textwrap
from pathlib import Path
from typing import Mapping

from tutorial_lib.bookkeeping.cost import read_cost
from tutorial_lib.bookkeeping.records import records_dir

DIRECTIVE = re.compile(
    r"^(?P<indent>[ \t]*)```\{(?P<name>[a-z:-]+)\}[ \t]*(?P<arg>[^\n]*)\n"
    r"(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.M | re.S,
)
OPTION = re.compile(r"^:(?P<key>[a-z-]+):[ \t]*(?P<value>.*)$")
GLUE = re.compile(r"\{glue:text\}`(?P<name>[^`:]+)(?::(?P<spec>[^`]*))?`")


def _options(body: str) -> tuple[dict[str, str], str]:
    """A directive's leading ``:key: value`` lines, and the rest of its body."""
    options, lines = {}, body.splitlines()
    while lines and (m := OPTION.match(lines[0].strip())):
        options[m["key"]] = m["value"].strip()
        lines.pop(0)
    return options, "\n".join(lines).strip("\n")


def _pyobject(source: str, dotted: str) -> list[str]:
    """The lines of a top-level function or class (``Class.method`` too),
    decorators included, as Sphinx's ``:pyobject:`` selects them."""
    lines, scope = source.splitlines(), ast.parse(source).body
    node = None
    for part in dotted.split("."):
        node = next(
            (
                n
                for n in scope
                if isinstance(
                    n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)
                )
                and n.name == part
            ),
            None,
        )
        if node is None:
            raise ValueError(f"no object {dotted!r} in the included file")
        scope = node.body
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return lines[first - 1 : node.end_lineno]


def _cut(lines: list[str], options: Mapping[str, str]) -> list[str]:
    """Sphinx's ``start-at/after`` and ``end-at/before`` on ``lines``."""
    for key, keep in (("start-at", 0), ("start-after", 1)):
        if key in options:
            at = next(
                i for i, line in enumerate(lines) if options[key] in line
            )
            lines = lines[at + keep :]
    for key, keep in (("end-at", 1), ("end-before", 0)):
        if key in options:
            at = next(
                i for i, line in enumerate(lines) if options[key] in line
            )
            lines = lines[: at + keep]
    return lines


def include(path: Path, options: Mapping[str, str]) -> str:
    """The code a ``{literalinclude}`` of ``path`` with ``options`` shows
    (``:dedent: N`` strips N columns; ``:dedent:`` alone, the common ones)."""
    source = path.read_text()
    lines = (
        _pyobject(source, options["pyobject"])
        if "pyobject" in options
        else source.splitlines()
    )
    text = "\n".join(_cut(lines, options))
    if "dedent" not in options:
        return text
    if not options["dedent"]:
        return textwrap.dedent(text)
    width = int(options["dedent"])
    return "\n".join(line[width:] for line in text.split("\n"))


def _indented(text: str, indent: str) -> str:
    return "\n".join(
        indent + line if line else line for line in text.split("\n")
    )


def resolve_directives(markdown: str, folder: Path) -> str:
    """``markdown`` with every literalinclude and admonition written out
    (``folder``: where the notebook is, which include paths start from)."""

    def replace(m: re.Match) -> str:
        options, body = _options(m["body"])
        if m["name"] == "literalinclude":
            code = include(folder / m["arg"].strip(), options)
            text = f"```python\n{code}\n```"
        elif m["name"] == "admonition":
            inner = resolve_directives(body, folder)
            quoted = "\n".join(
                "> " + line if line else ">" for line in inner.split("\n")
            )
            text = f"> **{m['arg'].strip()}**\n>\n{quoted}"
        else:
            return m[0]
        return _indented(text, m["indent"])

    return DIRECTIVE.sub(replace, markdown)


def _plain(output: dict) -> str | None:
    """A glue output's ``text/plain``, or None."""
    plain = output.get("data", {}).get("text/plain")
    return "".join(plain) if isinstance(plain, list) else plain


def glued_values(executed: dict) -> dict[str, str]:
    """``{name: text/plain}`` of every value an executed notebook glued
    (its outputs, as nbclient leaves them)."""
    values = {}
    for cell in executed.get("cells", []):
        for output in cell.get("outputs", []):
            name = (
                output.get("metadata", {}).get("scrapbook", {}).get("name")
            )
            if name and _plain(output) is not None:
                values[name] = _plain(output)
    return values


def build_glue(executed: Path) -> dict[str, str]:
    """The values a chapter glued in the book's build: myst-nb moves them
    from the executed notebook into ``<chapter>.glue.json`` beside it."""
    path = executed.with_suffix(".glue.json")
    if path.is_file():
        saved = json.loads(path.read_text())
        return {
            k: v
            for k, out in saved.items()
            if (v := _plain(out)) is not None
        }
    if executed.is_file():
        return glued_values(json.loads(executed.read_text()))
    return {}


def resolve_glue(markdown: str, values: Mapping[str, str]) -> str:
    """Every ``{glue:text}`name:spec``` replaced by the value, formatted."""

    def replace(m: re.Match) -> str:
        if m["name"] not in values:
            raise ValueError(
                f"{{glue:text}}`{m['name']}` has no glued value in the "
                "executed chapter: build the book first"
            )
        value = values[m["name"]]
        if m["spec"]:
            return format(float(value), m["spec"])
        return value.strip("'\"")

    return GLUE.sub(replace, markdown)


def _minutes(seconds: float, digits: int = 0) -> str:
    """``"about 12 min"``, or ``"under a minute"``."""
    if seconds < 60:
        return "under a minute"
    return f"about {seconds / 60:.{digits}f} min"


def cost_cell(
    chapter: str,
    cpu: Mapping[str, float],
    gpu: Mapping[str, float],
    machine: str = "the machine that built the book",
) -> dict:
    """The edition's first cell: the chapter's cost and how to run it small.

    ``cpu``: seconds a chapter takes alone, training every run it uses, on
    ``machine`` (the build's own measurement); ``gpu``: seconds on a GPU.
    """
    parts = []
    if chapter in cpu:
        parts.append(f"{_minutes(cpu[chapter])} on {machine}")
    if chapter in gpu:
        parts.append(f"{_minutes(gpu[chapter], 1)} on a GPU")
    measured = (
        "At full size, the default, and training every run it uses, it "
        f"takes {' and '.join(parts)}, as the book measured it"
        if parts
        else "Its time at full size, the default, is not measured yet"
    )
    text = (
        f"**Running this chapter.** {measured}; "
        "runs the book trained with exactly your settings are downloaded "
        "instead of trained. To run it small, in seconds, run "
        "`%env TUTORIAL_PROFILE=smoke` in a cell first. This is the Colab "
        "edition of the chapter: the code it includes from `tutorial_lib` "
        "and the values the site shows are written into its text."
    )
    return {
        "cell_type": "markdown",
        "id": "colab-edition",
        "metadata": {},
        "source": text,
    }


def edition(
    notebook: dict, folder: Path, values: Mapping[str, str], first: dict
) -> dict:
    """The Colab edition of ``notebook`` (not changed): directives and glue
    resolved in its Markdown, outputs cleared, ``first`` cell prepended."""
    out = copy.deepcopy(notebook)
    for cell in out["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            text = resolve_glue(resolve_directives(text, folder), values)
            cell["source"] = text
        elif cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    out["cells"].insert(0, first)
    return out


def write_editions(
    root: Path, chapters: list[str], out: Path, sources: Path | None = None
) -> list[Path]:
    """Write the edition of each chapter (``notebooks/x.ipynb``, relative to
    ``root``) to ``out/<chapter>`` and, when given, ``sources/<chapter>``."""
    costs = build_costs(root, [Path(c).stem for c in chapters])
    cpu = {chapter: cost["alone"] for chapter, cost in costs.items()}
    machines = {cost["device"] for cost in costs.values()}
    machine = "the machine that built the book" + (
        f", {machines.pop()}," if len(machines) == 1 else ""
    )
    gpu = _seconds(root / "benchmarks" / "book_chapters_cuda.json")
    written = []
    for chapter in chapters:
        path = root / chapter
        values = build_glue(root / "_build" / "jupyter_execute" / chapter)
        notebook = json.loads(path.read_text())
        first = cost_cell(Path(chapter).stem, cpu, gpu, machine)
        result = edition(notebook, path.parent, values, first)
        for base in [out] + ([sources] if sources else []):
            target = base / chapter
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                json.dumps(result, indent=1, ensure_ascii=False) + "\n"
            )
            written.append(target)
    return written


def build_costs(root: Path, chapters: list[str]) -> dict[str, dict]:
    """``{chapter: cost}`` that the full-size build's chapters wrote
    (:mod:`tutorial_lib.bookkeeping.cost`); chapters without one are left
    out (a smoke build has none at full size)."""
    folder = records_dir("full", start=root)
    found = {c: read_cost(folder / c) for c in chapters}
    return {c: cost for c, cost in found.items() if cost is not None}


def _seconds(path: Path) -> dict[str, float]:
    """``{chapter: seconds}`` from a benchmark file's ``chapters`` list."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return {c["chapter"]: c["seconds"] for c in data.get("chapters", [])}
