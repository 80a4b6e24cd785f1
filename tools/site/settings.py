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

from tools.pages import limits
from tools.pages.markup import fenced

ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
GITHUB = re.compile(r"github\.com[:/](?P<repository>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")


def repository() -> str | None:
    """The GitHub repository, "owner/name", this site belongs to, or None."""
    named = os.environ.get("GITHUB_REPOSITORY", "").strip()
    if named:
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", named):
            raise ValueError(f"GITHUB_REPOSITORY must look like owner/name, got {named!r}")
        return named
    remote = git("remote", "get-url", "origin")
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


PACKAGE = "pytorch-essential-training"  # the project's name in pyproject.toml: what pip installs


def repository_url(repo: str) -> str:
    return f"https://github.com/{repo}"


def install_target(repo: str | None, commit: str | None = None) -> str | None:
    """The pip requirement of the helper package, from the repository the site is built for, at
    the commit it is built from (see `commit`): what the Set-up page tells readers to install,
    and what the notebooks install where it is missing, so that a notebook downloaded today
    installs next year the package its outputs were verified with. None without a repository
    (then install from a clone: `pip install -e .`)."""
    if not repo:
        return None
    return f"{PACKAGE} @ git+{repository_url(repo)}" + (f"@{commit}" if commit else "")


def commit() -> str | None:
    """The commit the site is built from: GITHUB_SHA in a workflow, else the clone's HEAD; None
    outside a git clone."""
    named = os.environ.get("GITHUB_SHA", "").strip()
    if named:
        if not re.fullmatch(r"[0-9a-f]{40}", named):
            raise ValueError(f"GITHUB_SHA must be a commit's 40 hex digits, got {named!r}")
        return named
    return git("rev-parse", "HEAD") or None


def uncommitted_changes() -> bool:
    """Whether the clone's tracked files differ from its HEAD (a build then names a commit
    that lacks what it shows)."""
    return bool(git("status", "--porcelain", "--untracked-files=no"))


def git(*args: str) -> str:
    """What a git command prints in the project's folder; "" where git fails or is missing."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=limits.COMMAND
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def colab_url(repo: str, notebook: str) -> str:
    """Colab opens the notebook from the published site's branch (gh-pages)."""
    return f"https://colab.research.google.com/github/{repo}/blob/gh-pages/{notebook}"


def cache_folder(name: str) -> Path:
    """A folder for build caches, outside the work tree: $XDG_CACHE_HOME (or ~/.cache)/
    pytorch-essential-training/<name>. Its content is only ever a copy of what a build makes."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "pytorch-essential-training" / name


def requirement(name: str) -> str:
    """The project's own requirement for `name` (e.g. "torch>=2.6"), from its installed metadata."""
    from importlib.metadata import requires

    found = [r.split(";")[0].strip() for r in requires(PACKAGE) or [] if r.startswith(name)]
    wanted = [r for r in found if r[len(name) :][:1] in "<>=!~ "]
    if not wanted:
        raise LookupError(f"{PACKAGE} does not require {name}; see pyproject.toml")
    return wanted[0].split()[0]


def install_block(target: str | None, language: str = "en") -> str:
    """The Set-up page's one install line for the helper package's pip requirement `target`
    (`install_target`), as a fenced block (or, without one, how to install from a clone)."""
    from tools.site.site_text import text

    if target is None:
        return text(language, "no repository install")
    # One command on two lines (the backslash goes on); `.wrap` lets a long repository URL wrap
    # (docs/stylesheets/extra.css) rather than hide its end.
    torch = f'"{requirement("torch")}" "{requirement("torchvision")}"'
    return fenced(f'pip install {torch} \\\n    "{target}"', " { .bash .wrap }")


def clone_block(repo: str | None, language: str = "en") -> str:
    """The commands that clone the project and serve the site (or, without a repository, what to
    do in a clone)."""
    from tools.site.site_text import text

    serve = f"make serve   # {text(language, 'serve comment')}"
    if repo is None:
        return f"{text(language, 'no repository clone')}\n\n{fenced(serve, 'bash')}"
    clone = f"git clone {repository_url(repo)}.git\ncd {repo.split('/')[1]}"
    return fenced(f"{clone}\n{serve}", " { .bash .wrap }")
