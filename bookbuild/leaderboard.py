"""The leaderboard page: every method of the book on both tasks, from the records.

:func:`leaderboard_markdown` turns the records the chapters wrote (the dicts of
:func:`tutorial_lib.bookkeeping.records.record`) into one Markdown table a task, one
number a cell: what kind of method it is, its error, its error as a multiple
of the best classical filter's on the same data, parameter count and
training (or tuning) time.
Nothing in the table is typed by hand; a method whose records are missing is
listed under the table instead.

Kinds: ``none`` (the noisy input), ``limit`` (the best any method can do,
knowing how the data were made), ``model-based`` (knows the data's form but
is not the limit), ``classical`` (a filter or fit tuned on the training
split), ``network``. The ratio column divides by the
lowest ``classical`` error recorded at that noise level: below 1.0, a method
beats every classical filter.
"""

from __future__ import annotations

from dataclasses import dataclass

ALPHAS = (0.1, 0.2, 0.3, 0.4)
KINDS = ("none", "limit", "model-based", "classical", "network")
TASK1 = "1: noisy sine (test L1)"
TASK2 = "2: two tones (validation MSE)"


@dataclass(frozen=True)
class Row:
    """One method on one task; ``error`` holds one id, or with ``{alpha}`` one
    per noise level. ``kind`` is one of :data:`KINDS`."""

    task: str
    kind: str
    method: str
    error: str
    params: str | None = None
    alphas: tuple[float, ...] = ()


def _task1(kind, method, error, params=None):
    return Row(TASK1, kind, method, error, params)


def _task2(kind, method, error, params=None, alphas=ALPHAS):
    return Row(TASK2, kind, method, error, params, alphas)


def _t1(name):
    return f"beyond/task1/{name}/test_l1"


def _t2(name):
    return f"beyond/task2/{name}/alpha{{alpha}}/val_mse"


CLASSICAL = [
    ("Wiener filter", "wiener"),
    ("Savitzky-Golay", "savgol"),
    ("low-pass (Butterworth)", "lowpass"),
    ("moving average", "moving_average"),
    ("fitted gain", "gain"),
]
"""The classical filters of both tasks, in the order the tables list them:
(label, the method's part of the record id)."""

TASK2_CLASSICAL = [
    ("singular-spectrum analysis, rank 4", "ssa"),
    ("linear MMSE (256 x 256 map)", "linear_mmse"),
    ("wavelet shrinkage (SureShrink)", "wavelet"),
]
"""The classical methods of the two-tone task only (Beyond ch.1)."""

ROWS = [
    _task1("none", "noisy input", _t1("noisy_input")),
    _task1("limit", "minimax offset matcher (exact)", _t1("minimax")),
    _task1(
        "model-based",
        "least-squares offset matcher (Gaussian-optimal)",
        _t1("ls_offset"),
    ),
    _task1(
        "classical", "least-squares sine, known period", _t1("lsq_sine")
    ),
    *[_task1("classical", label, _t1(key)) for label, key in CLASSICAL],
    *[
        _task1(
            "network",
            f"{label} (the post's settings)",
            f"part1/{key}/test_l1",
            f"beyond/task1/params/{key}",
        )
        for key, label in [
            ("rnn", "RNN"),
            ("birnn", "bidirectional RNN"),
            ("bigru", "bidirectional GRU"),
        ]
    ],
    _task1(
        "network",
        "best learned model (Beyond)",
        _t1("best"),
        "beyond/task1/best/params",
    ),
    _task2("none", "noisy input", "part2/noisy/alpha{alpha}/val_mse"),
    _task2("limit", "posterior mean (Bayes limit)", _t2("bayes")),
    _task2("model-based", "least-squares two-tone fit", _t2("oracle")),
    *[
        _task2("classical", label, _t2(key))
        for label, key in TASK2_CLASSICAL + CLASSICAL
    ],
    *[
        _task2(
            "network",
            f"autoencoder d={d} (the book's settings)",
            f"part2/ae/d{d}/alpha{{alpha}}/val_mse",
            f"part2/model/d{d}/parameters",
        )
        for d in (2, 4, 6, 8)
    ],
    _task2(
        "network",
        "U-Net d=8 (Beyond)",
        _t2("unet_d8"),
        "beyond/task2/params/unet_d8",
    ),
    _task2(
        "network",
        "DnCNN-style, dilated (Beyond)",
        _t2("dncnn"),
        "beyond/task2/params/dncnn",
    ),
    _task2(
        "network",
        "tone templates, learned (Beyond)",
        _t2("templates"),
        "beyond/task2/params/templates",
    ),
    _task2(
        "network",
        "no bottleneck, d=1 (Beyond)",
        _t2("wide_d1"),
        "beyond/task2/params/wide_d1",
    ),
]


