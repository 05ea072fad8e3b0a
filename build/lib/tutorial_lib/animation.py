"""Training snapshots as an animation embedded in the page.

:func:`animate_snapshots` draws one frame per snapshot (a prediction against
its clean signal) and returns an :class:`Animation` whose ``html`` is either
an H.264 video (``kind="video"``), encoded by the ffmpeg binary that
``imageio-ffmpeg`` ships, or matplotlib's JavaScript player
(``kind="jshtml"``) where no ffmpeg works. Display it with
``IPython.display.HTML(anim.html)`` or simply as a cell's last value.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from typing import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation

from tutorial_lib.plots import COLORS

KINDS = ("video", "jshtml")


@dataclass(frozen=True)
class Animation:
    """An embeddable animation: ``html`` to display, ``kind`` in ``("video", "jshtml")``."""

    html: str
    kind: str
    frames: int

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"Animation(kind={self.kind!r}, frames={self.frames}, {len(self.html) / 1e3:.0f} kB of HTML)"


def ffmpeg_path() -> str | None:
    """The ffmpeg binary of ``imageio-ffmpeg``, or ``None`` where it is missing."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError, OSError):
        return None


def _as_video(anim: FuncAnimation, exe: str | None) -> str | None:
    """``anim`` as an HTML ``<video>``, or ``None`` when ffmpeg cannot make one."""
    if exe is None:
        return None
    with mpl.rc_context({"animation.ffmpeg_path": exe, "animation.writer": "ffmpeg"}):
        try:
            html = anim.to_html5_video()
        except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as err:  # writer missing or ffmpeg failed
            logging.getLogger(__name__).info("ffmpeg could not encode the animation: %s", err)
            return None
    # Above animation.embed_limit matplotlib returns a notice instead of a video.
    return html if "<video" in html else None


def animate_snapshots(
    snapshots: np.ndarray,
    clean: np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    noisy: np.ndarray | None = None,
    fps: int = 20,
    figsize: tuple[float, float] = (4, 3),
    dpi: int = 100,
    prefer: str = "video",
) -> Animation:
    """One frame per snapshot: the prediction against the clean signal.

    Args:
        snapshots: ``(frames, time)`` predictions of one sequence.
        clean: ``(time,)`` the clean signal (drawn in every frame).
        labels: one title per frame, e.g. ``"iteration 40"``.
        noisy: ``(time,)`` the noisy input, drawn faintly if given.
        fps: frames per second of the video (the JS player's speed likewise).
        prefer: ``"video"`` (fall back to ``"jshtml"`` if ffmpeg fails) or ``"jshtml"``.
    """
    snapshots = np.asarray(snapshots, dtype=float)
    clean = np.asarray(clean, dtype=float).reshape(-1)
    if snapshots.ndim != 2 or snapshots.shape[1] != len(clean) or len(snapshots) == 0:
        raise ValueError(
            f"snapshots must have shape (frames, time) with time = len(clean) = {len(clean)}, "
            f"got {snapshots.shape}"
        )
    if labels is not None and len(labels) != len(snapshots):
        raise ValueError(f"got {len(labels)} labels for {len(snapshots)} frames")
    if prefer not in KINDS:
        raise ValueError(f"prefer must be one of {KINDS}, got {prefer!r}")
    if fps < 1:
        raise ValueError(f"fps must be >= 1, got {fps}")

    t = np.arange(len(clean))
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
    if noisy is not None:
        ax.plot(t, np.asarray(noisy).reshape(-1), color=COLORS["noisy"], lw=0.8, label="noisy input")
    ax.plot(t, clean, color=COLORS["clean"], lw=2, label="clean signal")
    (line,) = ax.plot(t, snapshots[0], color=COLORS["pred"], lw=1.8, label="prediction")
    low, high = min(snapshots.min(), clean.min()), max(snapshots.max(), clean.max())
    ax.set_ylim(low - 0.1 * (high - low), high + 0.25 * (high - low))
    ax.set_xlabel("time step")
    ax.legend(loc="upper right", fontsize="x-small", ncol=3)
    title = ax.set_title(labels[0] if labels is not None else "frame 0", fontsize="small")

    def update(i: int):
        line.set_ydata(snapshots[i])
        title.set_text(labels[i] if labels is not None else f"frame {i}")
        return line, title

    anim = FuncAnimation(fig, update, frames=len(snapshots), interval=1000 / fps, blit=False)
    try:
        html = _as_video(anim, ffmpeg_path()) if prefer == "video" else None
        kind = "video" if html is not None else "jshtml"
        if html is None:
            html = anim.to_jshtml(fps=fps, default_mode="once")
    finally:
        plt.close(fig)  # otherwise the notebook also shows the last frame as a still
    return Animation(html=html, kind=kind, frames=len(snapshots))
