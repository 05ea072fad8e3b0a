"""The website, built at smoke size and read in a real browser (Debian's headless chromium).

The site is built in a copy of the tree, so that it never shares ``_build/``
(the HTML, the records, the execution cache and its per-profile symlink) with a
``make book`` running in the checkout; the copy runs the Makefile's own build
(``make site``) with this environment's interpreter. Every page is then served
from a local HTTP server and loaded in chromium, driven through playwright's
Python client (``executable_path`` points at the system browser; playwright's
own browser downloads are never used).

External requests. The website must work offline: everything a page needs
(scripts, styles, fonts, MathJax, figures, videos) is served by the site
itself. So every request that leaves the local server is blocked and listed,
and any such request fails the test, whether the machine running it happens
to be online or not: a page that fetches something from elsewhere either
needs it (and breaks offline) or does not (and should not fetch it). Links to
other sites (Colab, GitHub, the write-ups) are not requests and are allowed.

Take it home: the same build also writes the book as a PDF (chromium prints the
single-page build) and the site as a zip (``bookbuild/takehome.py``); the last
tests read them with poppler's tools (``tests/takehome_checks.py``).

``make test`` installs chromium where it is missing (as root); without it the
test fails under ``CI=true`` and is skipped elsewhere. Screenshots of a few
pages, the build log and a summary of every page go to ``_build/test-artifacts/``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse
from urllib.request import urlopen

import pytest
import takehome_checks as takehome
import toc
import yaml

from bookbuild.sphinx_ext.site_assets import COLAB_BRANCH

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "_build" / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = {
    "index.html": "home",
    "book/report.html": "report",
    "book/explorer.html": "explorer",
}
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "_build",
    ".pytest_cache",
    "__pycache__",
    "*.egg-info",
    ".ipynb_checkpoints",
)
# Code that shows a figure in its cell.
FIGURE_CODE = re.compile(
    r"plt\.show\(|display\(fig|\bfig\s*$", re.MULTILINE
)
# A code cell that displays a table: the chapters build them with plots.table
# (tests/test_notebooks.py refuses tables written by hand).
TABLE_CODE = re.compile(r"\bplots\.table\(")
# Code that makes an animation: such a chapter must show a video or the JS player.
ANIMATION_CODE = re.compile(
    r"FuncAnimation|ArtistAnimation|to_html5_video|to_jshtml|\banimat",
    re.IGNORECASE,
)


def need_browser():
    """Chromium and playwright's client, or a failure in CI / a skip elsewhere."""
    problem = None
    if not Path(CHROMIUM).is_file():
        problem = "chromium is not installed (make test installs it: apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright (the Python client) is not installed; run make test"
    if problem:
        (pytest.fail if IN_CI else pytest.skip)(problem)


# --------------------------------------------------------------------------- build


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    """Build the book at smoke size in a copy of the tree; return its paths and log."""
    need_browser()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if os.environ.get("TUTORIAL_SITE_COPY"):
        # For working on this test: reuse a copy built earlier by this fixture (or by `make site`).
        copy = Path(os.environ["TUTORIAL_SITE_COPY"])
        return {
            "root": copy,
            "html": copy / "_build" / "html",
            "log": (ARTIFACTS / "site-build.log").read_text(),
        }
    copy = tmp_path_factory.mktemp("site") / "book"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TUTORIAL_RESULTS_DIR", "MPLBACKEND")
    }
    env["TUTORIAL_PROFILE"] = "smoke"
    env["TUTORIAL_ARTIFACTS_DIR"] = str(copy / "_build" / "artifacts")
    done = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "site",
            "PROFILE=smoke",
            f"BIN={Path(sys.executable).parent}",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    log = done.stdout + done.stderr
    (ARTIFACTS / "site-build.log").write_text(log)
    assert done.returncode == 0, (
        f"the smoke build failed (see {ARTIFACTS / 'site-build.log'}):\n{log[-4000:]}"
    )
    return {"root": copy, "html": copy / "_build" / "html", "log": log}


@pytest.fixture(scope="module")
def chapters() -> list[str]:
    """Every notebook page the book builds, as ``notebooks/<name>`` (or ``book/<name>``)."""
    return [
        page
        for page in toc.toc_files(ROOT)
        if (ROOT / f"{page}.ipynb").is_file()
    ]


