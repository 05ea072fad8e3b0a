"""The leaderboard page: every method of the book on both tasks, from the records.

:func:`leaderboard_markdown` turns the records the chapters wrote (the dicts of
:func:`tutorial_lib.records.record`) into one Markdown table: error, gap to
the oracle, parameter count and training (or tuning) time. Nothing in the
table is typed by hand; a method whose records are missing is listed under
the table instead.
"""

from __future__ import annotations

from dataclasses import dataclass

ALPHAS = (0.1, 0.2, 0.3, 0.4)


@dataclass(frozen=True)
class Row:
    """One method on one task; ``error`` holds one id, or with ``{alpha}`` one
    per noise level."""

    task: str
    method: str
    error: str
    params: str | None = None
    alphas: tuple[float, ...] = ()


def _task1(method, error, params=None):
    return Row("1: noisy sine (test L1)", method, error, params)


def _task2(method, error, params=None, alphas=ALPHAS):
    return Row(
        "2: two tones (validation MSE)", method, error, params, alphas
    )


ROWS = [
    _task1("offset oracle", "beyond/task1/oracle/test_l1"),
    _task1(
        "least-squares sine, known period", "beyond/task1/lsq_sine/test_l1"
    ),
    _task1("Savitzky-Golay", "beyond/task1/savgol/test_l1"),
    _task1("low-pass (Butterworth)", "beyond/task1/lowpass/test_l1"),
    _task1("moving average", "beyond/task1/moving_average/test_l1"),
    _task1(
        "RNN (the post's settings)",
        "part1/rnn/test_l1",
        "beyond/task1/params/rnn",
    ),
    _task1(
        "bidirectional RNN (the post's settings)",
        "part1/birnn/test_l1",
        "beyond/task1/params/birnn",
    ),
    _task1(
        "bidirectional GRU (the post's settings)",
        "part1/bigru/test_l1",
        "beyond/task1/params/bigru",
    ),
    _task1(
        "best learned model (Beyond)",
        "beyond/task1/best/test_l1",
        "beyond/task1/best/params",
    ),
    _task2("noisy input", "part2/noisy/alpha{alpha}/val_mse"),
    _task2("two-tone oracle", "beyond/task2/oracle/alpha{alpha}/val_mse"),
    _task2("Savitzky-Golay", "beyond/task2/savgol/alpha{alpha}/val_mse"),
    _task2(
        "low-pass (Butterworth)",
        "beyond/task2/lowpass/alpha{alpha}/val_mse",
    ),
    _task2(
        "moving average", "beyond/task2/moving_average/alpha{alpha}/val_mse"
    ),
    *[
        _task2(
            f"autoencoder d={d} (the book's settings)",
            f"part2/ae/d{d}/alpha{{alpha}}/val_mse",
            f"part2/model/d{d}/parameters",
        )
        for d in (2, 4, 6, 8)
    ],
    *[
        _task2(
            f"U-Net d={d} (Beyond)",
            f"beyond/task2/unet_d{d}/alpha{{alpha}}/val_mse",
            f"beyond/task2/params/unet_d{d}",
        )
        for d in (8,)
    ],
    _task2(
        "no bottleneck, d=1 (Beyond)",
        "beyond/task2/wide_d1/alpha{alpha}/val_mse",
        "beyond/task2/params/wide_d1",
    ),
]
ORACLE = {
    "1: noisy sine (test L1)": "beyond/task1/oracle/test_l1",
    "2: two tones (validation MSE)": "beyond/task2/oracle/alpha{alpha}/val_mse",
}


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


def _cells(
    row: Row, index: dict[str, dict]
) -> tuple[list, list, float | None] | None:
    """Per-level errors, per-level ratios to the oracle and the summed seconds;
    None if nothing was recorded."""
    levels = row.alphas or (None,)
    ids = [row.error.format(alpha=a) for a in levels]
    oracle_ids = [ORACLE[row.task].format(alpha=a) for a in levels]
    errors = [index[i]["value"] if i in index else None for i in ids]
    if all(e is None for e in errors):
        return None
    ratios = [
        e / index[o]["value"]
        if e is not None and o in index and index[o]["value"] > 0
        else None
        for e, o in zip(errors, oracle_ids)
    ]
    seconds = [
        index[i]["seconds"]
        for i in ids
        if i in index and index[i].get("seconds") is not None
    ]
    return errors, ratios, (sum(seconds) if seconds else None)


def _join(values: list, fmt) -> str:
    return " / ".join("–" if v is None else fmt(v) for v in values)


def leaderboard_markdown(records: list[dict]) -> str:
    """One Markdown table of every method x both tasks, from ``records``.

    Task 2's cells list the four noise levels alpha = 0.1 / 0.2 / 0.3 / 0.4;
    "–" marks a level (or a parameter count) with no record.

    Raises:
        ValueError: a record that is not a dict with ``id`` and ``value``.
    """
    index = _index(records)
    lines = [
        "| task | method | error | x oracle | parameters | time (s) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    missing = []
    for row in ROWS:
        cells = _cells(row, index)
        if cells is None:
            missing.append(f"{row.method} (task {row.task.split(':')[0]})")
            continue
        errors, ratios, seconds = cells
        params = (
            index.get(row.params, {}).get("value") if row.params else None
        )
        lines.append(
            f"| {row.task} | {row.method} | {_join(errors, lambda v: f'{v:.3g}')} | "
            f"{_join(ratios, lambda v: f'{v:.1f}')} | "
            f"{'–' if params is None else f'{params:,.0f}'} | "
            f"{'–' if seconds is None else _number(seconds)} |"
        )
    profiles = sorted({e.get("profile", "?") for e in index.values()})
    devices = sorted({e.get("device", "?") for e in index.values()})
    notes = [
        "",
        "Task 2 errors are given at the noise levels alpha = "
        f"{' / '.join(str(a) for a in ALPHAS)}. "
        "Time is what producing the numbers cost when they were recorded: training "
        "for a network (summed over noise levels), tuning for a filter, fitting for "
        f"an oracle. Profile: {', '.join(profiles) or 'none'}; "
        f"device: {', '.join(devices) or 'none'}.",
    ]
    if missing:
        notes += [
            "",
            "Not recorded in this build: " + "; ".join(missing) + ".",
        ]
    if len(lines) == 2:
        return (
            "No results have been recorded yet: build the chapters first.\n"
        )
    return "\n".join(lines + notes) + "\n"
