"""Reading the take-home PDF with poppler's tools (shared by tests/test_site.py).

``make test`` installs Debian's ``poppler-utils`` where it is missing (as root).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

PDF_NAME = "denoising-signals-pytorch.pdf"
ZIP_NAME = "denoising-signals-pytorch-site.zip"
ZIP_FOLDER = "denoising-signals-pytorch"
POPPLER = ("pdfinfo", "pdftoppm", "pdftotext", "pdfimages")


def missing_tools() -> list[str]:
    return [tool for tool in POPPLER if shutil.which(tool) is None]


def _run(*args: str) -> str:
    return subprocess.run(
        list(args), check=True, capture_output=True, text=True, timeout=300
    ).stdout


def page_count(pdf: Path) -> int:
    return int(
        re.search(
            r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)), re.MULTILINE
        ).group(1)
    )


def page_texts(pdf: Path) -> list[str]:
    """The text of every page, in order (pdftotext ends each page with a form feed)."""
    return _run("pdftotext", "-layout", str(pdf), "-").split("\f")[
        : page_count(pdf)
    ]


def images_per_page(pdf: Path) -> dict[int, int]:
    """How many images each page draws (soft masks, the alpha of an image, not counted)."""
    counts: dict[int, int] = {}
    for line in _run("pdfimages", "-list", str(pdf)).splitlines()[2:]:
        fields = line.split()
        if len(fields) > 2 and fields[2] == "image":
            counts[int(fields[0])] = counts.get(int(fields[0]), 0) + 1
    return counts


def render(
    pdf: Path, out_prefix: Path, first: int, last: int, dpi: int = 60
) -> list[Path]:
    """Pages ``first..last`` as PNGs ``<out_prefix>-<n>.png``."""
    _run(
        "pdftoppm",
        "-png",
        "-r",
        str(dpi),
        "-f",
        str(first),
        "-l",
        str(last),
        str(pdf),
        str(out_prefix),
    )
    return sorted(out_prefix.parent.glob(out_prefix.name + "-*.png"))


def squash(text: str) -> str:
    """Lower case, letters and digits only: titles compare whatever the PDF's line breaks and quotes."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def chapter_title(notebook: Path) -> str:
    """A notebook's first Markdown heading, as the page shows it (no Markdown marks)."""
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return re.sub(r"[*_`$]", "", line[2:]).strip()
    raise AssertionError(f"{notebook} has no title")


def chapter_pages(texts: list[str], titles: list[str]) -> list[int]:
    """The 1-based page on which each chapter begins: the first page, after the previous
    chapter's, whose text starts with its title (each chapter starts a new page)."""
    starts, after = [], 0
    for title in titles:
        want = squash(title)
        found = next(
            (
                i + 1
                for i in range(after, len(texts))
                if squash(texts[i]).startswith(want)
            ),
            None,
        )
        assert found is not None, (
            f"no page of the PDF begins with the chapter {title!r}"
        )
        starts.append(found)
        after = found
    return starts
