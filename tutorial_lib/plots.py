"""Figures and tables every chapter needs. Each figure function draws on an
``ax`` (made if not given) and returns it; none calls ``plt.show``.
:func:`table` turns rows of values into a table a notebook displays."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from tutorial_lib.checks import non_negative_int
from tutorial_lib.fit_types import History

RED, BLUE, GREEN = "#d1495b", "#2e86ab", "#66a182"
COLORS = {
    "noisy": "#9aa5b1",
    "clean": "#1f2933",
    "pred": RED,
    "red": RED,
    "blue": BLUE,
    "green": GREEN,
}
"""The book's colours: the roles of :func:`plot_denoising`'s lines, and three
named colours for anything else that needs telling apart."""


def _ax(ax, figsize=(6, 3)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_denoising(
    noisy: np.ndarray | None,
    clean: np.ndarray | None,
    pred: np.ndarray | None = None,
    *,
    x: np.ndarray | None = None,
    ax=None,
    title: str | None = None,
):
    """One sequence: noisy input, clean signal and (optionally) the prediction, each ``(time,)``."""
    ax = _ax(ax)
    series = [
        ("noisy", noisy, dict(lw=1)),
        ("clean", clean, dict(lw=2)),
        ("pred", pred, dict(lw=1.8, ls="--")),
    ]
    for name, values, style in series:
        if values is not None:
            values = np.asarray(values).reshape(-1)
            t = np.arange(len(values)) if x is None else x
            label = {
                "noisy": "noisy input",
                "clean": "clean signal",
                "pred": "prediction",
            }[name]
            ax.plot(t, values, color=COLORS[name], label=label, **style)
    ax.set_xlabel("time step" if x is None else "x")
    ax.legend(loc="upper right", fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def plot_losses(
    histories: Mapping[str, History],
    *,
    ax=None,
    which: str = "train",
    per: str = "epoch",
    log: bool = True,
    ylabel: str | None = None,
):
    """Loss curves, one line per labelled history.

    ``which="train"`` plots the training loss (``per="epoch"`` or ``"step"``),
    ``which="eval"`` the evaluation loss at its epochs.
    """
    if which not in ("train", "eval") or per not in ("epoch", "step"):
        raise ValueError(
            "which must be 'train' or 'eval', per 'epoch' or 'step'"
        )
    ax = _ax(ax)
    for label, h in histories.items():
        if which == "eval":
            ax.plot(h.eval_epochs, h.eval_loss, label=label)
        else:
            values = h.epoch_loss if per == "epoch" else h.step_loss
            ax.plot(np.arange(1, len(values) + 1), values, label=label)
    ax.set_xlabel(
        "epoch" if (which == "eval" or per == "epoch") else "step"
    )
    ax.set_ylabel(ylabel or f"{which} loss")
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize="small")
    return ax


def loss_curves(
    history: History,
    *,
    ax=None,
    train_label: str = "training (full batch)",
    eval_label: str = "test",
    ylabel: str = "L1 loss",
):
    """One run's training loss per iteration and its evaluation loss, on a log
    scale: Part I's figure of a model's training (``epoch_loss`` ``(epochs,)``,
    ``eval_loss`` at ``eval_epochs``)."""
    ax = _ax(ax)
    epochs = np.arange(1, len(history.epoch_loss) + 1)
    ax.plot(epochs, history.epoch_loss, label=train_label)
    ax.plot(
        history.eval_epochs, history.eval_loss, "o-", ms=3, label=eval_label
    )
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.set_yscale("log")
    ax.legend(fontsize="small")
    return ax


def per_step_error(pred: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """Mean absolute error at each time step over a set of sequences: ``(n, T) -> (T,)``."""
    pred, clean = (
        np.asarray(pred).reshape(len(pred), -1),
        np.asarray(clean).reshape(len(clean), -1),
    )
    if pred.shape != clean.shape:
        raise ValueError(
            f"pred {pred.shape} and clean {clean.shape} differ"
        )
    return np.abs(pred - clean).mean(axis=0)


def plot_per_step_error(
    errors: Mapping[str, np.ndarray],
    *,
    ax=None,
    ylabel: str = "mean |error|",
):
    """Error against time step, one line per label: ``{"RNN": (T,), ...}``."""
    ax = _ax(ax)
    for label, values in errors.items():
        ax.plot(np.arange(len(values)), values, label=label)
    ax.set_xlabel("time step")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return ax


def sample_grid(
    rows: Sequence[np.ndarray],
    row_labels: Sequence[str],
    *,
    x: np.ndarray | None = None,
    columns: int = 3,
    figsize_per: tuple[float, float] = (3.2, 1.6),
):
    """A grid of sequences: row ``r`` draws the first ``columns`` rows of ``rows[r]`` ``(n, T)``.

    Returns the figure.
    """
    fig, axes = plt.subplots(
        len(rows),
        columns,
        figsize=(figsize_per[0] * columns, figsize_per[1] * len(rows)),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    for r, (values, label) in enumerate(zip(rows, row_labels)):
        for c in range(columns):
            t = np.arange(values.shape[1]) if x is None else x
            axes[r, c].plot(t, values[c], lw=1, color=COLORS["clean"])
            axes[r, c].set_title(
                f"{label}, sample {c + 1}", fontsize="small"
            )
    return fig


@dataclass(frozen=True)
class Table:
    """A table as Markdown text; a notebook shows it as a table (as a
    cell's last value or with ``IPython.display.display``)."""

    markdown: str

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __str__(self) -> str:
        return self.markdown


def table(
    rows: Sequence[Mapping[str, object]], *, digits: int = 4
) -> Table:
    """A table of ``rows``, one mapping from column name to value a row.

    The columns are the first row's keys, in order; every row must have the
    same. Floats show ``digits`` decimals, integers thousands separators,
    anything else its ``str``; columns of numbers are right-aligned.
    """
    digits = non_negative_int("digits", digits)
    if isinstance(rows, (str, Mapping)) or not isinstance(rows, Sequence):
        raise ValueError(
            f"rows must be a list of mappings (column -> value), got {rows!r}"
        )
    if not rows or not all(isinstance(row, Mapping) for row in rows):
        raise ValueError(
            "rows must be a non-empty list of mappings (column -> value), "
            f"got {rows!r}"
        )
    columns = list(rows[0])
    for i, row in enumerate(rows):
        if list(row) != columns:
            raise ValueError(
                f"rows[{i}] has the columns {list(row)}; every row must "
                f"have the first row's, {columns}"
            )
    numeric = [all(_is_number(row[c]) for row in rows) for c in columns]
    lines = [
        [_cell(str(c), digits) for c in columns],
        ["---:" if n else "---" for n in numeric],
        *([_cell(row[c], digits) for c in columns] for row in rows),
    ]
    return Table("\n".join(f"| {' | '.join(line)} |" for line in lines))


def _is_number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _cell(value, digits: int) -> str:
    """One cell's text: ``|`` escaped, numbers formatted."""
    if isinstance(value, Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    if _is_number(value):
        return f"{float(value):.{digits}f}"
    return str(value).replace("|", "\\|")
