import base64
import re
import time

import numpy as np
import pytest

from tutorial_lib import animation, video


def frames(n=6, length=40):
    t = np.arange(length)
    clean = np.sin(2 * np.pi * t / 20)
    snaps = np.stack([clean * k / n for k in range(n)])
    return snaps, clean


def test_video_is_embedded_h264_mp4():
    if video.ffmpeg_path() is None:
        pytest.skip("imageio-ffmpeg has no ffmpeg binary here")
    snaps, clean = frames()
    anim = animation.animate_snapshots(
        snaps, clean, labels=[f"iteration {i}" for i in range(len(snaps))]
    )
    assert anim.kind == "video"
    assert anim.frames == len(snaps)
    assert "<video" in anim.html
    data = re.search(r'src="data:video/mp4;base64,([^"]+)"', anim.html)
    assert data is not None
    mp4 = base64.b64decode(data.group(1))
    # An MP4 file opens with a box whose type (bytes 4-8) is 'ftyp'.
    assert mp4[4:8] == b"ftyp"
    assert len(mp4) > 1000


def test_falls_back_to_js_player_without_ffmpeg(monkeypatch):
    monkeypatch.setattr(video, "ffmpeg_path", lambda: None)
    snaps, clean = frames()
    anim = animation.animate_snapshots(snaps, clean, noisy=clean + 0.1)
    assert anim.kind == "jshtml"
    assert "<video" not in anim.html
    assert "Animation" in anim.html and "<img" in anim.html


def test_falls_back_when_the_ffmpeg_binary_does_not_run(
    monkeypatch, tmp_path
):
    monkeypatch.setattr(
        video, "ffmpeg_path", lambda: str(tmp_path / "no-such-ffmpeg")
    )
    snaps, clean = frames(3)
    anim = animation.animate_snapshots(snaps, clean)
    assert anim.kind == "jshtml"
    assert anim._repr_html_() == anim.html


def test_closes_its_figure():
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    snaps, clean = frames(2)
    animation.animate_snapshots(snaps, clean, prefer="jshtml")
    assert len(plt.get_fignums()) == before


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(snapshots=np.zeros((3, 5)), clean=np.zeros(6)), "time = len"),
        (
            dict(
                snapshots=np.zeros((3, 5)), clean=np.zeros(5), labels=["a"]
            ),
            "labels",
        ),
        (
            dict(
                snapshots=np.zeros((3, 5)), clean=np.zeros(5), prefer="gif"
            ),
            "prefer",
        ),
    ],
)
def test_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        animation.animate_snapshots(**kwargs)


# ---------------------------------------------------------------- broken ffmpeg


def fake_ffmpeg(tmp_path, body: str) -> str:
    """An executable shell script standing in for ffmpeg."""
    path = tmp_path / "ffmpeg"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


# ffmpeg-python puts "-y" last; the output file is the argument ending in .mp4
WRITE_JUNK = 'for a; do case "$a" in *.mp4) out="$a";; esac; done\n'
WRITE_JUNK += 'head -c 5000 /dev/zero | tr "\\0" "x" > "$out"\nexit 0'


@pytest.mark.parametrize(
    "body, reason",
    [
        ("exec sleep 30", "ffmpeg did not finish within timeout=1 s"),
        (
            WRITE_JUNK,
            r"output is not an MP4 video: 5000 bytes starting b'xxxx",
        ),
        ("echo 'Unknown encoder' >&2; exit 1", "status 1: Unknown encoder"),
        ("exit 0", "ffmpeg exited with status 0 but wrote no video.mp4"),
    ],
)
def test_a_broken_ffmpeg_falls_back_to_the_player_and_says_why(
    monkeypatch, tmp_path, capsys, body, reason
):
    monkeypatch.setattr(
        video, "ffmpeg_path", lambda: fake_ffmpeg(tmp_path, body)
    )
    snaps, clean = frames(3)
    started = time.monotonic()
    anim = animation.animate_snapshots(
        snaps, clean, timeout=1.0, figsize=(2, 1.5), dpi=50
    )
    assert time.monotonic() - started < 15
    assert (
        anim.kind == "jshtml" and anim.video is None and "<img" in anim.html
    )
    printed = capsys.readouterr().out
    assert printed.startswith(
        "Showing the JavaScript player instead of a video: "
    )
    assert re.search(reason, printed) and re.search(reason, anim.reason)


def test_no_ffmpeg_is_printed_too(monkeypatch, capsys):
    monkeypatch.setattr(video, "ffmpeg_path", lambda: None)
    snaps, clean = frames(2)
    anim = animation.animate_snapshots(
        snaps, clean, figsize=(2, 1.5), dpi=50
    )
    assert (
        anim.reason
        == "no ffmpeg binary: imageio-ffmpeg is missing or has none"
    )
    assert anim.reason in capsys.readouterr().out


def test_asking_for_the_player_prints_nothing(capsys):
    snaps, clean = frames(2)
    anim = animation.animate_snapshots(
        snaps, clean, prefer="jshtml", dpi=30
    )
    assert anim.kind == "jshtml" and anim.reason is None
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), True])
def test_rejects_a_bad_timeout(timeout):
    snaps, clean = frames(2)
    message = f"timeout must be a positive finite number of seconds, got {timeout}"
    with pytest.raises(ValueError, match=message):
        animation.animate_snapshots(snaps, clean, timeout=timeout)


