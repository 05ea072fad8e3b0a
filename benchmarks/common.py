"""Shared by the benchmark scripts: the machine's description and JSON output."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "gpu": torch.cuda.get_device_name(0)
        if torch.cuda.is_available()
        else None,
        "date": time.strftime("%Y-%m-%d"),
    }
    try:
        info["memory_gib"] = round(
            os.sysconf("SC_PAGE_SIZE")
            * os.sysconf("SC_PHYS_PAGES")
            / 2**30,
            1,
        )
    except (ValueError, OSError):
        pass
    return info


def write_json(name: str, payload: dict) -> Path:
    """Write ``benchmarks/<name>.json`` (machine info included) and return its path."""
    path = HERE / f"{name}.json"
    path.write_text(
        json.dumps({"machine": machine(), **payload}, indent=1) + "\n"
    )
    print(f"wrote {path}")
    return path


def table(rows: list[dict], columns: list[str]) -> str:
    """A plain-text table of ``rows`` (dicts) restricted to ``columns``."""
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [
        max(len(c), *(len(row[i]) for row in cells))
        for i, c in enumerate(columns)
    ]

    def line(values):
        return "  ".join(v.ljust(w) for v, w in zip(values, widths))

    return "\n".join(
        [
            line(columns),
            line(["-" * w for w in widths]),
            *(line(r) for r in cells),
        ]
    )
