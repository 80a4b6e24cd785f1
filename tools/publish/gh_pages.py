"""Publish the built site to the gh-pages branch, and check what a branch holds.

    make build && make publish                                    # site/ to origin's gh-pages
    python -m tools.publish.gh_pages deploy site --remote origin  # the same (the workflow's)
    python -m tools.publish.gh_pages check pages.git --repository owner/name  # what gh-pages holds

`deploy` does what `mkdocs gh-deploy --force` does after its build: ghp_import commits the site
folder, with `.nojekyll`, onto the branch (on top of `REMOTE/gh-pages` when that was fetched) and
force-pushes it. The Pages workflow's deploy job, `make publish-rehearsal`
(tools/publish/rehearsal.py) and tests/test_publish.py all deploy through it; `check_branch` then
reads what the branch holds. This module needs only the standard library and ghp_import (a
dependency of MkDocs), so that the deploy job runs it without installing the project.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from tools.pages import limits
from tools.site import settings

ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
BRANCH = "gh-pages"  # Colab reads the notebooks from it (tools/site/settings.py, colab_url)
# Seconds a git command may take (reading the branch); the push itself may take longer: the whole
# site goes up (tens of MB on a slow link). A stuck credential prompt or network fails, not hangs.


def git(repo: Path, *args: str) -> str:
    """Run git in `repo`; return its output, or fail with git's own message."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, timeout=limits.GIT
        )
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"git {' '.join(args)} took over {limits.GIT} s in {repo}") from error
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {repo}:\n{done.stderr.strip()}")
    return done.stdout


def deploy(site_dir: Path, remote: str, message: str, repo: Path = ROOT) -> None:
    """Commit `site_dir` onto the gh-pages branch of `repo` and force-push it to `remote`.

    Args:
        site_dir: the built site (`make build` writes site/).
        remote: a remote name of `repo` (`origin`) or a URL (`file:///tmp/pages.git`).
        message: the commit message.
        repo: the git repository the commit is made in (it keeps a local gh-pages branch).
    """
    if not (Path(site_dir) / "index.html").is_file():
        raise FileNotFoundError(f"{site_dir}/index.html not found: run `make build` first")
    # ghp_import works in the current folder: a child process gets `repo` as its own, without
    # moving this process's. The arguments are those gh-deploy passes (nojekyll, push, force).
    command = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--push", "--force"]
    command += ["--remote", remote, "--branch", BRANCH, "--message", message]
    # GIT_TERMINAL_PROMPT=0: a push that needs credentials fails at once instead of asking.
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            [*command, str(Path(site_dir).resolve())],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=limits.PUSH,
            env=env,
        )
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(
            f"ghp_import could not push {site_dir} to {remote} within {limits.PUSH} s"
        ) from error
    if done.returncode != 0:
        raise RuntimeError(
            f"ghp_import could not push {site_dir} to {remote} ({BRANCH}):\n"
            f"{done.stdout}{done.stderr}"
        )


def check_branch(repo: Path, repository: str, chapters: list[str]) -> list[str]:
    """What is wrong with the site on the gh-pages branch of `repo` (a bare remote or a clone).

    Args:
        repo: the git repository that holds the branch.
        repository: "owner/name", the GitHub repository the site was built for.
        chapters: the chapters that have a notebook (file stems: "01-tensors").

    Returns:
        One line per problem; empty when the branch holds the site with `.nojekyll`, the site's
        address (of `repository`) as the home page's canonical link, every chapter's notebook
        and "Open in Colab" link, and notebooks that install the helper package from
        `repository`.
    """
    files = set(git(repo, "ls-tree", "-r", "--name-only", BRANCH).splitlines())
    problems = [f"{name} missing" for name in [".nojekyll", "index.html"] if name not in files]
    if "index.html" in files:
        canonical = f'<link rel="canonical" href="{settings.site_url(repository)}">'
        if canonical not in git(repo, "show", f"{BRANCH}:index.html"):
            problems.append(f"index.html has no {canonical}")
    notebooks = [f"notebooks/{stem}/{stem}.ipynb" for stem in chapters]
    problems += [f"{notebook} missing" for notebook in notebooks if notebook not in files]
    for stem, notebook in zip(chapters, notebooks, strict=True):
        page, colab = f"{stem}/index.html", settings.colab_url(repository, notebook)
        if page not in files or colab not in git(repo, "show", f"{BRANCH}:{page}"):
            problems.append(f"{page} has no link {colab}")
    # Only the chapters that use the helper package install it (tools/site/notebook_setup.py).
    source = f"github.com/{repository}"
    shown = [git(repo, "show", f"{BRANCH}:{name}") for name in notebooks if name in files]
    if chapters and not any(source in text for text in shown):
        problems.append(f"no notebook installs the helper package from {source}")
    return problems


def chapters_with_notebooks() -> list[str]:
    """The chapters that get a notebook (the harness's rule: a page with runnable blocks)."""
    # Imported here: the harness needs the test extra (Sybil), which the deploy job lacks.
    from tools.pages.harness import chapters, has_code

    return [path.stem for path in chapters() if has_code(path)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.publish.gh_pages",
        description=f"Publish the site to its {BRANCH} branch.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    deploying = commands.add_parser("deploy", help="push a built site (as gh-deploy --force)")
    deploying.add_argument("site_dir", type=Path, help="the built site (make build: site/)")
    deploying.add_argument("--remote", default="origin", help="remote name or URL [origin]")
    checking = commands.add_parser("check", help=f"check what {BRANCH} holds in a repository")
    checking.add_argument("git_dir", type=Path, help="the repository (a bare one, or a clone)")
    checking.add_argument("--repository", required=True, help="owner/name the site is built for")
    args = parser.parse_args(argv)
    if args.command == "check":
        problems = check_branch(args.git_dir, args.repository, chapters_with_notebooks())
        print(*problems or [f"{BRANCH} holds the site for {args.repository}"], sep="\n")
        return 1 if problems else 0
    commit = git(ROOT, "rev-parse", "--short", "HEAD").strip()
    deploy(args.site_dir, args.remote, f"Deployed {commit} with tools/publish/gh_pages.py")
    print(f"pushed {args.site_dir} to the {BRANCH} branch of {args.remote}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
