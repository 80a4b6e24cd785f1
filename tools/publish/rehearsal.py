"""`make publish-rehearsal`: the Pages workflow's steps, in order, here and offline.

    make publish-rehearsal                              # rehearsal-owner/pytorch-essential-training
    GITHUB_REPOSITORY=owner/name make publish-rehearsal # the site of another repository

It reads .github/workflows/docs.yml and runs each job's steps in a copy of the working tree (the
files git tracks or would add, as they are now, uncommitted edits included) in a temporary folder.
The copy is a git repository of its own whose `origin` is a bare repository beside it: the deploy
job pushes there instead of to GitHub. Then it checks what that gh-pages branch holds
(tools/publish/gh_pages.py, check_branch). The working tree is only read; the copy is removed after
a success and kept, for a look, after a failure.

What runs otherwise than on GitHub, and why (ACTIONS_HERE, RUNS_HERE):

    actions/checkout        the copy
    actions/setup-python    a virtual environment in the copy that links this project's .venv:
                            offline, the install step cannot be rehearsed
    actions/cache, upload-artifact, download-artifact
                            nothing: both jobs run in the one copy
    make outputs-real, pytest docs
                            the same runs on the stand-in: offline, no download
    pip install ghp-import  nothing: the linked environment has it
    CHROMIUM                the browser found here (tools/checks/site_checks.py, find_chromium)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.checks.chromium import find_chromium
from tools.pages import limits

ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
WORKFLOW = ROOT / ".github" / "workflows" / "docs.yml"
DEFAULT_REPOSITORY = "rehearsal-owner/pytorch-essential-training"

ACTIONS_HERE = {
    "actions/checkout": "the copy of the working tree",
    "actions/setup-python": "the copy's .venv, linked to this project's (no install)",
    "actions/cache": "nothing: no cache here",
    "actions/upload-artifact": "nothing: the deploy job runs in the same copy",
    "actions/download-artifact": "nothing: site/ is already there",
}
RUNS_HERE = {  # the workflow's command: (what runs here instead, or None; why)
    "make outputs-real": (
        "CIFAR10_STAND_IN=1 .venv/bin/python -m tools.publish.outputs",
        "on the stand-in: no download offline",
    ),
    ".venv/bin/python -m pytest docs": (
        "CIFAR10_STAND_IN=1 .venv/bin/python -m pytest docs",
        "on the stand-in, as the step before",
    ),
    "python -m pip install -c constraints.txt ghp-import": (
        None,
        "nothing: the linked .venv has ghp_import",
    ),
}


@dataclass
class Step:
    """One workflow step as it runs here: a bash script (None: nothing runs) and its settings."""

    name: str
    command: str | None
    env: dict[str, str]
    note: str = ""  # what differs from GitHub


def plan(workflow: Path = WORKFLOW) -> list[tuple[str, list[Step]]]:
    """Each job of the workflow, in order, with its steps as they run here.

    Raises:
        ValueError: for what the rehearsal cannot do as GitHub would (an action it does not know,
            a condition, an expression in a setting), or a RUNS_HERE entry the workflow lost.
    """
    spec = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    jobs, used = [], set()
    for job, body in spec["jobs"].items():
        needs = body.get("needs", [])
        for need in [needs] if isinstance(needs, str) else needs:
            if need not in [name for name, _ in jobs]:
                raise ValueError(f"job {job} needs {need}, which must come before it")
        env = {**spec.get("env", {}), **body.get("env", {})}
        steps = [rehearsed(step, env, used) for step in body["steps"]]
        jobs.append((job, steps))
    lost = set(RUNS_HERE) - used
    if lost:
        raise ValueError(f"the workflow no longer runs {sorted(lost)}: update RUNS_HERE")
    return jobs


def rehearsed(step: dict, job_env: dict, used: set[str]) -> Step:
    """One step as it runs here; records in `used` the RUNS_HERE entries it took."""
    name = step.get("name") or step.get("uses") or step["run"]
    if "if" in step:
        raise ValueError(f"step {name!r}: the rehearsal runs every step; it has no `if`")
    if "uses" in step:
        action = step["uses"].split("@")[0]
        if action not in ACTIONS_HERE:
            raise ValueError(f"step {name!r}: add what {action} does here to ACTIONS_HERE")
        return Step(name, None, {}, ACTIONS_HERE[action])
    env = {key: str(value) for key, value in {**job_env, **step.get("env", {})}.items()}
    if any("${{" in value for value in env.values()):
        raise ValueError(f"step {name!r}: an expression in its env; the rehearsal has none")
    command, note = step["run"].strip(), ""
    if command in RUNS_HERE:
        used.add(command)
        command, note = RUNS_HERE[command]
    return Step(name, command, env, note)


def copy_working_tree(copy: Path, remote: Path) -> None:
    """The files git tracks or would add, as they are now, in a repository of their own whose
    `origin` is the bare repository `remote`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=limits.GIT,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name, follow_symlinks=False)
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, timeout=limits.GIT)
    identity = ["-c", "user.name=rehearsal", "-c", "user.email=rehearsal@localhost"]
    for command in [
        ["init", "-q"],
        ["add", "-A"],
        [*identity, "commit", "-q", "-m", "The working tree, for the rehearsal"],
        ["remote", "add", "origin", remote.as_uri()],
    ]:
        subprocess.run(["git", *command], cwd=copy, check=True, timeout=limits.GIT)


