"""Take the book home: the executed book as one PDF, and the whole site as one archive.

Run by the Makefile's ``site`` target after the HTML build::

    python bookbuild/takehome.py pdf --singlehtml _build/singlehtml --out _build/html/_downloads/BOOK.pdf
    python bookbuild/takehome.py archive --html _build/html --out _build/html/_downloads/BOOK-site.zip

``pdf`` prints the single-page HTML build (``jupyter-book build . --builder
singlehtml``, which takes every chapter from the execution cache) with
Debian's headless chromium, offline. Before printing, a copy of the page
(``book/intro.html``, the root document), ``print.html`` at the top of
the single-page build (the page's addresses are relative to it), gets

- every animation's ``<video>`` (an H.264 MP4 embedded as base64) replaced by
  an image of its first frame, decoded by the ffmpeg binary that
  ``imageio-ffmpeg`` ships: a printed video would otherwise depend on whether
  chromium had decoded a frame when it printed;
- a print stylesheet (A4, no navigation, sidebars or buttons, no controls of
  matplotlib's JavaScript player, which prints its first frame, each chapter
  on a new page, figures never cut across pages).

The browser may load nothing but files: it runs with networking features
off, and the site itself makes no request elsewhere (tests/test_site.py).

``archive`` zips the built site into one folder, ``denoising-signals-pytorch/``,
that opens from ``file://`` (``index.html``). It holds the PDF when that was
built first, and never itself nor another archive (``*.zip`` under
``_downloads/``).
"""

from __future__ import annotations

import argparse
import base64
import html
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ARCHIVE_FOLDER = "denoising-signals-pytorch"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
    "--generate-pdf-document-outline",
    # Scripts (MathJax typesetting, the JS animation player) run in virtual
    # time before the page is printed.
    "--virtual-time-budget=20000",
    "--run-all-compositor-stages-before-draw",
]

PRINT_CSS = """
<style id="takehome-print">
@page { size: A4; margin: 14mm 13mm 16mm 13mm;
  @bottom-center { content: counter(page); font-size: 9pt; color: #555; } }
@media print {
  html, body { background: #fff !important; }
  /* Skia prints a shadow as an image: none (the :not(#id) outranks the theme's own
     !important shadows), so that the PDF's images are the book's figures. */
  *:not(#takehome-none) { box-shadow: none !important; text-shadow: none !important; }
  .bd-header, .bd-header-article, .bd-sidebar-primary, .bd-sidebar-secondary,
  .bd-footer, .bd-footer-article, .bd-footer-content, .prev-next-area,
  .header-article-items, .article-header-buttons, .skip-link, .search-button-field,
  .bd-search, #pst-back-to-top, .headerlink, .takehome-links, section#take-it-home,
  .animation .anim-controls, .animation .anim-buttons, .animation .anim-state,
  .animation input[type=range] { display: none !important; }
  /* One column, the page's width: the theme's flex layout would size it to the widest code line. */
  .bd-container, .bd-container__inner, .bd-page-width, .bd-main, .bd-content,
  .bd-article-container, .bd-article { display: block !important; max-width: none !important;
      min-width: 0 !important; width: auto !important; padding: 0 !important; margin: 0 !important; }
  table { max-width: 100% !important; font-size: 0.85em; }
  th, td { overflow-wrap: anywhere; }
  span[id^="document-"] { display: block; break-before: page; }
  /* A figure, an output or a short code cell moves to the next page whole (a code
     box split from its code would leave an empty box behind). */
  img, svg, figure, .takehome-poster, .cell_output .output, .cell_input, div.highlight { break-inside: avoid; }
  img { max-width: 100% !important; height: auto; }
  h1, h2, h3 { break-after: avoid; }
  .takehome-contents { break-before: page; break-after: page; }
  .takehome-contents ol { list-style: none; padding-left: 0; line-height: 1.9; }
  .takehome-contents-title { font-size: 1.8em; font-weight: bold; margin-bottom: 1em; }
  pre { white-space: pre-wrap !important; word-break: break-word; }
  a { text-decoration: none; }
}
</style>
"""

VIDEO = re.compile(r"<video\b[^>]*>.*?</video>", re.DOTALL | re.IGNORECASE)
MP4 = re.compile(
    r"""src=["']data:video/mp4;base64,([A-Za-z0-9+/=\s]+)["']"""
)


FFMPEG_TIMEOUT = 120
"""Seconds ffmpeg may take to decode one animation's first frame."""
CHROMIUM_TIMEOUT = 600
"""Seconds chromium may take to print the book (``pdf --timeout``)."""
FFMPEG_WAY_OUT = (
    "reinstall it (.venv/bin/pip install --force-reinstall imageio-ffmpeg) "
    "or point IMAGEIO_FFMPEG_EXE at a working ffmpeg"
)


