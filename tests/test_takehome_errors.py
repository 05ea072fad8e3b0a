"""bookbuild/takehome.py names a hung or broken tool: the command, its time
limit or exit status, and the way out (tiny fake tools, short limits)."""

import base64
import os
import time

import pytest

from bookbuild import takehome


def tool(folder, name, body):
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def a_book(folder, video=False):
    single = folder / "singlehtml"
    single.mkdir()
    clip = base64.b64encode(b"not really an mp4").decode("ascii")
    body = (
        f'<video controls><source src="data:video/mp4;base64,{clip}"></video>'
        if video
        else "<p>text</p>"
    )
    (single / "index.html").write_text(
        f"<html><head></head><body>{body}</body></html>"
    )
    return single


def gone(pid, within=5.0):
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_hung_chromium_is_stopped_at_its_limit_and_named(tmp_path):
    pidfile = tmp_path / "child.pid"
    browser = tool(
        tmp_path, "chromium", f"sleep 60 & echo $! > {pidfile}; wait"
    )
    out = tmp_path / "out" / "book.pdf"
    started = time.monotonic()
    with pytest.raises(SystemExit) as caught:
        takehome.build_pdf(a_book(tmp_path), out, browser, timeout=1)
    assert time.monotonic() - started < 15
    message = str(caught.value)
    assert message.startswith(
        "takehome: chromium (printing the book) did not finish within its "
        f"time limit of 1 s and was stopped: {browser} --headless"
    )
    assert message.endswith(
        "; run the command by hand to see where it hangs; on a slow machine "
        "give it longer with bookbuild/takehome.py pdf --timeout SECONDS"
    )
    assert "TimeoutExpired" not in message
    # what chromium started is stopped too, and no partial PDF is left
    assert gone(int(pidfile.read_text()))
    assert not out.exists() and not out.with_name("book.pdf.part").exists()


def test_the_pdf_command_takes_a_time_limit(tmp_path):
    browser = tool(tmp_path, "chromium", "sleep 60")
    with pytest.raises(SystemExit, match="time limit of 0.5 s"):
        takehome.main(
            [
                "pdf",
                "--singlehtml",
                str(a_book(tmp_path)),
                "--out",
                str(tmp_path / "book.pdf"),
                "--chromium",
                browser,
                "--timeout",
                "0.5",
            ]
        )


def test_a_chromium_that_prints_still_makes_the_pdf(tmp_path, capsys):
    browser = tool(
        tmp_path,
        "chromium",
        'for a in "$@"; do case "$a" in --print-to-pdf=*) '
        "printf '%%PDF-1.4 fake' > \"${a#--print-to-pdf=}\";; esac; done",
    )
    out = takehome.build_pdf(
        a_book(tmp_path), tmp_path / "book.pdf", browser, 30
    )
    assert out.read_bytes() == b"%PDF-1.4 fake"
    assert "0 videos as their first frame" in capsys.readouterr().out


def test_a_broken_ffmpeg_in_the_print_step_is_named(tmp_path, monkeypatch):
    exe = tool(tmp_path, "ffmpeg", "echo 'no codec for this' >&2; exit 3")
    monkeypatch.setattr(takehome, "ffmpeg", lambda: exe)
    with pytest.raises(SystemExit) as caught:
        takehome.build_pdf(
            a_book(tmp_path, video=True), tmp_path / "b.pdf", "x"
        )
    message = str(caught.value)
    assert message.startswith(
        "takehome: ffmpeg (an animation's first frame for the PDF) failed "
        f"with exit status 3: {exe} -v error -y -i "
    )
    assert "no codec for this" in message
    assert message.endswith(
        "expected a PNG of the first frame; reinstall it (.venv/bin/pip "
        "install --force-reinstall imageio-ffmpeg) or point "
        "IMAGEIO_FFMPEG_EXE at a working ffmpeg"
    )


def test_a_hung_or_missing_ffmpeg_is_named(tmp_path):
    exe = tool(tmp_path, "ffmpeg", "sleep 60")
    with pytest.raises(SystemExit) as caught:
        takehome.first_frame(b"x", exe, timeout=0.5)
    assert str(caught.value).startswith(
        "takehome: ffmpeg (an animation's first frame for the PDF) did not "
        f"finish within its time limit of 0.5 s and was stopped: {exe} "
    )
    missing = str(tmp_path / "no-ffmpeg")
    with pytest.raises(SystemExit) as caught:
        takehome.first_frame(b"x", missing)
    assert str(caught.value).startswith(
        "takehome: ffmpeg (an animation's first frame for the PDF) cannot "
        f"start (No such file or directory): {missing} "
    )


def test_the_printed_page_gets_contents_before_its_first_document():
    page = (
        "<html><head></head><body><article>"
        '<span id="document-book/intro"></span><section><h1>Intro'
        '<a class="headerlink" href="#intro">#</a></h1></section>'
        '<span id="document-notebooks/a"></span><h1>A &amp; B</h1>'
        "</article></body></html>"
    )
    printed, videos = takehome.print_page(page)
    assert videos == 0
    contents = printed.index("takehome-contents")
    assert contents < printed.index('<span id="document-book/intro">')
    assert '<a href="#document-book/intro">Intro</a>' in printed
    assert '<a href="#document-notebooks/a">A &amp; B</a>' in printed
    assert "counter(page)" in printed  # the page numbers' style