# --------------------------------------------------------------------------- browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pages(site, tmp_path_factory) -> dict[str, dict]:
    """Load every page of the built site in chromium; return what each one showed."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0),
        functools.partial(_QuietHandler, directory=str(site["html"])),
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    html_files = sorted(
        p.relative_to(site["html"]).as_posix()
        for p in site["html"].rglob("*.html")
        if not p.relative_to(site["html"])
        .as_posix()
        .startswith(("_static/", "_sources/", "_images/"))
    )
    # Screenshots: the fixed pages above, and the first chapter of each part.
    shots = {
        name: label
        for name, label in SCREENSHOTS.items()
        if name in html_files
    }
    for part in ("part1", "part2", "beyond"):
        first = next(
            (n for n in html_files if n.startswith(f"notebooks/{part}_")),
            None,
        )
        if first:
            shots[first] = "chapter-" + Path(first).stem
    seen: dict[str, dict] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")),
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900},
            )
            for name in html_files:
                seen[name] = _visit(browser, origin, name, shots.get(name))
            browser.close()
    finally:
        server.shutdown()
    (ARTIFACTS / "site-pages.json").write_text(json.dumps(seen, indent=1))
    return seen


PAGE_FACTS = """async () => {
  const videos = Array.from(document.querySelectorAll('video'));
  // Wait (at most 5 s) until every video has loaded its metadata or failed.
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && videos.some(v => v.readyState < 1 && !v.error)) {
    await new Promise(r => setTimeout(r, 100));
  }
  const main = document.querySelector('main') || document.body;
  return {
    title: document.title,
    // '' when this browser cannot play H.264 (a Chromium snapshot build).
    h264: document.createElement('video').canPlayType('video/mp4; codecs="avc1.42E01E"'),
    text: main.innerText,
    figures: main.querySelectorAll('.cell_output img, .output img').length,
    output_tables: main.querySelectorAll('.cell_output table').length,
    output_text: Array.from(main.querySelectorAll('.cell_output')).map(e => e.innerText).join('\\n'),
    broken_images: Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0 && i.src)
                        .map(i => i.src.slice(0, 120)),
    videos: videos.map(v => ({src: (v.currentSrc || '').slice(0, 60), ready: v.readyState,
                              error: v.error ? v.error.code : null})),
    js_players: Array.from(document.querySelectorAll('.animation')).map(a => ({
        frame: !!(a.querySelector('img') && a.querySelector('img').src.startsWith('data:')),
        slider: !!a.querySelector('input[type=range]')})),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    // Code blocks (cells and included library code, not what cells print)
    // wider than their box: the reader would have to scroll sideways. Each is
    // named by its longest line.
    // Collapsed cells are opened first: one a reader opens must fit too.
    overflowing: (() => {
      main.querySelectorAll('details').forEach(d => { d.open = true; });
      return Array.from(main.querySelectorAll('div.highlight pre'))
        .filter(p => !p.closest('.cell_output'))
        .filter(p => p.scrollWidth > p.clientWidth + 1)
        .map(p => p.innerText.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), ''));
    })(),
    // What cells print, wider than its box.
    wide_outputs: Array.from(main.querySelectorAll('.cell_output pre'))
      .filter(p => p.scrollWidth > p.clientWidth + 1)
      .map(p => p.innerText.split('\\n')[0].slice(0, 80)),
  };
}"""

PHONE_FACTS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = document.documentElement.scrollWidth > width + 1;
  // the innermost elements reaching past the right edge, to name the cause
  const culprits = scrolls
    ? Array.from(document.querySelectorAll('body *'))
        .filter(e => e.children.length === 0)
        .filter(e => e.getBoundingClientRect().right > width + 1)
        .slice(0, 5)
        .map(e => e.tagName + ' ' + (e.innerText || '').slice(0, 60))
    : [];
  return {scrolls, culprits};
}"""


