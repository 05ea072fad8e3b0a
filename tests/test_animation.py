import base64
import re

import numpy as np
import pytest

from tutorial_lib import animation


def frames(n=6, length=40):
    t = np.arange(length)
    clean = np.sin(2 * np.pi * t / 20)
    snaps = np.stack([clean * k / n for k in range(n)])
    return snaps, clean


def test_video_is_embedded_h264_mp4():
    if animation.ffmpeg_path() is None:
        pytest.skip("imageio-ffmpeg has no ffmpeg binary here")
    snaps, clean = frames()
    anim = animation.animate_snapshots(snaps, clean, labels=[f"iteration {i}" for i in range(len(snaps))])
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
    monkeypatch.setattr(animation, "ffmpeg_path", lambda: None)
    snaps, clean = frames()
    anim = animation.animate_snapshots(snaps, clean, noisy=clean + 0.1)
    assert anim.kind == "jshtml"
    assert "<video" not in anim.html
    assert "Animation" in anim.html and "<img" in anim.html


def test_falls_back_when_the_ffmpeg_binary_does_not_run(monkeypatch, tmp_path):
    monkeypatch.setattr(animation, "ffmpeg_path", lambda: str(tmp_path / "no-such-ffmpeg"))
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
        (dict(snapshots=np.zeros((3, 5)), clean=np.zeros(5), labels=["a"]), "labels"),
        (dict(snapshots=np.zeros((3, 5)), clean=np.zeros(5), prefer="gif"), "prefer"),
    ],
)
def test_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        animation.animate_snapshots(**kwargs)