def _stop(process: subprocess.Popen) -> None:
    """Kill ``process`` and everything it started (its own session), and
    reap it; its pipes are closed rather than waited on."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()
    process.wait()


def run_tool(
    command: list[str],
    *,
    timeout: float,
    what: str,
    way_out: str,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """``command`` run to its end, its output captured (text).

    Exits (SystemExit with a message naming ``what``, the command and
    ``way_out``) when it cannot start or runs past ``timeout`` seconds; then
    it and whatever it started are killed. Its exit status is the caller's
    to judge.
    """
    shown = shlex.join(command)
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            env=env,
            start_new_session=True,
        )
    except OSError as err:
        sys.exit(
            f"takehome: {what} cannot start ({err.strerror or err}): {shown}; "
            f"{way_out}"
        )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        sys.exit(
            f"takehome: {what} did not finish within its time limit of "
            f"{timeout:g} s and was stopped: {shown}; {way_out}"
        )
    except BaseException:
        _stop(process)
        raise
    return subprocess.CompletedProcess(
        command, process.returncode, out, err
    )


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def first_frame(
    mp4: bytes, exe: str, timeout: float = FFMPEG_TIMEOUT
) -> bytes:
    """The first frame of an MP4 as PNG bytes.

    Exits naming the ffmpeg command, its exit status or time limit, and the
    way out when ffmpeg fails, hangs or writes no frame.
    """
    with tempfile.TemporaryDirectory() as tmp:
        video, png = Path(tmp) / "in.mp4", Path(tmp) / "frame.png"
        video.write_bytes(mp4)
        command = [
            exe,
            "-v",
            "error",
            "-y",
            "-i",
            str(video),
            "-frames:v",
            "1",
            str(png),
        ]
        done = run_tool(
            command,
            timeout=timeout,
            what="ffmpeg (an animation's first frame for the PDF)",
            way_out=FFMPEG_WAY_OUT,
        )
        if done.returncode != 0 or not png.is_file():
            sys.exit(
                f"takehome: ffmpeg (an animation's first frame for the PDF) "
                f"failed with exit status {done.returncode}: "
                f"{shlex.join(command)}\n{done.stderr[-2000:]}\n"
                f"expected a PNG of the first frame; {FFMPEG_WAY_OUT}"
            )
        return png.read_bytes()


def posters(page: str, exe: str | None = None) -> tuple[str, int]:
    """``page`` with every base64-MP4 ``<video>`` replaced by its first frame; and how many."""
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        found = MP4.search(match.group(0))
        if not found:
            return match.group(0)
        png = first_frame(
            base64.b64decode(re.sub(r"\s", "", found.group(1))),
            exe or ffmpeg(),
        )
        count += 1
        data = base64.b64encode(png).decode("ascii")
        return (
            f'<img class="takehome-poster" alt="{html.escape("animation, first frame")}" '
            f'src="data:image/png;base64,{data}">'
        )

    return VIDEO.sub(replace, page), count


DOCUMENT = re.compile(r'<span id="(document-[^"]+)">')
# the single page demotes a document's title to h2 or h3 (its depth in the book)
HEADING = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>", re.DOTALL)


def contents(page: str) -> str:
    """A printed table of contents: each document's first heading, linked
    (the PDF keeps the links); empty when the page has no documents."""
    items = []
    for found in DOCUMENT.finditer(page):
        heading = HEADING.search(page, found.end())
        if heading is None:
            continue
        title = re.sub(r"<[^>]+>", "", heading.group(2)).replace("#", "")
        title = html.unescape(title).strip()
        items.append(
            f'<li><a href="#{found.group(1)}">{html.escape(title)}</a></li>'
        )
    if not items:
        return ""
    return (
        '<nav class="takehome-contents">'
        '<p class="takehome-contents-title">Contents</p><ol>'
        + "".join(items)
        + "</ol></nav>"
    )


def print_page(page: str, exe: str | None = None) -> tuple[str, int]:
    """The single-page build made ready for printing: videos as their first
    frame, the print style sheet, a table of contents before the first
    document; and how many videos became images."""
    page, count = posters(page, exe)
    if "</head>" not in page:
        raise ValueError("the single-page build has no </head>")
    page = page.replace("</head>", PRINT_CSS + "</head>", 1)
    first = DOCUMENT.search(page)
    if first is not None:
        page = (
            page[: first.start()] + contents(page) + page[first.start() :]
        )
    return page, count


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        sys.exit(
            "takehome: chromium is missing (as root: apt-get install -y chromium; `make chromium` does it)"
        )
    return found


def the_page(singlehtml: Path) -> Path:
    """The single page: the root document (``book/intro.html``), where ``index.html`` redirects."""
    index = singlehtml / "index.html"
    if not index.is_file():
        sys.exit(
            f"takehome: {index} is missing (jupyter-book build . --builder singlehtml)"
        )
    text = index.read_text(encoding="utf-8")
    redirect = re.search(
        r"""http-equiv=["']refresh["'][^>]*url=([^"'>\s]+)""",
        text,
        re.IGNORECASE,
    )
    return (
        singlehtml / redirect.group(1)
        if redirect and len(text) < 2000
        else index
    )


def build_pdf(
    singlehtml: Path,
    out: Path,
    browser: str | None = None,
    timeout: float = CHROMIUM_TIMEOUT,
) -> Path:
    """Print ``singlehtml``'s page to the PDF ``out`` (see the module
    docstring); exits naming the command and its time limit when chromium
    runs past ``timeout`` seconds."""
    index = the_page(singlehtml)
    started = time.perf_counter()
    page, videos = print_page(index.read_text(encoding="utf-8"))
    # Sphinx writes the root document to book/intro.html but with every address
    # relative to the output folder (_static/, _images/): print it from there.
    printable = singlehtml / "print.html"
    printable.write_text(page, encoding="utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        try:
            done = run_tool(
                [
                    browser or chromium(),
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    f"--print-to-pdf={partial}",
                    printable.resolve().as_uri(),
                ],
                timeout=timeout,
                what="chromium (printing the book)",
                way_out=(
                    "run the command by hand to see where it hangs; on a slow "
                    "machine give it longer with bookbuild/takehome.py pdf "
                    "--timeout SECONDS"
                ),
                env={**os.environ, "HOME": profile},
            )
        except SystemExit:
            partial.unlink(missing_ok=True)
            raise
    if (
        done.returncode != 0
        or not partial.is_file()
        or partial.stat().st_size == 0
    ):
        sys.exit(
            f"takehome: chromium did not print {printable} (exit {done.returncode}):\n{done.stderr[-3000:]}"
        )
    if not partial.read_bytes()[:5] == b"%PDF-":
        sys.exit(f"takehome: {partial} is not a PDF")
    partial.replace(out)
    print(
        f"takehome: {out} ({out.stat().st_size / 1e6:.1f} MB, {videos} videos as their first frame, "
        f"{time.perf_counter() - started:.1f} s)"
    )
    return out


def build_archive(site: Path, out: Path) -> Path:
    index = site / "index.html"
    if not index.is_file():
        sys.exit(f"takehome: {index} is missing: build the site first")
    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    downloads = (site / "_downloads").resolve()
    partial = out.with_name(out.name + ".part")
    files = 0
    with zipfile.ZipFile(
        partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6
    ) as zf:
        for path in sorted(site.rglob("*")):
            resolved = path.resolve()
            if not path.is_file() or resolved in (out, partial):
                continue
            # No archive inside the archive: neither itself nor one left by an earlier build.
            if path.suffix in (".zip", ".part") and resolved.is_relative_to(
                downloads
            ):
                continue
            name = f"{ARCHIVE_FOLDER}/{path.relative_to(site).as_posix()}"
            # Already compressed: videos and figures are base64 in the pages, but PNGs and the PDF are not.
            kind = (
                zipfile.ZIP_STORED
                if path.suffix
                in (".png", ".jpg", ".jpeg", ".gif", ".pdf", ".woff2")
                else zipfile.ZIP_DEFLATED
            )
            zf.write(path, name, compress_type=kind)
            files += 1
    partial.replace(out)
    print(
        f"takehome: {out} ({out.stat().st_size / 1e6:.1f} MB, {files} files, "
        f"{time.perf_counter() - started:.1f} s)"
    )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="takehome", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    pdf = sub.add_parser("pdf", help="print the single-page build to a PDF")
    pdf.add_argument(
        "--singlehtml", type=Path, default=Path("_build/singlehtml")
    )
    pdf.add_argument("--out", type=Path, required=True)
    pdf.add_argument("--chromium", default=None)
    pdf.add_argument(
        "--timeout",
        type=float,
        default=CHROMIUM_TIMEOUT,
        help="seconds chromium may take to print (default: %(default)s)",
    )
    archive = sub.add_parser("archive", help="zip the built site")
    archive.add_argument("--html", type=Path, default=Path("_build/html"))
    archive.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "pdf":
        build_pdf(args.singlehtml, args.out, args.chromium, args.timeout)
    else:
        build_archive(args.html, args.out)


if __name__ == "__main__":
    main()
