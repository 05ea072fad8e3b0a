"""Training snapshots as an animation embedded in the page.

:func:`animate_snapshots` draws one frame per snapshot (a prediction against
its clean signal) and returns an :class:`Animation` whose ``html`` is either
an H.264 video (``kind="video"``), encoded by the ffmpeg binary that
``imageio-ffmpeg`` ships, or matplotlib's JavaScript player
(``kind="jshtml"``) where no ffmpeg works. Display it with
``IPython.display.HTML(anim.html)`` or simply as a cell's last value.

:func:`animate_grid` does the same for several runs at once: one video per
panel, then :func:`~tutorial_lib.video.compose_grid` stacks them into one synchronised video with
ffmpeg's ``xstack`` filter (frame ``k`` of every panel in frame ``k``).

ffmpeg (:mod:`tutorial_lib.video`) is run as a child process with a time limit (``timeout``), and what it
writes is accepted only if it is an MP4 file. When it is missing, fails,
hangs or writes something else, the JavaScript player is used instead and
the reason is printed, so that it shows on the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation

from tutorial_lib.checks import positive_int
from tutorial_lib.plots import plot_denoising
from tutorial_lib.video import (
    TIMEOUT_S,
    VideoError,
    check_timeout,
    compose_grid,
    render_video,
    video_html,
)

KINDS = ("video", "jshtml")


@dataclass(frozen=True)
class Animation:
    """An embeddable animation.

    Attributes:
        html: what to display.
        kind: ``"video"`` or ``"jshtml"``.
        frames: number of frames.
        video: the MP4 file's bytes when ``kind == "video"``, else ``None``.
        reason: why the JavaScript player replaced a video, if it did.
    """

    html: str
    kind: str
    frames: int
    video: bytes | None = field(default=None, repr=False)
    reason: str | None = None

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        size = f"{len(self.html) / 1e3:.0f} kB of HTML"
        return (
            f"Animation(kind={self.kind!r}, frames={self.frames}, {size})"
        )


@dataclass(frozen=True)
class Panel:
    """One run's snapshots, as :func:`animate_snapshots` takes them.

    Attributes:
        snapshots: ``(frames, time)`` predictions of one sequence.
        clean: ``(time,)`` the clean signal.
        noisy: ``(time,)`` the noisy input, or ``None``.
        labels: one title per frame, or ``None`` (``"frame i"``).
    """

    snapshots: np.ndarray
    clean: np.ndarray
    noisy: np.ndarray | None = None
    labels: Sequence[str] | None = None

    def __post_init__(self):
        snapshots = np.asarray(self.snapshots, dtype=float)
        clean = np.asarray(self.clean, dtype=float).reshape(-1)
        shape_ok = snapshots.ndim == 2 and snapshots.shape[1] == len(clean)
        if not shape_ok or not len(snapshots):
            raise ValueError(
                "snapshots must have shape (frames, time) with time = len(clean) = "
                f"{len(clean)}, got {snapshots.shape}"
            )
        if self.labels is not None and len(self.labels) != len(snapshots):
            raise ValueError(
                f"labels must give one title per frame: got {len(self.labels)} "
                f"labels for {len(snapshots)} frames"
            )
        _check_finite("snapshots", snapshots)
        _check_finite("clean", clean)
        if self.noisy is not None:
            _check_finite("noisy", np.asarray(self.noisy, dtype=float))
        object.__setattr__(self, "snapshots", snapshots)
        object.__setattr__(self, "clean", clean)

    def label(self, i: int) -> str:
        return self.labels[i] if self.labels is not None else f"frame {i}"


def _check_finite(name: str, array: np.ndarray) -> None:
    """ValueError naming ``name`` and its first NaN or inf (frame, time)."""
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        place = (
            f"frame {where[0]}, time {where[1]}"
            if len(where) == 2
            else f"time {where[0]}"
        )
        raise ValueError(
            f"{name} must be finite to be drawn, got {int(bad.sum())} NaN or "
            f"infinite value(s), the first at {place} ({array[where]})"
        )


# ---------------------------------------------------------------- drawing


def _draw_panel(ax, panel: Panel) -> Callable[[int], tuple]:
    """Draw ``panel``'s first frame on ``ax``; return ``update(i)`` for frame ``i``."""
    # the book's drawer and colours; the prediction is the last line drawn
    plot_denoising(panel.noisy, panel.clean, panel.snapshots[0], ax=ax)
    line = ax.lines[-1]
    low = min(panel.snapshots.min(), panel.clean.min())
    high = max(panel.snapshots.max(), panel.clean.max())
    ax.set_ylim(low - 0.1 * (high - low), high + 0.25 * (high - low))
    ax.legend(loc="upper right", fontsize="x-small", ncol=3)
    title = ax.set_title(panel.label(0), fontsize="small")

    def update(i: int):
        line.set_ydata(panel.snapshots[i])
        title.set_text(panel.label(i))
        return line, title

    return update