def _index(records: list[dict]) -> dict[str, dict]:
    index = {}
    for entry in records:
        if (
            not isinstance(entry, dict)
            or "id" not in entry
            or "value" not in entry
        ):
            raise ValueError(
                "each record must be a dict with at least 'id' and 'value', "
                f"got {entry!r}"
            )
        index[entry["id"]] = entry
    return index


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _errors(row: Row, index: dict[str, dict]) -> list[float | None]:
    """The row's error per noise level (one entry for task 1), None where
    nothing was recorded."""
    ids = [row.error.format(alpha=a) for a in (row.alphas or (None,))]
    return [index[i]["value"] if i in index else None for i in ids]


def best_classical(task: str, index: dict[str, dict]) -> list[float | None]:
    """Per noise level, the lowest error of the task's ``classical`` rows."""
    rows = [r for r in ROWS if r.task == task and r.kind == "classical"]
    columns = zip(*(_errors(r, index) for r in rows))
    return [
        min((v for v in level if v is not None), default=None)
        for level in columns
    ]


def _cells(
    row: Row, index: dict[str, dict], best: list[float | None]
) -> tuple[list, list, float | None] | None:
    """Per-level errors, per-level ratios to the best classical error and the
    summed seconds; None if nothing was recorded."""
    levels = row.alphas or (None,)
    ids = [row.error.format(alpha=a) for a in levels]
    errors = _errors(row, index)
    if all(e is None for e in errors):
        return None
    ratios = [
        e / b if e is not None and b is not None and b > 0 else None
        for e, b in zip(errors, best)
    ]
    seconds = [
        index[i]["seconds"]
        for i in ids
        if i in index and index[i].get("seconds") is not None
    ]
    return errors, ratios, (sum(seconds) if seconds else None)


def _cell(value: float | None, fmt: str) -> str:
    return "–" if value is None else format(value, fmt)


def _table(task: str, index: dict, best: list, missing: list) -> list[str]:
    """The task's rows as Markdown, one number a cell. Task 1: one table
    (error, ratio to the best classical filter, parameters, time). Task 2:
    the errors, a column a noise level, with parameters and time; then the
    ratios in a table of their own, so that neither is wider than a page."""
    rows, ratios = [], []
    for row in (r for r in ROWS if r.task == task):
        cells = _cells(row, index, best)
        if cells is None:
            missing.append(f"{row.method} (task {row.task.split(':')[0]})")
            continue
        errors, ratio, seconds = cells
        params = (
            index.get(row.params, {}).get("value") if row.params else None
        )
        start = [row.kind, row.method, *(_cell(e, ".3g") for e in errors)]
        end = [
            _cell(params, ",.0f"),
            "–" if seconds is None else _number(seconds),
        ]
        shown = [_cell(r, ".1f") for r in ratio]
        if task == TASK2:
            rows.append(start + end)
            ratios.append([row.kind, row.method, *shown])
        else:
            rows.append(start + shown + end)
    if not rows:
        return []
    if task == TASK2:
        levels = [f"alpha = {a}" for a in ALPHAS]
        return [
            *_markdown(
                ["kind", "method", *levels, "parameters", "time (s)"], rows
            ),
            "",
            "The same errors divided by the best classical filter's at each "
            "noise level:",
            "",
            *_markdown(["kind", "method", *levels], ratios),
        ]
    head = ["kind", "method", "test L1", "x best classical"]
    return _markdown([*head, "parameters", "time (s)"], rows)


def _markdown(head: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table: text columns first (two), numbers right-aligned."""
    return [
        "| " + " | ".join(head) + " |",
        "| --- | --- |" + " ---: |" * (len(head) - 2),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def leaderboard_markdown(records: list[dict]) -> str:
    """One Markdown table a task, every method of the book, from ``records``.

    One number a cell: task 2 has a column a noise level for the error and
    for its ratio to the best classical filter; "–" marks a level (or a
    parameter count) with no record.

    Raises:
        ValueError: a record that is not a dict with ``id`` and ``value``.
    """
    index = _index(records)
    missing: list[str] = []
    tables = {
        task: _table(task, index, best_classical(task, index), missing)
        for task in (TASK1, TASK2)
    }
    if not any(tables.values()):
        return (
            "No results have been recorded yet: build the chapters first.\n"
        )
    lines = []
    for task, table in tables.items():
        if table:
            lines += [f"## Task {task}", "", *table, ""]
    profiles = sorted({e.get("profile", "?") for e in index.values()})
    devices = sorted({e.get("device", "?") for e in index.values()})
    lines.append(
        "Time is what producing the numbers cost when they were recorded: "
        "training for a network (summed over noise levels), tuning for a "
        'filter, fitting for a method of kind limit. "x best classical" '
        "divides each error by the lowest error of a classical method on the "
        "same data and noise level (below 1.0: better than every classical "
        f"method). Profile: {', '.join(profiles) or 'none'}; "
        f"device: {', '.join(devices) or 'none'}."
    )
    if missing:
        lines += [
            "",
            "Not recorded in this build: " + "; ".join(missing) + ".",
        ]
    return "\n".join(lines) + "\n"