def _visit(browser, origin: str, name: str, shoot: str | None) -> dict:
    page = browser.new_page()
    errors, blocked, failed = [], [], []
    page.on(
        "console",
        lambda m: (
            errors.append(f"console.{m.type}: {m.text}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on(
        "requestfailed",
        lambda r: (
            failed.append(f"{r.url[:120]} ({r.failure})")
            if r.url.startswith(origin)
            else None
        ),
    )

    def route(r):
        url = r.request.url
        if url.startswith((origin, "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(f"{r.request.resource_type} {url}")
            r.abort()

    page.route("**/*", route)
    redirects = re.search(
        rb'http-equiv="refresh"',
        urlopen(f"{origin}/{name}").read(),
        re.IGNORECASE,
    )
    response = page.goto(f"{origin}/{name}", wait_until="load")
    if redirects:
        # index.html only redirects (to book/intro.html): read the page it leads to, once it has
        # loaded, not the one being torn down (under load that raced: document.body was null).
        page.wait_for_url(
            lambda url: url != f"{origin}/{name}", wait_until="load"
        )
    # late scripts (MathJax typesetting, the theme's own)
    page.wait_for_timeout(300)
    facts = page.evaluate(PAGE_FACTS)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.wait_for_timeout(200)
    facts["phone"] = page.evaluate(PHONE_FACTS)
    page.set_viewport_size({"width": 1280, "height": 900})
    facts.update(
        status=response.status if response else None,
        errors=errors,
        blocked=blocked,
        failed=failed,
    )
    if shoot:
        # The viewport, then (for long pages) its end: full-page shots skew the theme's sticky sidebars.
        page.screenshot(path=str(ARTIFACTS / f"{shoot}.png"))
        if page.evaluate(
            "document.body.scrollHeight > window.innerHeight * 1.5"
        ):
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_timeout(200)
            page.screenshot(path=str(ARTIFACTS / f"{shoot}-end.png"))
    facts["links"] = [
        link for link in facts["links"] if link.startswith(origin)
    ]
    facts["links"] = [link[len(origin) + 1 :] for link in facts["links"]]
    page.close()
    return facts


# --------------------------------------------------------------------------- tests


def test_build_has_no_sphinx_warnings(site):
    warnings = [
        line
        for line in site["log"].splitlines()
        if re.search(r"\bWARNING: |\bERROR: ", line)
    ]
    assert warnings == []
    # Both passes of the HTML build, and the single-page build that is printed to the PDF.
    assert site["log"].count("build succeeded") == 3, (
        "every pass of the build should have succeeded"
    )


def test_every_page_loads_without_javascript_errors_or_external_requests(
    pages,
):
    assert "index.html" in pages and len(pages) >= 3
    problems = {
        name: {
            k: facts[k]
            for k in ("errors", "blocked", "failed", "broken_images")
            if facts[k]
        }
        for name, facts in pages.items()
        if facts["status"] != 200
        or facts["errors"]
        or facts["blocked"]
        or facts["failed"]
        or facts["broken_images"]
    }
    assert problems == {}


def test_every_chapter_has_its_figures_and_run_stamp(pages, chapters):
    assert chapters, "the table of contents names no notebook"
    drawn_anywhere = 0
    for chapter in chapters:
        facts = pages[f"{chapter}.html"]
        # Each code cell that shows a matplotlib figure must leave at least one image on the page.
        nb = json.loads((ROOT / f"{chapter}.ipynb").read_text())
        showing = sum(
            1
            for c in nb["cells"]
            if c["cell_type"] == "code"
            and FIGURE_CODE.search("".join(c["source"]))
        )
        drawn_anywhere += showing
        assert facts["figures"] >= showing, (
            f"{chapter}: {showing} cells show figures, {facts['figures']} images on the page"
        )
        assert "Executed with profile=smoke" in facts["text"], (
            f"{chapter}: no run stamp at the end"
        )
    assert drawn_anywhere > 0


def test_markdown_tables_in_outputs_render_as_tables(pages, chapters):
    showing_total = 0
    for chapter in chapters:
        nb = json.loads((ROOT / f"{chapter}.ipynb").read_text())
        showing = sum(
            1
            for c in nb["cells"]
            if c["cell_type"] == "code"
            and TABLE_CODE.search("".join(c["source"]))
        )
        showing_total += showing
        facts = pages[f"{chapter}.html"]
        assert facts["output_tables"] >= showing, (
            f"{chapter}: {showing} cells display Markdown tables, {facts['output_tables']} tables on the page"
        )
        assert not re.search(
            r"\|\s*(---|\u2014)\s*\|", facts["output_text"]
        ), f"{chapter}: a table is shown as raw Markdown"
    assert showing_total > 0


# What a built page must not show a reader: the repr of a bookkeeping call,
# a path on the machine that built it, a saved run's hash-named file, a
# progress bar.
MACHINE_NOISE = {
    "a record's repr": re.compile(r"\{'id': '|'recorded_at'"),
    "a claim's repr": re.compile(r"Claim\(statement="),
    "a machine path": re.compile(r"(?<![\w.])/(tmp|home|root|work|usr)/\S"),
    "a saved run's file": re.compile(r"\b[\w-]+-[0-9a-f]{16}\.pt\b"),
    "a progress bar": re.compile(r"\d+%\|"),
}


def test_no_page_shows_bookkeeping_paths_or_progress_bars(pages):
    found = {
        f"{name}: {what}": pattern.search(facts["output_text"]).group(0)
        for name, facts in pages.items()
        for what, pattern in MACHINE_NOISE.items()
        if pattern.search(facts["output_text"])
    }
    assert found == {}


def test_the_noise_patterns_catch_what_they_name():
    shown = {
        "a record's repr": "{'id': 'part1/rnn/test_l1', 'value': 0.05}",
        "a claim's repr": "Claim(statement='a', held=True, values={})",
        "a machine path": "16 runs: 16 reused from /tmp/x/_build/artifacts",
        "a saved run's file": "saved (part2-ae-36ec27b1a0c1e891.pt)",
        "a progress bar": "SequenceDenoiser on cpu:  17%|#7   | 1/6",
    }
    for what, text in shown.items():
        assert MACHINE_NOISE[what].search(text), what
    quiet = "16 runs: 16 reused; validation MSE 0.0123 (3.4 s)"
    assert not any(p.search(quiet) for p in MACHINE_NOISE.values())


def test_no_code_block_overflows_its_box(pages):
    """Code fits the content column at the test's 1280-px viewport (see ruff's line-length)."""
    overflowing = {
        name: facts["overflowing"]
        for name, facts in pages.items()
        if facts["overflowing"]
    }
    assert overflowing == {}, (
        "code lines wider than their box (page: longest line of each block)"
    )


# A browser without H.264 (a Chromium snapshot build, as /usr/bin/chromium
# on GitHub's ubuntu-24.04 image; Debian's chromium and Google Chrome have
# it: canPlayType says so) loads no MP4 video. That says nothing about the
# video: there, a video that does not load is checked with ffmpeg
# (imageio-ffmpeg's), which must decode all of it as H.264; the test is
# then skipped, naming the browser. With H.264, a video that does not load
# is broken.
VIDEO_BLOCK = re.compile(r"<video\b.*?</video>", re.S)
VIDEO_DATA = re.compile(r'src="data:video/mp4;base64,([^"]*)"')


def page_videos(html_file: Path) -> list[bytes | None]:
    """The MP4 embedded in each ``<video>`` of a page, in page order (None:
    the video has no embedded MP4)."""
    videos = []
    for block in VIDEO_BLOCK.findall(html_file.read_text()):
        m = VIDEO_DATA.search(block)
        try:
            videos.append(
                base64.b64decode(m.group(1), validate=True) if m else None
            )
        except binascii.Error:
            videos.append(b"")
    return videos


def h264_problem(video: bytes | None, scratch: Path) -> str | None:
    """What is wrong with ``video`` as an H.264 MP4 (None: ffmpeg decodes
    every frame of its H.264 stream without an error)."""
    if not video:
        return "no embedded MP4"
    import imageio_ffmpeg

    scratch.mkdir(parents=True, exist_ok=True)
    path = scratch / "video.mp4"
    path.write_bytes(video)
    done = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin"]
        + ["-xerror", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        return f"ffmpeg cannot decode it: {done.stderr.strip()[-300:]}"
    if not re.search(r"Video: h264\b", done.stderr):
        return "its video stream is not H.264"
    return None


def sort_videos(
    pages: dict[str, dict], html: Path, scratch: Path
) -> tuple[list[str], list[str]]:
    """(broken, unplayable here): videos that do not load, and H.264 videos
    that decode with ffmpeg but that this browser cannot play (no H.264)."""
    broken, no_h264 = [], []
    for name, facts in pages.items():
        embedded = None
        for i, video in enumerate(facts["videos"]):
            if (
                video["src"]
                and video["error"] is None
                and video["ready"] >= 1
            ):
                continue
            where = f"{name}: video {i + 1} does not load: {video}"
            if facts.get("h264"):
                broken.append(where)
                continue
            if embedded is None:
                embedded = page_videos(html / name)
            problem = h264_problem(
                embedded[i] if i < len(embedded) else None, scratch
            )
            if problem:
                broken.append(f"{where}; {problem}")
            else:
                no_h264.append(name)
    return broken, no_h264


def test_every_animation_plays(pages, chapters, site, tmp_path):
    broken, no_h264 = sort_videos(pages, site["html"], tmp_path)
    assert not broken, "\n".join(broken)
    for name, facts in pages.items():
        for player in facts["js_players"]:
            assert player["frame"] and player["slider"], (
                f"{name}: the JS animation player is incomplete: {player}"
            )
    for chapter in chapters:
        nb = json.loads((ROOT / f"{chapter}.ipynb").read_text())
        code = "\n".join(
            "".join(c["source"])
            for c in nb["cells"]
            if c["cell_type"] == "code"
        )
        if ANIMATION_CODE.search(code):
            facts = pages[f"{chapter}.html"]
            assert facts["videos"] or facts["js_players"], (
                f"{chapter} makes an animation, but its page shows none"
            )
    if no_h264:
        pytest.skip(
            f"this browser ({CHROMIUM}) has no H.264 (a Chromium snapshot "
            "build?), so the videos of "
            + ", ".join(sorted(set(no_h264)))
            + " could not be played here; ffmpeg decodes each of them as "
            "H.264. Play them with Debian's chromium or Google Chrome."
        )


def test_no_output_is_wider_than_its_box(pages):
    wide = {
        n: f["wide_outputs"] for n, f in pages.items() if f["wide_outputs"]
    }
    assert wide == {}, f"outputs that scroll sideways at 1280 px: {wide}"


def test_no_page_scrolls_sideways_on_a_phone(pages):
    wide = {
        n: f["phone"]["culprits"]
        for n, f in pages.items()
        if f["phone"]["scrolls"]
    }
    assert wide == {}, (
        f"pages wider than a 390-px phone (first culprits): {wide}"
    )


def test_launch_and_download_buttons(pages, chapters, site):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = urlparse(config["repository"]["url"]).path.strip("/")
    branch = COLAB_BRANCH  # the editions' branch, not the source's
    for chapter in chapters:
        html = (site["html"] / f"{chapter}.html").read_text()
        colab = set(
            re.findall(
                r'href="(https://colab\.research\.google\.com/[^"]*)"', html
            )
        )
        assert colab == {
            f"https://colab.research.google.com/github/{repo}/blob/{branch}/{chapter}.ipynb"
        }, chapter
        download = f"_sources/{chapter}.ipynb"
        assert download in pages[f"{chapter}.html"]["links"], (
            f"{chapter}: no .ipynb download link"
        )
        downloaded = json.loads((site["html"] / download).read_text())
        assert downloaded["cells"][0].get("id") == "colab-edition", (
            f"{download} is not the chapter's Colab edition"
        )
        markdown = "".join(
            "".join(c["source"])
            for c in downloaded["cells"]
            if c["cell_type"] == "markdown"
        )
        assert "{literalinclude}" not in markdown
        assert "{glue:text}" not in markdown
        edition = site["html"].parent / "colab" / f"{chapter}.ipynb"
        assert json.loads(edition.read_text()) == downloaded


def test_no_broken_internal_links(pages, site):
    broken = []
    anchors: dict[str, set[str]] = {}
    for name, facts in pages.items():
        for link in facts["links"]:
            target, fragment = urldefrag(unquote(link))
            target = target.split("?")[0] or name
            path = site["html"] / target
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                broken.append(f"{name} -> {link}")
                continue
            if fragment and path.suffix == ".html":
                if target not in anchors:
                    anchors[target] = set(
                        re.findall(r'\bid="([^"]+)"', path.read_text())
                    )
                if fragment not in anchors[target]:
                    broken.append(f"{name} -> {link} (no such anchor)")
    assert broken == []


def test_explorer_works_without_a_kernel(site, tmp_path):
    """The explorer page's sliders switch its precomputed figures in the browser."""
    if not (site["html"] / "book" / "explorer.html").is_file():
        pytest.skip("the book has no explorer page")
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0),
        functools.partial(_QuietHandler, directory=str(site["html"])),
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"),
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900},
            )
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(
                f"http://127.0.0.1:{server.server_address[1]}/book/explorer.html",
                wait_until="load",
            )
            assert "without a kernel" in page.inner_text(
                "main"
            ) or "no kernel" in page.inner_text("main")
            view = page.locator(".tl-explorer .tl-view")
            assert view.count() == 1, (
                "the precomputed explorer is not on the page"
            )
            first = view.get_attribute("src")
            assert first.startswith("data:image/png")
            page.eval_on_selector(
                ".tl-explorer .tl-alpha",
                "e => { e.value = e.max; e.dispatchEvent(new Event('input')); }",
            )
            page.eval_on_selector(
                ".tl-explorer .tl-depth",
                "e => { e.value = e.max; e.dispatchEvent(new Event('input')); }",
            )
            assert (
                view.get_attribute("src").startswith("data:image/png")
                and view.get_attribute("src") != first
            )
            assert page.inner_text(
                ".tl-explorer .tl-alpha-value"
            ) and page.inner_text(".tl-explorer .tl-depth-value")
            view.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "explorer-moved.png"))
            assert errors == []
            browser.close()
    finally:
        server.shutdown()