def _check_options(fps: int, prefer: str, timeout: float) -> None:
    if prefer not in KINDS:
        raise ValueError(f"prefer must be one of {KINDS}, got {prefer!r}")
    positive_int("fps", fps)
    check_timeout(timeout)


def _fallback(reason: str) -> str:
    """Print why the JavaScript player is shown (the page shows it); return it."""
    print(f"Showing the JavaScript player instead of a video: {reason}")
    return reason


def _player(
    fig, update, count: int, fps: int, reason: str | None
) -> Animation:
    """matplotlib's JavaScript player of ``update(0) .. update(count - 1)``."""
    anim = FuncAnimation(
        fig, update, frames=count, interval=1000 / fps, blit=False
    )
    html = anim.to_jshtml(fps=fps, default_mode="once")
    return Animation(html=html, kind="jshtml", frames=count, reason=reason)


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
    timeout: float = TIMEOUT_S,
) -> Animation:
    """One frame per snapshot: the prediction against the clean signal
    (:func:`animate_grid` of one panel).

    Args:
        snapshots: ``(frames, time)`` predictions of one sequence.
        clean: ``(time,)`` the clean signal (drawn in every frame).
        labels: one title per frame, e.g. ``"iteration 40"``.
        noisy: ``(time,)`` the noisy input, drawn faintly if given.
        fps: frames per second of the video (the JS player's speed likewise).
        prefer: ``"video"`` (fall back to ``"jshtml"`` if ffmpeg fails, printing
            why) or ``"jshtml"``.
        timeout: seconds ffmpeg may take before it counts as failed.
    """
    panel = Panel(snapshots, clean, noisy=noisy, labels=labels)
    return animate_grid(
        [panel],
        columns=1,
        fps=fps,
        figsize=figsize,
        dpi=dpi,
        prefer=prefer,
        timeout=timeout,
    )


def _panel_video(
    panel: Panel, *, fps, figsize, dpi, timeout
) -> tuple[bytes, tuple]:
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
    try:
        update = _draw_panel(ax, panel)
        return render_video(
            fig, update, len(panel.snapshots), fps=fps, timeout=timeout
        )
    finally:
        plt.close(fig)


def _grid_player(
    panels, columns, *, fps, figsize, dpi, reason
) -> Animation:
    """All ``panels`` in one figure, animated together by the JavaScript player."""
    rows = math.ceil(len(panels) / columns)
    size = (figsize[0] * columns, figsize[1] * rows)
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=size,
        dpi=dpi,
        layout="constrained",
        squeeze=False,
    )
    try:
        for ax in axes.flat[len(panels) :]:
            ax.set_axis_off()
        updates = [_draw_panel(ax, p) for ax, p in zip(axes.flat, panels)]

        def update(i: int):
            return tuple(artist for u in updates for artist in u(i))

        return _player(fig, update, len(panels[0].snapshots), fps, reason)
    finally:
        plt.close(fig)


def animate_grid(
    panels: Sequence[Panel],
    *,
    columns: int = 2,
    fps: int = 20,
    figsize: tuple[float, float] = (4, 3),
    dpi: int = 100,
    prefer: str = "video",
    timeout: float = TIMEOUT_S,
) -> Animation:
    """Several runs' snapshots as ONE animation: a grid of panels, in step.

    Every panel (``figsize`` inches each) is encoded as a video of its own,
    and :func:`compose_grid` stacks them, ``columns`` wide, so that each
    frame shows every panel at the same snapshot. Where ffmpeg fails, one
    matplotlib figure with all the panels becomes a JavaScript player, and
    the reason is printed. Every panel must have the same number of frames.
    """
    if len(panels) == 0 or not all(isinstance(p, Panel) for p in panels):
        raise ValueError(
            f"panels must be a non-empty list of Panel, got {panels!r}"
        )
    positive_int("columns", columns)
    counts = [len(p.snapshots) for p in panels]
    if len(set(counts)) != 1:
        raise ValueError(
            f"panels must have the same number of frames, got {counts}"
        )
    _check_options(fps, prefer, timeout)
    reason = None
    if prefer == "video":
        try:
            parts = [
                _panel_video(
                    p, fps=fps, figsize=figsize, dpi=dpi, timeout=timeout
                )
                for p in panels
            ]
            # one panel is its own video; several are stacked into one
            grid = (
                parts[0][0]
                if len(parts) == 1
                else compose_grid(
                    [v for v, _ in parts], columns=columns, timeout=timeout
                )
            )
            (width, height), rows = (
                parts[0][1],
                math.ceil(len(panels) / columns),
            )
            html = video_html(
                grid, width * min(columns, len(panels)), height * rows
            )
            return Animation(
                html=html, kind="video", frames=counts[0], video=grid
            )
        except VideoError as err:
            reason = _fallback(str(err))
    return _grid_player(
        panels, columns, fps=fps, figsize=figsize, dpi=dpi, reason=reason
    )
