"""Videos with ffmpeg: frames encoded as H.264, videos stacked in a grid.

The ffmpeg binary is the one ``imageio-ffmpeg`` ships. It runs as a child
process with a time limit (``timeout``), and what it writes is accepted only
if it is an MP4 file (:func:`check_mp4`); anything else raises
:class:`VideoError`, which :mod:`tutorial_lib.animation` answers with
matplotlib's JavaScript player.
"""

from __future__ import annotations

import base64
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import ffmpeg
import matplotlib as mpl
import numpy as np

from tutorial_lib.checks import finite_number, positive_int

TIMEOUT_S = 120.0
"""Default limit, in seconds, on one run of ffmpeg."""
MIN_MP4_BYTES = 256
"""Fewer bytes than this cannot hold an MP4's header boxes and one frame."""
VIDEO_TAG = (
    '<video width="{width}" height="{height}" controls autoplay loop>\n'
    '  <source type="video/mp4" src="data:video/mp4;base64,{data}">\n'
    "  Your browser does not support the video tag.\n</video>"
)


class VideoError(RuntimeError):
    """ffmpeg is missing, failed, took too long or wrote no MP4 video."""


def ffmpeg_path() -> str | None:
    """The ffmpeg binary of ``imageio-ffmpeg``, or ``None`` where it is missing."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError, OSError):
        return None


def check_mp4(data: bytes, what: str = "ffmpeg's output") -> bytes:
    """``data`` itself if it is an MP4 file (an ``ftyp`` box first, a ``moov``
    box somewhere, and at least :data:`MIN_MP4_BYTES`); else :class:`VideoError`."""
    if (
        len(data) < MIN_MP4_BYTES
        or data[4:8] != b"ftyp"
        or b"moov" not in data
    ):
        raise VideoError(
            f"{what} is not an MP4 video: {len(data)} bytes starting {data[:12]!r} "
            f"(expected an 'ftyp' box in bytes 4-8, a 'moov' box and at least "
            f"{MIN_MP4_BYTES} bytes)"
        )
    return data


def _run_ffmpeg(stream, output: Path, timeout: float) -> bytes:
    """Run an ffmpeg-python ``stream`` writing ``output``; return its checked bytes."""
    exe = ffmpeg_path()
    if exe is None:
        raise VideoError(
            "no ffmpeg binary: imageio-ffmpeg is missing or has none"
        )
    args = stream.overwrite_output().compile(cmd=exe)
    try:
        done = subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        message = f"ffmpeg did not finish within timeout={timeout:g} s"
        raise VideoError(message) from None
    except OSError as err:
        raise VideoError(
            f"ffmpeg could not be started ({exe}): {err}"
        ) from None
    if done.returncode != 0:
        lines = done.stderr.decode(
            errors="replace"
        ).strip().splitlines() or ["?"]
        raise VideoError(
            f"ffmpeg exited with status {done.returncode}: {lines[-1]}"
        )
    if not output.is_file():
        raise VideoError(
            f"ffmpeg exited with status 0 but wrote no {output.name}"
        )
    return check_mp4(output.read_bytes())


def check_timeout(timeout: float) -> float:
    return finite_number(
        "timeout", timeout, positive=True, unit=" of seconds"
    )


def _h264(stream, output: Path):
    """Encode ``stream`` as H.264 in ``output``, each side padded to an even size."""
    stream = stream.filter(
        "pad", "ceil(iw/2)*2", "ceil(ih/2)*2", color="white"
    )
    return stream.output(
        str(output),
        vcodec="libx264",
        pix_fmt="yuv420p",
        movflags="+faststart",
    )


def render_video(
    fig,
    update: Callable[[int], object],
    count: int,
    *,
    fps: int,
    timeout: float,
) -> tuple[bytes, tuple[int, int]]:
    """Draw ``update(0) .. update(count - 1)`` on ``fig`` and encode them as an MP4.

    Returns:
        The MP4 file's bytes and its ``(width, height)`` in pixels.

    Raises:
        VideoError: when ffmpeg is missing, fails, runs past ``timeout``
        seconds or writes something that is not an MP4 video.
    """
    with tempfile.TemporaryDirectory(prefix="tutorial-video-") as tmp:
        raw, output = Path(tmp) / "frames.rgba", Path(tmp) / "video.mp4"
        with raw.open("wb") as out:
            for i in range(count):
                update(i)
                fig.canvas.draw()
                rgba = np.asarray(fig.canvas.buffer_rgba())
                out.write(rgba.tobytes())
        height, width = rgba.shape[:2]
        frames = ffmpeg.input(
            str(raw),
            format="rawvideo",
            pix_fmt="rgba",
            s=f"{width}x{height}",
            framerate=fps,
        )
        video = _run_ffmpeg(_h264(frames, output), output, timeout)
    return video, (width + width % 2, height + height % 2)


def compose_grid(
    videos: Sequence[bytes], *, columns: int = 2, timeout: float = TIMEOUT_S
) -> bytes:
    """MP4 videos of one frame size stacked into one grid video, ``columns`` wide.

    Frame ``k`` of the result holds frame ``k`` of every input (ffmpeg's
    ``xstack`` filter), in reading order; give the inputs the same frame rate
    and number of frames. Cells left over in the last row are white.

    Returns:
        The grid's MP4 bytes. Raises :class:`VideoError` as :func:`render_video`.
    """
    positive_int("columns", columns)
    if len(videos) == 0:
        raise ValueError(
            "videos is empty; give at least one MP4 video to compose"
        )
    for i, video in enumerate(videos):
        check_mp4(bytes(video), what=f"videos[{i}]")
    with tempfile.TemporaryDirectory(prefix="tutorial-grid-") as tmp:
        inputs = []
        for i, video in enumerate(videos):
            (Path(tmp) / f"{i}.mp4").write_bytes(video)
            inputs.append(ffmpeg.input(str(Path(tmp) / f"{i}.mp4")).video)
        stream = inputs[0]
        if len(inputs) > 1:
            cells = [_cell(i, columns) for i in range(len(inputs))]
            stream = ffmpeg.filter(
                inputs,
                "xstack",
                inputs=len(inputs),
                layout="|".join(cells),
                fill="white",
            )
        output = Path(tmp) / "grid.mp4"
        return _run_ffmpeg(
            _h264(stream, output), output, check_timeout(timeout)
        )


def _cell(i: int, columns: int) -> str:
    """xstack's position of input ``i``: ``x_y`` in multiples of input 0's size."""
    row, col = divmod(i, columns)
    return (
        f"{'+'.join(['w0'] * col) or '0'}_{'+'.join(['h0'] * row) or '0'}"
    )


def video_html(video: bytes, width: int, height: int) -> str:
    """An HTML ``<video>`` that plays the MP4 ``video`` embedded in the page."""
    limit_mb = mpl.rcParams["animation.embed_limit"]
    # base64 makes it 4/3 larger
    if len(video) * 4 / 3 > limit_mb * 1024 * 1024:
        raise VideoError(
            f"the video is {len(video) / 1e6:.1f} MB, over "
            f"rcParams['animation.embed_limit'] = {limit_mb} MB"
        )
    data = base64.b64encode(video).decode("ascii")
    return VIDEO_TAG.format(width=width, height=height, data=data)