def test_report_page_lists_every_recorded_number(pages, site):
    records = json.loads(
        (site["root"] / "_build" / "results.json").read_text()
    )
    assert records, (
        "the chapters recorded no headline number during the build"
    )
    text = pages["book/report.html"]["text"]
    missing = [r["id"] for r in records if r["id"] not in text]
    assert missing == [], "the report page lacks these recorded numbers"
    assert "smoke" in text and "headline numbers" in text


# --------------------------------------------------------------------------- take it home


def test_home_page_links_the_pdf_and_the_archive(pages, site):
    """Relative links (they work on the site and from the unpacked archive) to files that exist."""
    home = (site["html"] / "book" / "intro.html").read_text()
    for name in (takehome.PDF_NAME, takehome.ZIP_NAME):
        href = f"../_downloads/{name}"
        assert f'href="{href}"' in home, (
            f"the home page does not link {href}"
        )
        assert f"_downloads/{name}" in pages["book/intro.html"]["links"]
        assert (site["html"] / "_downloads" / name).is_file(), (
            f"the home page links {name}, which the build did not make"
        )


def test_pdf_holds_every_chapter_and_its_figures(pages, chapters, site):
    missing = takehome.missing_tools()
    if missing:
        (pytest.fail if IN_CI else pytest.skip)(
            f"poppler-utils is not installed ({', '.join(missing)}); make test installs it"
        )
    pdf = site["html"] / "_downloads" / takehome.PDF_NAME
    assert pdf.read_bytes()[:5] == b"%PDF-"
    count = takehome.page_count(pdf)
    # Each chapter starts a page; a smoke-size chapter is a few pages, never dozens.
    assert (
        len(toc.toc_files(ROOT)) <= count <= 30 * len(toc.toc_files(ROOT))
    ), f"{count} pages"
    shots = takehome.render(pdf, ARTIFACTS / "pdf-page", 1, 3)
    assert len(shots) == 3 and all(
        shot.stat().st_size > 2000 for shot in shots
    ), "the PDF's first pages do not render"
    texts = takehome.page_texts(pdf)
    titles = [
        takehome.chapter_title(ROOT / f"{chapter}.ipynb")
        for chapter in chapters
    ]
    starts = takehome.chapter_pages(texts, titles)
    images = takehome.images_per_page(pdf)
    ends = starts[1:] + [count + 1]
    shown = {}
    for chapter, first, end in zip(chapters, starts, ends):
        # Every figure of the chapter's web page, and every animation as its first frame.
        facts = pages[f"{chapter}.html"]
        expected = facts["figures"] + len(facts["videos"])
        found = sum(images.get(page, 0) for page in range(first, end))
        shown[chapter] = (first, found)
        assert found >= expected, (
            f"{chapter}: {expected} figures and videos on the site, {found} images in the PDF (pages {first}-{end - 1})"
        )
        assert "Executed with profile=smoke" in "".join(
            texts[first - 1 : end - 1]
        ), f"{chapter}: no run stamp in the PDF"
    (ARTIFACTS / "pdf-chapters.json").write_text(
        json.dumps({"pages": count, "chapters": shown}, indent=1)
    )


