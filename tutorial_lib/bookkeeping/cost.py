"""What a chapter costs when it trains everything it uses.

In the book's build a chapter often reuses runs an earlier chapter trained,
so its own execution time says little about what a reader who opens it alone
waits for. Every saved run keeps its training time (``History.seconds``), so
the chapter adds up what the runs it obtained through ``part1.train_all`` and
``part2.train_grid`` cost to train, wherever they were trained (a run a
chapter trains with the cache directly counts when it trains there):

    alone = elapsed - time spent obtaining runs + their training time

:meth:`Run.stamp <tutorial_lib.bookkeeping.run.Run.stamp>` writes this to
``cost.json`` in the chapter's records folder, and the build's Colab editions
state it (``bookbuild/colab.py``). Runs trained in worker processes overlap,
so their training times are divided by the number of workers: the time on a
machine like the one that built the book.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from tutorial_lib.bookkeeping.files import write_text_atomically
from tutorial_lib.fit_types import History

COST_FILE = "cost.json"
"""The cost's file in a chapter's records folder; no record or claim has
this name (a record's name holds ``+``, a claim's starts ``claim-``)."""


def training_seconds(result: Any) -> float:
    """The training time of every :class:`History` in ``result`` (a run's
    result: a History, or dicts, lists and tuples holding them), summed."""
    if isinstance(result, History):
        return float(result.seconds)
    if isinstance(result, dict):
        return sum(training_seconds(v) for v in result.values())
    if isinstance(result, (list, tuple)):
        return sum(training_seconds(v) for v in result)
    return 0.0


def write_cost(
    folder: Path,
    *,
    elapsed: float,
    obtaining: float,
    training: float,
    device: str,
) -> dict[str, Any]:
    """Write the chapter's cost to ``folder / COST_FILE`` and return it.

    Args:
        elapsed: seconds the chapter ran.
        obtaining: seconds of those spent loading or training its runs.
        training: what training those runs cost, wherever they trained.
        device: what it ran on, e.g. ``"cpu (2 threads, x86_64)"``.
    """
    for name, value in [
        ("elapsed", elapsed),
        ("obtaining", obtaining),
        ("training", training),
    ]:
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(
                f"{name}={value!r}: expected a finite number of seconds >= 0"
            )
    cost = {
        "alone": round(max(elapsed - obtaining, 0.0) + training, 1),
        "elapsed": round(elapsed, 1),
        "obtaining runs": round(obtaining, 1),
        "training of its runs": round(training, 1),
        "device": device,
    }
    write_text_atomically(
        Path(folder) / COST_FILE, json.dumps(cost, indent=1)
    )
    return cost


def read_cost(folder: Path) -> dict[str, Any] | None:
    """The cost :func:`write_cost` left in ``folder`` (``"alone"``: seconds
    the chapter takes when it trains everything; ``"device"``), or None when
    there is none or it is unreadable."""
    try:
        cost = json.loads((Path(folder) / COST_FILE).read_text())
    except (OSError, ValueError):
        return None
    ok = isinstance(cost, dict) and isinstance(
        cost.get("alone"), (int, float)
    )
    return cost if ok else None
