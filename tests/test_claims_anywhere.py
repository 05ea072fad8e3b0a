"""benchmarks/claims_anywhere.py: what a build's claims say of their margins."""

import math
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import claims_anywhere  # noqa: E402


def test_margins_are_listed_smallest_first_exact_and_unmeasured_last():
    claims = [
        {"chapter": "b", "statement": "exact", "margin": math.inf},
        {"chapter": "a", "statement": "wide", "margin": 0.5},
        {"chapter": "c", "statement": "plain bool", "margin": None},
        {"chapter": "a", "statement": "close", "margin": 0.0123},
    ]
    assert claims_anywhere.margins(claims) == [
        "1.2% a: close",
        "50.0% a: wide",
        "exact b: exact",
        "none c: plain bool",
    ]


def test_a_build_s_commit_is_read_from_its_own_folder(tmp_path):
    def git(*args):
        return subprocess.run(
            ["git", "-C", str(tmp_path), *args],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    git("init", "-q")
    (tmp_path / "f").write_text("x")
    git("add", "f")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "m")
    assert claims_anywhere.folder_commit(tmp_path) == git(
        "rev-parse", "--short", "HEAD"
    )


def test_a_build_replaces_its_own_kind_and_keeps_another_machine_s(
    tmp_path,
):
    out = tmp_path / "claims_anywhere_full.json"

    def entry(name, avx512, commit):
        return {
            "build": name,
            "machine": {"avx512": avx512},
            "commit": commit,
        }

    claims_anywhere.write_report(
        out,
        {"builds": [entry("native", True, "a"), entry("seed1", True, "a")]},
    )
    claims_anywhere.write_report(
        out, {"builds": [entry("native", False, "b")]}
    )
    claims_anywhere.write_report(
        out, {"builds": [entry("native", False, "c")]}
    )
    kept = claims_anywhere.json.loads(out.read_text())["builds"]
    assert [(b["build"], b["commit"]) for b in kept] == [
        ("native", "a"),
        ("seed1", "a"),
        ("native", "c"),
    ]


def test_the_machine_of_a_build_names_its_cpu_and_kernels():
    machine = claims_anywhere.this_machine()
    assert machine["avx512"] == claims_anywhere.has_avx512()
    assert isinstance(machine["cpu"], str) and machine["cpu"]
    assert machine["cores"] >= 1


def _saved_run(path, seed, weight):
    import numpy as np
    import torch

    torch.save(
        {
            "config": {"seed": seed},
            "result": {
                "state_dict": {"w": torch.tensor([weight])},
                "test_pred": np.array([weight]),
                "seconds": 1.0 + seed,
            },
        },
        path,
    )


def test_a_kernels_build_copies_part1_but_its_witness_and_compares_it(
    tmp_path,
):
    source, folder = tmp_path / "native", tmp_path / "kernels"
    for build in (source, folder):
        (build / ".venv" / "bin").mkdir(parents=True)
        python = build / ".venv" / "bin" / "python"
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        python.chmod(0o755)
    runs = source / "_build" / "artifacts" / "full"
    runs.mkdir(parents=True)
    _saved_run(runs / "part1-rnn-aa.pt", 2, 0.5)
    _saved_run(runs / "part1-rnn-bb.pt", 0, 0.25)
    _saved_run(runs / "part1-rnn-ee.pt", 1, 0.125)
    _saved_run(runs / "part1-bigru-cc.pt", 0, 0.75)
    _saved_run(runs / "part2-ae-dd.pt", 0, 1.0)

    witnesses = claims_anywhere.copy_recurrent_runs(source, folder, "full")

    assert witnesses == ["part1-rnn-bb.pt", "part1-rnn-ee.pt"]
    witness = witnesses[0]
    copied = folder / "_build" / "artifacts" / "full"
    assert sorted(f.name for f in copied.iterdir()) == [
        "part1-bigru-cc.pt",
        "part1-rnn-aa.pt",
    ]
    # not trained yet
    assert not claims_anywhere.witness_identical(
        source, folder, "full", witness
    )
    _saved_run(copied / witness, 0, 0.25)
    assert claims_anywhere.witness_identical(
        source, folder, "full", witness
    )
    _saved_run(copied / witness, 0, 0.25 + 2**-20)
    assert not claims_anywhere.witness_identical(
        source, folder, "full", witness
    )