def test_pdf_has_printed_contents_and_page_numbers(chapters, site):
    missing = takehome.missing_tools()
    if missing:
        (pytest.fail if IN_CI else pytest.skip)(
            f"poppler-utils is not installed ({', '.join(missing)}); make test installs it"
        )
    pdf = site["html"] / "_downloads" / takehome.PDF_NAME
    texts = takehome.page_texts(pdf)
    first = next(
        i
        for i, text in enumerate(texts)
        if text.strip().startswith("Contents")
    )
    listed = takehome.squash("".join(texts[first : first + 3]))
    for chapter in chapters:
        title = takehome.chapter_title(ROOT / f"{chapter}.ipynb")
        assert takehome.squash(title) in listed, (
            f"{title!r} not in the contents"
        )
    unnumbered = [
        page
        for page, text in enumerate(texts, start=1)
        if not text.strip()
        or text.strip().splitlines()[-1].strip() != str(page)
    ]
    assert unnumbered == [], (
        f"pages without their number at the foot: {unnumbered[:10]}"
    )


def test_pdf_prints_nothing_fetched_from_elsewhere(site, tmp_path):
    """The page that is printed asks for nothing but its own files (the PDF is built offline)."""
    from playwright.sync_api import sync_playwright

    single = site["root"] / "_build" / "singlehtml"
    printed = single / "print.html"
    assert printed.is_file(), (
        "bookbuild/takehome.py leaves the page it prints as _build/singlehtml/print.html"
    )
    assert "<video" not in printed.read_text(), (
        "a video is printed as a video, not its first frame"
    )
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0),
        functools.partial(_QuietHandler, directory=str(single)),
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    blocked, errors = [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"),
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
            )
            page = browser.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route(
                "**/*",
                lambda r: (
                    r.continue_()
                    if r.request.url.startswith((origin, "data:", "blob:"))
                    else (blocked.append(r.request.url), r.abort())
                ),
            )
            page.goto(f"{origin}/print.html", wait_until="load")
            page.wait_for_timeout(300)
            browser.close()
    finally:
        server.shutdown()
    assert blocked == [] and errors == []


def test_archive_holds_the_whole_site_but_not_itself(
    site, chapters, tmp_path
):
    import zipfile

    archive = site["html"] / "_downloads" / takehome.ZIP_NAME
    with zipfile.ZipFile(archive) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        zf.extractall(tmp_path)
    folder = tmp_path / takehome.ZIP_FOLDER
    assert all(name.startswith(takehome.ZIP_FOLDER + "/") for name in names)
    assert not [
        name for name in names if name.endswith((".zip", ".part"))
    ], "an archive inside the archive"
    for page in ["index", *toc.toc_files(ROOT)]:
        assert (folder / f"{page}.html").is_file(), (
            f"the archive lacks {page}.html"
        )
    assert (folder / "_downloads" / takehome.PDF_NAME).is_file(), (
        "the archive lacks the PDF the home page links"
    )
    # The same site: every file the build wrote is there (the archive aside).
    built = {
        p.relative_to(site["html"]).as_posix()
        for p in site["html"].rglob("*")
        if p.is_file()
    }
    built.discard(f"_downloads/{takehome.ZIP_NAME}")
    # the trained runs are published beside the site, not inside its archive
    built = {
        name for name in built if not name.startswith("_downloads/runs-")
    }
    assert built == {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith("runs-")
    }
