"""``make linkcheck``: it runs from a fresh clone, and its verdict (a link is
broken, or the check could not run) is what the weekly workflow reads.

No test here reaches the internet. The Makefile's steps run in a copy of the
tracked files (a fresh clone: no ``_build``, no executed chapter, no
records) with the linkcheck build itself replaced by a stub that writes a
report as Sphinx does; Sphinx's real report format is checked on a small
Sphinx project whose links point at a local server.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from bookbuild import linkcheck

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WEEKLY = ROOT / ".github" / "workflows" / "weekly.yml"
# The folder `make linkcheck` builds in (the Makefile's LINKCHECK).
FOLDER = "_build/linkcheck"


def entry(status: str, code: int = 0, uri: str = "https://x.example/"):
    return {
        "filename": "book/intro.md",
        "lineno": 7,
        "status": status,
        "code": code,
        "uri": uri,
        "info": "" if status == "working" else "what went wrong",
    }


def write_report(path: Path, entries: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))
    return path


# --------------------------------------------------------------- the verdict


@pytest.mark.parametrize(
    "entries, build_status, expected",
    [
        ([entry("working"), entry("redirected", 302)], 0, "ok"),
        # a server answered 404 while another link worked: broken
        ([entry("working"), entry("broken", 404)], 1, "broken"),
        # one host unreachable while others answer: that link is broken
        ([entry("working"), entry("broken", 0)], 1, "broken"),
        # an HTTP error is an answer: broken even when nothing else works
        ([entry("broken", 404)], 1, "broken"),
        # not one link reached (offline, as on this machine): not run
        ([entry("broken", 0), entry("timeout", 0)], 1, "not-run"),
        # no external link checked at all
        ([entry("unchecked"), entry("local")], 0, "not-run"),
        # the build failed but reported no broken link
        ([entry("working")], 2, "not-run"),
    ],
)
def test_verdict_tells_broken_links_from_a_check_that_could_not_run(
    tmp_path, entries, build_status, expected
):
    report = write_report(tmp_path / "output.json", entries)
    assert linkcheck.verdict(report, build_status).status == expected


def test_no_report_or_no_build_status_is_a_check_that_could_not_run(
    tmp_path,
):
    missing = tmp_path / "output.json"
    assert linkcheck.verdict(missing, 1).status == "not-run"
    assert "wrote no report" in linkcheck.verdict(missing, 1).text
    write_report(missing, [entry("broken", 404)])
    assert linkcheck.verdict(missing, None).status == "not-run"


def test_main_writes_the_report_the_output_and_the_exit_code(tmp_path):
    folder = tmp_path / "linkcheck"
    write_report(
        folder / linkcheck.REPORT,
        [entry("working"), entry("broken", 404, "https://gone.example/")],
    )
    (folder / linkcheck.BUILD_STATUS).write_text("1\n")
    out, summary = tmp_path / "github_output", tmp_path / "summary.md"
    code = linkcheck.main(
        folder,
        {"GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert code == 1
    assert out.read_text() == f"{linkcheck.OUTPUT_KEY}=broken\n"
    report = (folder / linkcheck.SUMMARY).read_text()
    assert "https://gone.example/" in report
    assert summary.read_text() == report
    # an unreadable report is a check that could not run, not a crash
    (folder / linkcheck.REPORT).write_text("<html>\n")
    assert linkcheck.main(folder, {"GITHUB_OUTPUT": str(out)}) == 2
    assert out.read_text().splitlines()[-1] == "status=not-run"


def test_the_linkcheck_config_turns_execution_off_and_finds_the_extension(
    tmp_path,
):
    out = linkcheck.write_config(ROOT / "_config.yml", tmp_path / "c.yml")
    config = yaml.safe_load(out.read_text())
    source = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"
    for name, path in config["sphinx"]["local_extensions"].items():
        assert Path(path).is_absolute() and Path(path).is_dir(), path
        assert (
            Path(path)
            == (ROOT / source["sphinx"]["local_extensions"][name]).resolve()
        )
    # everything else is the book's own configuration
    config["execute"] = source["execute"]
    config["sphinx"]["local_extensions"] = source["sphinx"][
        "local_extensions"
    ]
    assert config == source


# ---------------------------------------------- Sphinx's own report, offline


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_the_verdict_reads_a_real_sphinx_linkcheck_report(tmp_path):
    # Sphinx is the book's toolchain (.[book]), not in the test-only
    # environments of make test-compat
    pytest.importorskip("sphinx")
    site = tmp_path / "site"
    site.mkdir()
    (site / "here.html").write_text("<p>here</p>")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "linkcheck_timeout = 5\nlinkcheck_retries = 1\n"
    )
    (src / "index.rst").write_text(
        f"Links\n=====\n\n`a <{origin}/here.html>`_ and `b <{origin}/gone.html>`_\n"
    )
    try:
        build = subprocess.run(
            [
                sys.executable,
                "-m",
                "sphinx",
                "-q",
                "-b",
                "linkcheck",
                str(src),
                str(tmp_path / "out"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
    report = tmp_path / "out" / "output.json"
    assert report.is_file(), build.stdout + build.stderr
    result = linkcheck.verdict(report, build.returncode)
    assert result.status == "broken", result.text
    assert "gone.html" in result.text and "here.html" not in result.text


# ------------------------------------------ make linkcheck from a fresh clone


@pytest.fixture
def fresh_clone(tmp_path) -> Path:
    """The repository's files as a clone has them: what git tracks (and
    new files not ignored), no _build, no records, no executed chapter."""
    files = subprocess.run(
        [
            "git",
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    clone = tmp_path / "clone"
    for name in filter(None, files):
        src = ROOT / name.decode()
        if src.is_file():
            (clone / name.decode()).parent.mkdir(
                parents=True, exist_ok=True
            )
            shutil.copy2(src, clone / name.decode())
    assert not (clone / "_build").exists()
    return clone


def stub_build(
    tmp_path: Path, report: list[dict] | None, code: int
) -> Path:
    """A stand-in for the linkcheck build: it records the configuration it
    was given and writes ``report`` where jupyter-book's linkcheck builder
    writes output.json (none when ``report`` is None)."""
    stub = tmp_path / "linkcheck-build"
    lines = [
        "#!/bin/sh",
        f"cp {FOLDER}/_config.yml {tmp_path}/config-seen.yml",
    ]
    if report is not None:
        out = f"{FOLDER}/{linkcheck.REPORT.as_posix()}"
        lines += [f"mkdir -p {Path(out).parent}", f"cat > {out} <<'EOF'"]
        lines += [json.dumps(e) for e in report] + ["EOF"]
    lines.append(f"exit {code}")
    stub.write_text("\n".join(lines) + "\n")
    stub.chmod(0o755)
    return stub


def make_linkcheck(clone: Path, stub: Path, github_output: Path):
    # -o: the environment is this one (BIN); .venv/.installed is not made.
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(github_output),
        "MAKEFLAGS": "",
    }
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-o",
            ".venv/.installed",
            "linkcheck",
            f"BIN={BIN}",
            f"LINKCHECK_BUILD={stub}",
        ],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_make_linkcheck_runs_from_a_fresh_clone_to_its_verdict(
    fresh_clone, tmp_path
):
    stub = stub_build(
        tmp_path,
        [
            entry("working", uri="https://up.example/"),
            entry("broken", 404, "https://gone.example/"),
        ],
        code=1,
    )
    out = tmp_path / "github_output"
    run = make_linkcheck(fresh_clone, stub, out)
    log = run.stdout + run.stderr
    # the first step, with no records folder, is no longer the end
    assert "does not exist" not in log, log
    assert "0 records of" in run.stdout, log
    # the build was given the book's configuration with execution off
    seen = yaml.safe_load((tmp_path / "config-seen.yml").read_text())
    assert seen["execute"]["execute_notebooks"] == "off"
    # the checker ran, said which it is, and failed the command
    assert run.returncode != 0, log
    assert out.read_text() == "status=broken\n", log
    report = (fresh_clone / FOLDER / linkcheck.SUMMARY).read_text()
    assert "https://gone.example/" in report

    # A build that writes no report: the check could not run.
    stub = stub_build(tmp_path, None, code=1)
    out.unlink()
    run = make_linkcheck(fresh_clone, stub, out)
    assert run.returncode != 0
    assert out.read_text() == "status=not-run\n", run.stdout + run.stderr
    # the report of the run before is not read again
    report = (fresh_clone / FOLDER / linkcheck.SUMMARY).read_text()
    assert "could not run" in report and "gone.example" not in report


def test_the_weekly_workflow_reads_the_checkers_verdict_and_report():
    weekly = yaml.safe_load(WEEKLY.read_text())
    job = weekly["jobs"]["linkcheck"]
    step = next(
        s
        for s in job["steps"]
        if s.get("run", "").strip() == "make linkcheck"
    )
    # the job's output is the checker's $GITHUB_OUTPUT key
    wanted = f"steps.{step['id']}.outputs.{linkcheck.OUTPUT_KEY}"
    outputs = {
        name: value
        for name, value in job.get("outputs", {}).items()
        if wanted in value
    }
    assert outputs, f"the linkcheck job's outputs should read {wanted}"
    # the kept artifact holds the checker's report and Sphinx's own
    upload = next(
        s
        for s in job["steps"]
        if s.get("uses", "").startswith("actions/upload-artifact@")
    )
    assert upload.get("if") == "always()"
    paths = upload["with"]["path"].split()
    assert f"{FOLDER}/{linkcheck.SUMMARY}" in paths
    assert (
        f"{FOLDER}/{linkcheck.REPORT.with_suffix('.txt').as_posix()}"
        in paths
    )
    # the issue the report job writes tells broken links from a check
    # that could not run, by that output
    report = weekly["jobs"]["report"]
    text = yaml.safe_dump(report)
    assert any(
        f"needs.linkcheck.outputs.{name}" in text for name in outputs
    ), "the report job should read the linkcheck job's verdict"
    script = report["steps"][-1]["with"]["script"]
    for status in ("broken", "not-run"):
        assert status in script
