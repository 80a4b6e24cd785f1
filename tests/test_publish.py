"""The deploy (tools/publish/gh_pages.py) pushes the built site to gh-pages as the Pages workflow's
deploy job does, into a bare repository here, and the checks read what the branch holds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tools.publish import gh_pages

pytestmark = [pytest.mark.site, pytest.mark.tooling]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def pushed(site, tmp_path_factory) -> tuple[Path, Path]:
    """The test build of the site deployed twice, as two runs of the workflow would: from a
    checkout whose `origin` is a bare repository (file://), fetched before each deploy."""
    folder = tmp_path_factory.mktemp("publish")
    remote, checkout = folder / "pages.git", folder / "checkout"
    git(folder, "init", "-q", "--bare", str(remote))
    git(folder, "init", "-q", str(checkout))
    git(checkout, "config", "user.name", "github-actions[bot]")
    git(checkout, "config", "user.email", "bot@localhost")
    git(checkout, "commit", "-q", "--allow-empty", "-m", "main")
    git(checkout, "remote", "add", "origin", remote.as_uri())
    for run in ["first", "second"]:
        git(checkout, "fetch", "-q", "origin")  # the workflow's checkout fetches every branch
        gh_pages.deploy(site, "origin", f"Deployed by the {run} run", checkout)
    return remote, checkout


def test_the_branch_holds_the_site_notebooks_and_links_of_its_repository(pushed, site_repository):
    remote, _ = pushed
    assert gh_pages.check_branch(remote, site_repository, gh_pages.chapters_with_notebooks()) == []
    assert gh_pages.main(["check", str(remote), "--repository", site_repository]) == 0


def test_a_deploy_goes_on_top_of_the_published_branch(pushed):
    remote, checkout = pushed
    messages = git(remote, "log", "--format=%s", gh_pages.BRANCH).splitlines()
    assert messages == ["Deployed by the second run", "Deployed by the first run"]
    assert git(checkout, "rev-parse", gh_pages.BRANCH) == git(remote, "rev-parse", gh_pages.BRANCH)


def test_the_checks_name_what_is_missing_or_for_another_repository(pushed):
    remote, _ = pushed
    problems = gh_pages.check_branch(remote, "someone/elsewhere", ["01-tensors", "99-missing"])
    colab = "https://colab.research.google.com/github/someone/elsewhere/blob/gh-pages/notebooks"
    assert problems == [
        'index.html has no <link rel="canonical" href="https://someone.github.io/elsewhere/">',
        "notebooks/99-missing/99-missing.ipynb missing",
        f"01-tensors/index.html has no link {colab}/01-tensors/01-tensors.ipynb",
        f"99-missing/index.html has no link {colab}/99-missing/99-missing.ipynb",
        "no notebook installs the helper package from github.com/someone/elsewhere",
    ]


def test_deploying_a_folder_that_is_not_a_built_site_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `make build` first"):
        gh_pages.deploy(tmp_path, "origin", "nothing", tmp_path)
