"""Colab editions (bookbuild/colab.py): every chapter as plain Jupyter
renders it shows the code it includes, readable admonitions and the glued
values, and no raw MyST."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

from bookbuild.colab import (
    DIRECTIVE,
    GLUE,
    build_costs,
    cost_cell,
    edition,
    glued_values,
    include,
    resolve_directives,
    resolve_glue,
    write_editions,
)
from bookbuild.gather import toc_notebooks
from tutorial_lib.bookkeeping.cost import COST_FILE, write_cost

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = toc_notebooks(ROOT / "_toc.yml")


def markdown_of(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )


def every_include():
    for chapter in CHAPTERS:
        for m in DIRECTIVE.finditer(markdown_of(ROOT / chapter)):
            if m["name"] == "literalinclude":
                yield pytest.param(
                    chapter, m, id=f"{chapter.stem}:{m['arg']}"
                )


@pytest.mark.parametrize("chapter, match", list(every_include()))
def test_an_include_shows_what_sphinx_shows(chapter, match):
    # Sphinx comes with the book's tools (make test), not in the compat
    # environments, which install the test tools only
    sphinx_code = pytest.importorskip("sphinx.directives.code")
    from sphinx.config import Config

    from bookbuild.colab import _options

    options, _ = _options(match["body"])
    path = (ROOT / chapter).parent / match["arg"].strip()
    typed = {  # as the directive's option_spec converts them
        k: (int(v) if v else None) if k == "dedent" else v
        for k, v in options.items()
    }
    config = Config({}, {})
    sphinx_text, _ = sphinx_code.LiteralIncludeReader(
        str(path), typed, config
    ).read()
    assert include(path, options) == sphinx_text.rstrip("\n")


def fake_values(notebook: dict) -> dict[str, str]:
    text = "\n".join(
        "".join(c["source"])
        for c in notebook["cells"]
        if c["cell_type"] == "markdown"
    )
    return {m["name"]: "0.125" for m in GLUE.finditer(text)}


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_edition_renders_in_plain_jupyter_with_its_code(chapter):
    notebook = json.loads((ROOT / chapter).read_text())
    first = cost_cell(chapter.stem, {chapter.stem: 600.0}, {})
    result = edition(
        notebook, (ROOT / chapter).parent, fake_values(notebook), first
    )
    node = nbformat.reads(json.dumps(result), as_version=4)
    html, _ = HTMLExporter().from_notebook_node(node)
    for raw in (
        "{literalinclude}",
        "{admonition}",
        "{glue:text}",
        ":pyobject:",
    ):
        assert raw not in html, f"{chapter}: raw MyST {raw} in the edition"
    for m in DIRECTIVE.finditer(markdown_of(ROOT / chapter)):
        if m["name"] == "literalinclude":
            # the first line of the included code is on the page, as code
            first_line = (
                include(
                    (ROOT / chapter).parent / m["arg"].strip(),
                    dict(re.findall(r":([a-z-]+): *(.*)", m["body"])),
                )
                .splitlines()[0]
                .strip()
            )
            code_blocks = re.findall(r"<pre>(.*?)</pre>", html, re.S)
            assert any(
                _plain(first_line) in _plain(b) for b in code_blocks
            ), (
                f"{chapter}: the included {first_line!r} is not shown as code"
            )
    assert "takes about 10 min on the machine that built the book" in html
    assert all(
        not c.get("outputs")
        for c in result["cells"][1:]
        if c["cell_type"] == "code"
    )


def _plain(html_text: str) -> str:
    """Text without tags and entities, whitespace collapsed."""
    import html as html_lib

    return " ".join(
        html_lib.unescape(re.sub(r"<[^>]+>", "", html_text)).split()
    )


def test_the_model_class_part1_ch2_teaches_is_in_its_edition():
    chapter = ROOT / "notebooks" / "part1_02_vanilla_rnn.ipynb"
    notebook = json.loads(chapter.read_text())
    result = edition(
        notebook,
        chapter.parent,
        fake_values(notebook),
        cost_cell("x", {}, {}),
    )
    text = "\n".join(
        c["source"] for c in result["cells"] if c["cell_type"] == "markdown"
    )
    assert "class SequenceDenoiser(nn.Module):" in text


def test_admonitions_become_quoted_blocks_under_their_title(tmp_path):
    md = "Before.\n\n```{admonition} Changed from the original\n:class: note\nThe *post* said so.\n```\n"
    out = resolve_directives(md, tmp_path)
    assert (
        "> **Changed from the original**\n>\n> The *post* said so." in out
    )
    assert ":class:" not in out


def test_glued_values_are_formatted_as_the_site_formats_them():
    text = "loss {glue:text}`mse:.4f`, ratio {glue:text}`r:.1f`, name {glue:text}`who`"
    out = resolve_glue(
        text, {"mse": "0.012345", "r": "3.04", "who": "'GRU'"}
    )
    assert out == "loss 0.0123, ratio 3.0, name GRU"
    with pytest.raises(ValueError, match="build the book first"):
        resolve_glue("{glue:text}`missing`", {})


def test_glue_is_read_where_the_build_leaves_it(tmp_path):
    from bookbuild.colab import build_glue

    executed = tmp_path / "chapter.ipynb"
    executed.write_text("{}")
    record = {
        "output_type": "display_data",
        "metadata": {"scrapbook": {"name": "mse"}},
        "data": {"text/plain": "0.0123"},
    }
    executed.with_suffix(".glue.json").write_text(
        json.dumps({"mse": record})
    )
    assert build_glue(executed) == {"mse": "0.0123"}
    assert build_glue(tmp_path / "missing.ipynb") == {}


def test_glued_values_are_read_from_an_executed_chapter():
    pytest.importorskip("myst_nb")  # the book's tools, not the compat envs
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from myst_nb import glue\nglue('x', 0.125)"
            )
        ]
    )
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    assert glued_values(nb) == {"x": "0.125"}


def test_the_cost_line_gives_a_measured_time_or_says_there_is_none():
    measured = cost_cell("ch", {"ch": 600.0}, {"ch": 30.0}, "a 2-core CPU")
    measured = measured["source"]
    assert (
        "training every run it uses, it takes about 10 min on a 2-core CPU "
        "and under a minute on a GPU" in measured
    )
    quick = cost_cell("ch", {"ch": 59.0}, {"ch": 90.0})["source"]
    assert "takes under a minute on the machine that built" in quick
    assert "and about 1.5 min on a GPU" in quick
    unmeasured = cost_cell("ch", {}, {})["source"]
    assert (
        "Its time at full size, the default, is not measured yet;"
        in unmeasured
    )
    assert "min" not in unmeasured.split("TUTORIAL_PROFILE")[0]


def test_the_cpu_cost_is_what_the_full_build_saved_for_each_chapter(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("TUTORIAL_RESULTS_DIR", str(tmp_path / "records"))
    folder = tmp_path / "records" / "full"
    write_cost(
        folder / "ch1",
        elapsed=30.0,
        obtaining=20.0,
        training=1190.0,
        device="cpu (2 threads, x86_64)",
    )
    (folder / "ch2").mkdir(parents=True)
    (folder / "ch2" / COST_FILE).write_text("not json")
    costs = build_costs(tmp_path, ["ch1", "ch2", "ch3"])
    assert list(costs) == ["ch1"] and costs["ch1"]["alone"] == 1200.0
    for chapter in ["ch1", "ch2"]:
        nb = tmp_path / "notebooks" / f"{chapter}.ipynb"
        nb.parent.mkdir(exist_ok=True)
        nb.write_text(json.dumps(nbformat.v4.new_notebook()))
    out = tmp_path / "colab"
    write_editions(
        tmp_path, ["notebooks/ch1.ipynb", "notebooks/ch2.ipynb"], out
    )
    first = [
        json.loads((out / "notebooks" / f"{c}.ipynb").read_text())["cells"][
            0
        ]
        for c in ["ch1", "ch2"]
    ]
    assert (
        "it takes about 20 min on the machine that built the book, "
        "cpu (2 threads, x86_64)," in first[0]["source"]
    )
    assert "is not measured yet" in first[1]["source"]