def link_environment(target: Path) -> None:
    """A virtual environment at `target` that imports the copy's code and this project's
    installed packages, with the workflow linters: the make targets find it installed."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(target)
    packages = Path(sysconfig.get_path("purelib"))
    linked = target / packages.relative_to(sys.prefix)
    # Plain paths in a .pth file: the copy first, so that its snippets/ and tools/ are imported.
    (linked / "rehearsal.pth").write_text(f"{target.parent}\n{packages}\n", encoding="utf-8")
    here = Path(sys.prefix)
    for name in ["bin/zizmor", "npm"]:
        if (here / name).exists():
            (target / name).symlink_to(here / name)
    (target / ".installed").touch()  # newer than the copy's pyproject.toml: no install


def step_env(step: Step, copy: Path, repository: str, outputs: Path) -> dict[str, str]:
    """The environment of a step: this one's, less what GitHub would not have, plus its own."""
    env = {k: v for k, v in os.environ.items() if k not in ("CIFAR10_STAND_IN", "VIRTUAL_ENV")}
    env.update(step.env)
    env["PATH"] = f"{copy / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["GITHUB_REPOSITORY"] = repository
    env["GITHUB_OUTPUT"] = str(outputs)
    # nbconvert's templates and the kernel specs live under the linked environment's share/.
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    if "CHROMIUM" in step.env:
        env["CHROMIUM"] = find_chromium() or ""
    return env


def run_steps(jobs: list[tuple[str, list[Step]]], copy: Path, repository: str) -> list[str]:
    """Run every step in the copy; return one line per step with its time. Stops at a failure."""
    outputs, lines = copy.parent / "github-output", []
    for job, steps in jobs:
        for step in steps:
            print(f"\n==> {job}: {step.name}" + (f"  [here: {step.note}]" if step.note else ""))
            start = time.monotonic()
            if step.command is not None:
                print(f"$ {step.command}", flush=True)
                env = step_env(step, copy, repository, outputs)
                command = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step.command]
                limit = limits.scaled(limits.WORKFLOW_STEP)
                try:
                    done = subprocess.run(command, cwd=copy, env=env, timeout=limit.seconds)
                except subprocess.TimeoutExpired:
                    raise RuntimeError(f"{job}: {step.name!r} took over {limit}") from None
                if done.returncode != 0:
                    raise RuntimeError(f"{job}: {step.name!r} exited {done.returncode}")
            lines.append(f"{time.monotonic() - start:7.0f} s  {job}: {step.name}")
            print(f"<== {lines[-1].strip()}", flush=True)
    return lines


def rehearse(repository: str, folder: Path) -> list[str]:
    """The workflow in a copy of the working tree under `folder`, deploying to a bare repository
    there; returns the step times, or raises naming what failed."""
    copy, remote = folder / "repository", folder / "pages.git"
    copy_working_tree(copy, remote)
    link_environment(copy / ".venv")
    if find_chromium() is None:
        raise RuntimeError("the tests need Chromium: install it (Debian: apt-get install chromium)")
    lines = run_steps(plan(copy / ".github" / "workflows" / "docs.yml"), copy, repository)
    # Checked by the copy's own code (tools/publish/gh_pages.py, check_branch), which made the site.
    python = str(copy / ".venv" / "bin" / "python")
    check = [python, "-m", "tools.publish.gh_pages", "check", str(remote)]
    done = subprocess.run([*check, "--repository", repository], cwd=copy, timeout=limits.GIT)
    if done.returncode != 0:
        raise RuntimeError(f"what the deploy pushed to {remote} is not the site (above)")
    return lines


def main() -> int:
    repository = os.environ.get("GITHUB_REPOSITORY", "").strip() or DEFAULT_REPOSITORY
    folder = Path(tempfile.mkdtemp(prefix="pet-rehearsal-"))
    start = time.monotonic()
    try:
        lines = rehearse(repository, folder)
    except (RuntimeError, ValueError) as error:
        print(f"\nrehearsal failed: {error}\nthe copy is kept in {folder}", file=sys.stderr)
        return 1
    shutil.rmtree(folder)
    print("\nrehearsal passed:", *lines, sep="\n")
    print(f"{time.monotonic() - start:7.0f} s  in all; gh-pages holds the site for {repository}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