def test_check_mp4_names_what_it_checked():
    message = r"videos\[1\] is not an MP4 video: 3 bytes starting b'abc'"
    with pytest.raises(video.VideoError, match=message):
        video.check_mp4(b"abc", what="videos[1]")


# ---------------------------------------------------------------- one grid video

PANEL_INCHES, PANEL_DPI = (2.4, 1.6), 40  # 96 x 64 pixels a panel


def panels(count=3, n_frames=4):
    out = []
    for k in range(count):
        snaps, clean = frames(n_frames)
        labels = [f"run {k}, frame {i}" for i in range(n_frames)]
        out.append(animation.Panel(snaps * (k + 1), clean, labels=labels))
    return out


def decode(mp4: bytes, tmp_path):
    import imageio_ffmpeg

    path = tmp_path / "decoded.mp4"
    path.write_bytes(mp4)
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    images = [
        np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader
    ]
    return meta, images


def test_compose_grid_stacks_videos_in_step(tmp_path):
    if video.ffmpeg_path() is None:
        pytest.skip("imageio-ffmpeg has no ffmpeg binary here")
    parts = [
        animation.animate_snapshots(
            p.snapshots,
            p.clean,
            labels=p.labels,
            figsize=PANEL_INCHES,
            dpi=PANEL_DPI,
        )
        for p in panels(3)
    ]
    assert [a.kind for a in parts] == ["video"] * 3
    grid = video.compose_grid(
        [a.video for a in parts], columns=2, timeout=60
    )
    assert grid[4:8] == b"ftyp"
    meta, images = decode(grid, tmp_path)
    assert meta["size"] == (192, 128) and len(images) == 4
    _, first = decode(parts[0].video, tmp_path)
    # the top-left cell is video 0
    for grid_frame, panel_frame in zip(images, first):
        diff = np.abs(
            grid_frame[:64, :96].astype(int) - panel_frame.astype(int)
        )
        assert diff.mean() < 8
    assert images[0][64:, 96:].min() > 240  # the cell left over is white


def test_animate_grid_makes_one_video(tmp_path):
    if video.ffmpeg_path() is None:
        pytest.skip("imageio-ffmpeg has no ffmpeg binary here")
    anim = animation.animate_grid(
        panels(4, 3), columns=4, figsize=PANEL_INCHES, dpi=PANEL_DPI, fps=3
    )
    assert anim.kind == "video" and anim.frames == 3
    assert '<video width="384" height="64"' in anim.html
    meta, images = decode(anim.video, tmp_path)
    assert (
        meta["size"] == (384, 64) and meta["fps"] == 3 and len(images) == 3
    )


def test_animate_grid_without_ffmpeg_is_one_player_and_says_why(
    monkeypatch, capsys
):
    monkeypatch.setattr(video, "ffmpeg_path", lambda: None)
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    anim = animation.animate_grid(
        panels(3, 2), figsize=PANEL_INCHES, dpi=PANEL_DPI
    )
    assert anim.kind == "jshtml" and anim.frames == 2 and anim.video is None
    assert anim.html.count("<img") == 1  # one player, two frames
    assert (
        len(re.findall(r'frames\[\d+\] = "data:image/png', anim.html)) == 2
    )
    assert "no ffmpeg binary" in capsys.readouterr().out
    assert len(plt.get_fignums()) == before


def test_compose_grid_refuses_what_is_not_a_video():
    with pytest.raises(
        video.VideoError, match=r"videos\[0\] is not an MP4"
    ):
        video.compose_grid([b"\0" * 1000])
    with pytest.raises(
        ValueError, match="columns must be a positive integer, got 0"
    ):
        video.compose_grid([b""], columns=0)
    with pytest.raises(ValueError, match="videos is empty"):
        video.compose_grid([])


def test_animate_grid_needs_panels_of_equal_length():
    with pytest.raises(
        ValueError, match=r"same number of frames, got \[3, 2\]"
    ):
        animation.animate_grid([panels(1, 3)[0], panels(1, 2)[0]])
    with pytest.raises(ValueError, match="non-empty list of Panel"):
        animation.animate_grid([])


@pytest.mark.parametrize(
    "name, message",
    [
        (
            "snapshots",
            "snapshots must be finite to be drawn, got 1 NaN or infinite "
            "value(s), the first at frame 2, time 3 (nan)",
        ),
        (
            "clean",
            "clean must be finite to be drawn, got 1 NaN or infinite "
            "value(s), the first at time 3 (nan)",
        ),
        (
            "noisy",
            "noisy must be finite to be drawn, got 1 NaN or infinite "
            "value(s), the first at time 3 (nan)",
        ),
    ],
)
def test_a_nan_to_draw_is_named_with_its_frame(name, message):
    arrays = dict(
        snapshots=np.zeros((4, 6)), clean=np.zeros(6), noisy=np.zeros(6)
    )
    arrays[name][(2, 3) if name == "snapshots" else 3] = np.nan
    with pytest.raises(ValueError) as caught:
        animation.animate_snapshots(**arrays, prefer="jshtml")
    assert str(caught.value) == message
