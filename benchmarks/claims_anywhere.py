"""Does every claim hold on another CPU's kernels and another base seed?

    python3 benchmarks/claims_anywhere.py [--builds native kernels seed1] [--profile full]

Builds the whole book (`make book`) from a fresh clone of this repository's
HEAD, once per build asked for, each in its own folder under --work:

* ``native``: as `make book` builds it on this machine;
* ``kernels``: with another set of oneDNN convolution kernels
  (``ONEDNN_MAX_CPU_ISA=AVX2`` on a CPU with AVX-512, ``SSE41`` on one
  without): the float rounding of another CPU kind, on this one;
* ``seed1``: `make book SEED=1`, every chapter from base seed 1. Listed
  after ``native`` (or with ``--resume`` when a native folder is there), it
  runs in the native build's folder, as a maintainer would run it after
  `make book`: the saved runs the two base seeds share (seeds 1 and 2 of
  the seeded grids) are reused, the rest are trained.

The build stops at the first claim that fails (claims are strict there), so
a build that passes held every claim. For each build the script keeps its
wall time, its exit status, the claims it checked (``_build/claims.json``)
and the last lines of its log, and writes them to
``benchmarks/claims_anywhere_<profile>.json`` after each build, with the
commit and the machine it ran on, so an interrupted run keeps the builds it
finished; the builds already in that file (an earlier run's, a parallel
one's, another CPU kind's) are kept, except one of the same name on the same
CPU kind, which the new build replaces. ``--resume`` builds in the
folders a stopped run left (after pulling HEAD into them), so their saved
runs and executed chapters are reused. A full build takes one to two hours
on a 2-core CPU; three take three times that.

``--recurrent-from FOLDER`` (``kernels`` builds only) saves Part I's
training, about three quarters of an hour on 2 cores: Part I's recurrent
layers use no oneDNN kernel, so the other kernel set trains them bit for bit
as the native build did, and the build starts with FOLDER's saved Part I
runs, all but two witnesses (the plain RNN at seeds 0 and 1), which it
trains again and which must come out bit for bit the same as FOLDER's
(reported as ``"recurrent witnesses identical"``). Two, so that the build
trains them in two worker processes, as the native build trained every Part
I run: the same run trained in the chapter's own process comes out
different in the last bit after a few steps, whatever the kernels.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def has_avx512() -> bool:
    """Whether this CPU has AVX-512 (Linux: /proc/cpuinfo's flags)."""
    try:
        return "avx512f" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def cpu_name() -> str:
    """The CPU's model name (Linux: /proc/cpuinfo), else the architecture."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else platform.machine()


def this_machine() -> dict:
    """What a build ran on: CPU model, AVX-512 or not, cores, date."""
    return {
        "cpu": cpu_name(),
        "avx512": has_avx512(),
        "cores": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }


def build_settings(name: str) -> tuple[dict[str, str], list[str]]:
    """The environment and the extra make arguments of one build."""
    if name == "native":
        return {}, []
    if name == "kernels":
        return {
            "ONEDNN_MAX_CPU_ISA": "AVX2" if has_avx512() else "SSE41"
        }, []
    if name.startswith("seed") and name[4:].isdigit():
        return {}, [f"SEED={name[4:]}"]
    raise SystemExit(
        f"unknown build {name!r}; expected native, kernels or seed<N>"
    )


def chapter_times(folder: Path, label: str) -> dict[str, float | None]:
    """Execution seconds of every chapter in the build's execution cache
    (read with the clone's own environment, which has jupyter-cache)."""
    code = (
        "import json, sys; from pathlib import Path;"
        "from jupyter_cache import get_cache;"
        "c = get_cache(sys.argv[1]);"
        "print(json.dumps({Path(r.uri).stem: (r.data or {}).get("
        "'execution_seconds') for r in c.list_cache_records()}))"
    )
    cache = folder / "_build" / f".jupyter_cache-{label}"
    done = subprocess.run(
        [str(folder / ".venv" / "bin" / "python"), "-c", code, str(cache)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        return {}
    return {
        k: (round(v, 1) if v else None)
        for k, v in sorted(json.loads(done.stdout).items())
    }


def recorded_claims(folder: Path, label: str) -> list[dict]:
    """The build's claims: ``_build/claims.json`` when the build got that
    far, else the claim records the chapters wrote before it stopped."""
    listed = folder / "_build" / "claims.json"
    claims = json.loads(listed.read_text()) if listed.is_file() else []
    if claims:
        return claims
    records = folder / "_build" / "records" / label
    return [
        json.loads(f.read_text())
        for f in sorted(records.glob("*/claim-*.json"))
    ]


def prepare(folder: Path, resume: bool) -> None:
    """A fresh clone of HEAD in ``folder``; with ``resume``, an existing
    clone there is brought to HEAD instead, keeping its saved runs."""
    if resume and (folder / ".git").is_dir():
        subprocess.run(
            [
                "git",
                "-C",
                str(folder),
                "pull",
                "--quiet",
                str(ROOT),
                "HEAD",
            ],
            check=True,
        )
        return
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    subprocess.run(
        ["git", "clone", "--quiet", str(ROOT), str(folder)], check=True
    )


RECURRENT_RUNS = "part1-*.pt"

# run in a build folder's own environment (it has torch): print the seed of
# each saved run named, or whether two saved runs hold the same weights and
# predictions to the last bit
SEEDS_CODE = (
    "import json, sys, torch;"
    "print(json.dumps({f: torch.load(f, weights_only=False)['config']"
    "['seed'] for f in sys.argv[1:]}))"
)
SAME_CODE = (
    "import sys, numpy, torch;"
    "a, b = (torch.load(f, weights_only=False)['result'] for f in sys.argv[1:]);"
    "w = a['state_dict'].keys() == b['state_dict'].keys() and all("
    "torch.equal(a['state_dict'][k], b['state_dict'][k]) for k in a['state_dict']);"
    "print(w and numpy.array_equal(a['test_pred'], b['test_pred']))"
)


def venv_python(folder: Path, code: str, *args: str) -> str:
    """Run ``code`` with ``folder``'s own Python (its .venv); its stdout."""
    return subprocess.run(
        [str(folder / ".venv" / "bin" / "python"), "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def copy_recurrent_runs(
    source: Path, folder: Path, profile: str
) -> list[str]:
    """Copy ``source``'s saved Part I runs into ``folder``'s artifacts, all
    but the witnesses, the plain RNN at seeds 0 and 1, which the build
    trains again; returns the witnesses' file names."""
    runs = source / "_build" / "artifacts" / profile
    rnns = sorted(str(f) for f in runs.glob("part1-rnn-*.pt"))
    seeds = json.loads(venv_python(source, SEEDS_CODE, *rnns))
    witnesses = sorted(
        Path(f).name for f, s in seeds.items() if s in (0, 1)
    )
    target = folder / "_build" / "artifacts" / profile
    target.mkdir(parents=True, exist_ok=True)
    for run in runs.glob(RECURRENT_RUNS):
        if run.name not in witnesses:
            shutil.copy2(run, target / run.name)
    return witnesses


def witness_identical(
    source: Path, folder: Path, profile: str, witness: str
) -> bool:
    """Whether the witness run trained in ``folder`` holds, to the last bit,
    the weights and test predictions of ``source``'s."""
    ours = folder / "_build" / "artifacts" / profile / witness
    if not ours.is_file():
        return False
    theirs = source / "_build" / "artifacts" / profile / witness
    return (
        venv_python(folder, SAME_CODE, str(ours), str(theirs)).strip()
        == "True"
    )


def resumed_native(work: Path) -> Path | None:
    """The native build's folder under ``work`` when an earlier run left a
    clone there (``--resume``: a seed build then reuses its saved runs)."""
    folder = work / "native"
    return folder if (folder / ".git").is_dir() else None


def run_build(
    name: str,
    profile: str,
    work: Path,
    reuse: Path | None = None,
    resume: bool = False,
    recurrent_from: Path | None = None,
) -> dict:
    """Clone HEAD into ``work/name`` (or build in ``reuse``, a finished
    build's folder), run `make book` there, report."""
    env_extra, make_args = build_settings(name)
    folder = reuse or work / name
    # cold: a new clone, nothing saved; else an earlier build's runs are
    # reused (a folder resumed, or Part I's runs copied in)
    cold = not (
        (folder / ".git").is_dir() and (resume or reuse is not None)
    ) and not (recurrent_from and name == "kernels")
    if reuse is None or resume:
        prepare(folder, resume)
    witnesses = (
        copy_recurrent_runs(recurrent_from, folder, profile)
        if recurrent_from and name == "kernels"
        else []
    )
    log = folder / f"build-{name}.log"
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(
            ["make", "book", f"PROFILE={profile}", *make_args],
            cwd=folder,
            env={**os.environ, **env_extra},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    seconds = time.perf_counter() - started
    label = profile + "".join(f"-seed{a[5:]}" for a in make_args)
    claims = recorded_claims(folder, label)
    copied = {}
    if witnesses:
        copied = {
            "recurrent runs from": str(recurrent_from),
            "recurrent witnesses identical": {
                w: witness_identical(recurrent_from, folder, profile, w)
                for w in witnesses
            },
        }
    return {
        "build": name,
        "folder": str(folder),
        "env": env_extra,
        "make": make_args,
        "returncode": done.returncode,
        "cold": cold,
        "seconds (venv included)": round(seconds, 1),
        "claims": len(claims),
        "claims held": sum(bool(c.get("held")) for c in claims),
        "failed": [c["statement"] for c in claims if not c.get("held")],
        "margins (smallest first)": margins(claims),
        "chapters (s)": chapter_times(folder, label),
        "log tail": log.read_text().splitlines()[-15:],
        **copied,
    }


def folder_commit(folder: Path) -> str:
    """The commit a build's folder was built at (it pulls HEAD when its
    build starts, so a later build of one run may be at a newer commit)."""
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=folder,
        capture_output=True,
        text=True,
    ).stdout.strip()


def margins(claims: list[dict]) -> list[str]:
    """Each claim's margin, how far it was from failing, smallest first:
    ``"12.3 % chapter: statement"`` (``exact`` for exact facts; claims
    recorded without a margin last)."""

    def key(claim: dict) -> float:
        margin = claim.get("margin")
        return math.inf if margin is None else margin

    def text(margin: float | None) -> str:
        if margin is None:
            return "none"
        return "exact" if math.isinf(margin) else f"{margin:.1%}"

    return [
        f"{text(c.get('margin'))} {c.get('chapter')}: {c.get('statement')}"
        for c in sorted(claims, key=key)
    ]


def same_build(a: dict, b: dict) -> bool:
    """Whether two entries are one build: same name on the same CPU kind."""
    return (a["build"], a["machine"]["avx512"]) == (
        b["build"],
        b["machine"]["avx512"],
    )


def write_report(out: Path, report: dict) -> None:
    """Write ``report`` to ``out``, keeping the builds that an earlier or a
    parallel run of this script wrote there, except those it redoes (same
    name on the same CPU kind): another machine's builds stay beside it."""
    earlier = json.loads(out.read_text())["builds"] if out.is_file() else []
    kept = [
        b
        for b in earlier
        if not any(same_build(b, new) for new in report["builds"])
    ]
    out.write_text(
        json.dumps({"builds": kept + report["builds"]}, indent=1) + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--builds", nargs="+", default=["native", "kernels", "seed1"]
    )
    parser.add_argument(
        "--profile", default="full", choices=["full", "smoke"]
    )
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/claims-anywhere")
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="build in the folders a stopped run left, keeping saved runs",
    )
    parser.add_argument(
        "--recurrent-from",
        type=Path,
        help="a finished build's folder whose Part I runs a kernels build "
        "reuses (all but two witnesses, trained again and compared)",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    out = ROOT / "benchmarks" / f"claims_anywhere_{args.profile}.json"
    report = {"builds": []}
    for name in args.builds:
        native = next(
            (b for b in report["builds"] if b["build"] == "native"), None
        )
        reuse = (
            Path(native["folder"])
            if name.startswith("seed")
            and native
            and not native["returncode"]
            else None
        )
        if name.startswith("seed") and args.resume and not native:
            reuse = resumed_native(args.work)
        result = run_build(
            name,
            args.profile,
            args.work,
            reuse,
            args.resume,
            args.recurrent_from,
        )
        result["commit"] = folder_commit(Path(result["folder"]))
        result["machine"] = this_machine()
        report["builds"].append(result)
        write_report(out, report)
        print(
            f"{name}: rc={result['returncode']}, {result['seconds (venv included)']:.0f} s, "
            f"{result['claims held']} of {result['claims']} claims held"
        )


if __name__ == "__main__":
    main()
