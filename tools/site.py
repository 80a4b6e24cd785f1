"""Where the site and its notebooks are published: one setting, read from the environment.

    repository()   # "owner/name" on GitHub, or None
    site_url()     # the GitHub Pages address of that repository, or ""

The Pages workflow runs with GITHUB_REPOSITORY set by GitHub Actions; a local build reads the git
remote `origin` when it points to GitHub. With neither, there is no repository: the site has no
Colab links and the notebooks no install line, rather than links to a repository that isn't ours.
`make serve` sets SITE_URL to the local address.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GITHUB = re.compile(r"github\.com[:/](?P<repository>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")


def repository() -> str | None:
    """The GitHub repository, "owner/name", this site belongs to, or None."""
    named = os.environ.get("GITHUB_REPOSITORY", "").strip()
    if named:
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", named):
            raise ValueError(f"GITHUB_REPOSITORY must look like owner/name, got {named!r}")
        return named
    try:
        remote = subprocess.run(
            ["git", "remote", "get-url", "origin"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    found = GITHUB.search(remote)
    return found["repository"] if found else None


def site_url(repo: str | None) -> str:
    """SITE_URL if set, else the GitHub Pages address of `repo`, else ""."""
    if os.environ.get("SITE_URL", "").strip():
        return os.environ["SITE_URL"].strip().rstrip("/") + "/"
    if repo is None:
        return ""
    owner, name = repo.split("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def install_target(repo: str | None) -> str | None:
    """What the notebooks `pip install` where the helper package is missing."""
    return f"git+https://github.com/{repo}" if repo else None


def colab_url(repo: str, notebook: str) -> str:
    """Colab opens the notebook from the published site's branch (gh-pages)."""
    return f"https://colab.research.google.com/github/{repo}/blob/gh-pages/{notebook}"
