"""The site test's set-up on GitHub's runners: a non-root user with sudo,
and a Chromium without H.264.

GitHub-hosted runners run jobs as the ``runner`` user, who may run
``sudo`` without a password. ``make chromium poppler-utils`` (what
``make test`` runs before the site test) must then install through sudo.
Here the Makefile's set-up runs as another user (``runuser``/``setpriv``
when the test runs as root, else as the user running it) with stub ``sudo``
and ``apt-get`` commands first on PATH: the stub sudo stands for a sudo
rule that lets the user run anything without a password (``sudo -n true``
succeeds) or for none; it runs the command as the same user, and the stub
apt-get only records how it was called. Nothing is installed.

The runner's ``/usr/bin/chromium`` is a Chromium snapshot build, which
usually cannot play H.264; the site test's video check must skip, saying
so, when such a browser cannot play a video that ffmpeg decodes, and fail
on a video that is broken. A stub browser (the page facts a browser
reports) stands for it.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import test_site

ROOT = Path(__file__).resolve().parents[1]
# The packages and the commands that show them installed (the Makefile's).
PACKAGES = {"chromium": "chromium", "poppler-utils": "pdftoppm"}


def as_other_user() -> list[str]:
    """A command prefix that runs as a user other than root ([] when this
    test already runs as one)."""
    if os.geteuid() != 0:
        return []
    nobody = "65534"
    if shutil.which("setpriv"):
        return [
            "setpriv",
            f"--reuid={nobody}",
            f"--regid={nobody}",
            "--clear-groups",
            "--",
        ]
    if shutil.which("runuser"):
        return ["runuser", "-u", "nobody", "--"]
    pytest.skip("running as root, and neither setpriv nor runuser is here")


@pytest.fixture
def world() -> Path:
    """A folder every user can read and write (the test's tmp_path is the
    running user's own), removed afterwards."""
    # /tmp: $TMPDIR may be a folder only its owner can enter
    base = "/tmp" if Path("/tmp").is_dir() else None
    folder = Path(tempfile.mkdtemp(prefix="setup-nonroot-", dir=base))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def stub_bin(world: Path, sudo: str | None, installed=()) -> Path:
    """A PATH holding only what the recipes need: ``id``, ``env``, ``true``, a stub
    ``apt-get`` that logs its uid and arguments, ``sudo`` as asked ("rule":
    passwordless; "password": ``sudo -n`` fails; None: no sudo) and a stub
    of each command in ``installed``."""
    bin_ = world / f"bin-{sudo}-{len(installed)}"
    bin_.mkdir()
    for tool in ("id", "env", "true"):
        (bin_ / tool).symlink_to(shutil.which(tool))
    log = world / "calls.log"

    def script(name: str, body: str) -> None:
        (bin_ / name).write_text("#!/bin/sh\n" + body)
        (bin_ / name).chmod(0o755)

    script("apt-get", f'echo "apt-get uid=$(id -u) $*" >> {log}\n')
    if sudo == "rule":
        script(
            "sudo",
            f'echo "sudo $*" >> {log}\n[ "$1" = -n ] && shift\nexec "$@"\n',
        )
    elif sudo == "password":
        script(
            "sudo",
            f'echo "sudo $*" >> {log}\n'
            'echo "sudo: a password is required" >&2\nexit 1\n',
        )
    for tool in installed:
        script(tool, "exit 0\n")
    return bin_


def make_setup(world: Path, bin_: Path, prefix: list[str]):
    makefile = world / "Makefile"
    shutil.copy(ROOT / "Makefile", makefile)
    makefile.chmod(0o644)
    (world / "calls.log").touch()
    (world / "calls.log").chmod(0o666)
    run = subprocess.run(
        prefix
        + [
            shutil.which("env"),
            "-i",
            f"PATH={bin_}",
            f"HOME={world}",
            shutil.which("make"),
            "--no-print-directory",
            "-f",
            str(makefile),
            *PACKAGES,
        ],
        cwd=world,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return run, (world / "calls.log").read_text().splitlines()


def test_a_user_with_a_sudo_rule_installs_through_sudo(world):
    run, calls = make_setup(world, stub_bin(world, "rule"), as_other_user())
    assert run.returncode == 0, run.stdout + run.stderr
    for package in PACKAGES:
        install = (
            "apt-get install -y -qq --no-install-recommends " + package
        )
        assert f"sudo -n env DEBIAN_FRONTEND=noninteractive {install}" in (
            calls
        ), calls
        # the stub sudo does not change the user: this was not root
        assert any(
            c.startswith("apt-get uid=")
            and c.endswith(install.removeprefix("apt-get "))
            and not c.startswith("apt-get uid=0 ")
            for c in calls
        ), calls
    assert sum("apt-get update -qq" in c for c in calls) >= 2, calls


@pytest.mark.parametrize("sudo", ["password", None])
def test_without_passwordless_sudo_it_says_what_to_run(world, sudo):
    run, calls = make_setup(world, stub_bin(world, sudo), as_other_user())
    assert run.returncode == 0, run.stdout + run.stderr
    assert not any(c.startswith("apt-get") for c in calls), calls
    for package in PACKAGES:
        assert f"{package} is missing: sudo apt-get install {package}" in (
            run.stderr
        )


def test_root_installs_without_sudo(world):
    if os.geteuid() != 0:
        pytest.skip(
            "needs root (GitHub's runners are not; this machine may be)"
        )
    run, calls = make_setup(world, stub_bin(world, "rule"), [])
    assert run.returncode == 0, run.stdout + run.stderr
    assert not any(c.startswith("sudo") for c in calls), calls
    assert sum(c.startswith("apt-get uid=0 install") for c in calls) == 2


def test_what_is_installed_is_left_alone(world):
    bin_ = stub_bin(world, "rule", installed=PACKAGES.values())
    run, calls = make_setup(world, bin_, as_other_user())
    assert run.returncode == 0 and calls == [], (run.stderr, calls)


# ---------------------------------------------- a browser without H.264


def h264_mp4(tmp_path: Path) -> bytes:
    """A two-frame H.264 MP4, made by imageio-ffmpeg's ffmpeg."""
    import imageio_ffmpeg

    out = tmp_path / "made.mp4"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-v", "error"]
        + ["-f", "lavfi", "-i", "color=c=red:s=32x32:r=10:d=0.2"]
        + ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out.read_bytes()


def stub_site(tmp_path: Path, video: bytes) -> dict:
    html = tmp_path / "html"
    html.mkdir()
    data = base64.b64encode(video).decode()
    (html / "anim.html").write_text(
        "<main><video controls>\n"
        f'  <source type="video/mp4" src="data:video/mp4;base64,{data}">\n'
        "</video></main>"
    )
    return {"html": html}


def stub_browser(h264: str) -> dict:
    """What a browser reports of the page when its video did not load:
    ``h264`` is its canPlayType of H.264 ('' without it)."""
    return {
        "anim.html": {
            "h264": h264,
            "videos": [{"src": "", "ready": 0, "error": None}],
            "js_players": [],
        }
    }


def test_a_browser_without_h264_skips_the_video_check_saying_so(tmp_path):
    site = stub_site(tmp_path, h264_mp4(tmp_path))
    with pytest.raises(pytest.skip.Exception) as skipped:
        test_site.test_every_animation_plays(
            stub_browser(""), [], site, tmp_path / "scratch"
        )
    message = str(skipped.value)
    assert "has no H.264" in message and "anim.html" in message
    assert "ffmpeg decodes each of them as H.264" in message


@pytest.mark.parametrize(
    "video",
    [b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 400, b""],
    ids=["not a video", "empty"],
)
def test_a_broken_video_fails_in_a_browser_without_h264(tmp_path, video):
    site = stub_site(tmp_path, video)
    with pytest.raises(AssertionError, match="anim.html: video 1"):
        test_site.test_every_animation_plays(
            stub_browser(""), [], site, tmp_path / "scratch"
        )


def test_a_video_that_does_not_load_where_h264_plays_fails(tmp_path):
    site = stub_site(tmp_path, h264_mp4(tmp_path))
    with pytest.raises(AssertionError, match="does not load"):
        test_site.test_every_animation_plays(
            stub_browser("probably"), [], site, tmp_path / "scratch"
        )
