"""Which PyTorch releases run every chapter as the pages show: a reader's run of each, per release.

    python -m tools.verify.versions                # the oldest admitted torch, and the newest one
    python -m tools.verify.versions newest 2.12.0  # the newest, and 2.12.0
    python -m tools.verify.versions --write        # ... and rewrite RESULTS (`make versions`)

It exits with 1 when a release shows a difference that RESULTS does not record for it (a release
it does not record: any difference), so that the weekly workflow (.github/workflows/versions.yml)
goes red when a new release breaks a chapter, and stays green on what is known and on the site.

The site's outputs are verified with the releases pinned in constraints.txt; pyproject.toml admits
older ones, and a reader (or Colab) may have a newer one. For each release checked, a virtual
environment of its own (cached in ~/.cache/pytorch-essential-training/versions/, about 6 GB each
with the CUDA libraries PyPI's torch brings; PIP_CONSTRAINT=/dev/null, so that no machine-wide pip
constraint holds it back) runs every chapter's reader run (tools/verify/reader.py: the page's copied
code, fresh, offline, stand-in data) from a build of the site. The table
(tools/verify/version_table.py) says, per chapter, how many blocks ran, how many printed what the
page shows, and each difference in one line. `make versions` runs it with --write; the Set up page
includes RESULTS. `make test` checks the logic (tests/test_versions.py), not the environments, which
take minutes and gigabytes each.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import tomllib

from tools.pages import limits
from tools.verify.version_table import (
    RESULTS,
    Chapter,
    Release,
    load,
    merged,
    new_differences,
    save,
    summarize,
    table,
)

ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
CONSTRAINTS = ROOT / "constraints.txt"
# Waits, in seconds: pip's answer from the index, and one release's install (about 3 GB of wheels).
# pip, free of any constraint the machine sets (this file's environments choose their own torch).
UNCONSTRAINED = {"PIP_CONSTRAINT": "/dev/null", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
RELEASE = re.compile(r"\d+\.\d+(\.\d+)?")


# ---- the rules: which releases, pinned and admitted --------------------------------------------


def pins(path: Path = CONSTRAINTS) -> dict[str, str]:
    """name -> version of each `name==version` line of a constraints file."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s;#]+)", line.split("#")[0].strip())
        if match:
            found[match[1].lower()] = match[2]
    return found


def lower_bound(name: str = "torch", pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The oldest release of `name` that pyproject.toml admits, as a full version (2.6 -> 2.6.0)."""
    dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    for requirement in dependencies:
        match = re.fullmatch(rf"{re.escape(name)}\s*>=\s*({RELEASE.pattern})", requirement)
        if match:
            return full_version(match[1])
    raise LookupError(f"pyproject.toml has no `{name}>=X.Y` requirement to read the oldest from")


def full_version(release: str) -> str:
    """2.6 -> 2.6.0; a version with three parts stays."""
    if not RELEASE.fullmatch(release):
        raise ValueError(f"not a release number: {release!r}; write it like 2.15.0")
    return release if release.count(".") == 2 else f"{release}.0"


def newest_release(python: str = sys.executable) -> str:
    """The newest torch on the package index, as pip sees it (no constraint applied)."""
    done = subprocess.run(
        [python, "-m", "pip", "index", "versions", "torch"],
        capture_output=True,
        text=True,
        timeout=limits.INDEX,
        env={**os.environ, **UNCONSTRAINED},
    )
    match = re.match(r"torch \(([^)]+)\)", done.stdout)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"pip could not list torch's releases:\n{done.stdout}{done.stderr}")
    return match[1]


# ---- the environments ------------------------------------------------------------------------


def environment(release: str, folder: Path) -> Path:
    """The Python of a virtual environment with torch `release`, a torchvision that pip pairs
    with it, and this project; created once (folder/torch-<release>), the project reinstalled."""
    home = folder / f"torch-{release}"
    python = home / "bin" / "python"
    marker = home / ".installed"
    env = {**os.environ, **UNCONSTRAINED}
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    if not marker.is_file():
        subprocess.run(
            [sys.executable, "-m", "venv", str(home)], check=True, timeout=limits.INSTALL
        )
        # ipykernel: the reader runs start their kernels with this Python.
        command = [*pip, f"torch=={release}", "torchvision", "ipykernel", str(ROOT)]
        subprocess.run(command, check=True, timeout=limits.DOWNLOAD, env=env)
        marker.write_text(f"torch=={release}\n", encoding="utf-8")
    # The project, as it is now (the chapters' helper package): its dependencies are there.
    command = [*pip, "--no-deps", "--force-reinstall", str(ROOT)]
    subprocess.run(command, check=True, timeout=limits.INSTALL, env=env, cwd=tempfile.gettempdir())
    return python


def installed(python: Path) -> tuple[str, str]:
    """(torch, torchvision) versions that `python` imports."""
    probe = "import torch, torchvision; print(torch.__version__, torchvision.__version__)"
    done = subprocess.run(
        [str(python), "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=limits.INSTALL,
    )
    torch, torchvision = done.stdout.split()
    return torch.split("+")[0], torchvision.split("+")[0]


def check(release: str, site: Path, folder: Path, pages: dict[Path, str]) -> Release:
    """Every chapter's reader run under `release`, in the lanes of the test run (conftest.py).
    `pages` is the text of each page when `site` was built (see `unchanged`)."""
    import concurrent.futures

    from tools.verify import background, reader

    python = environment(release, folder)
    torch, torchvision = installed(python)
    kernels = reader.Kernels(reader.network_isolation(), python=str(python))
    work = Path(tempfile.mkdtemp(prefix=f"pet-versions-{release}-"))

    def lane(name: str, paths: list[Path]) -> list[Chapter]:
        (work / name).mkdir()
        runs = []
        for path in paths:
            unchanged(path, pages)
            run = reader.run_as_reader(site, path, work / name, kernels)
            print(f"torch {torch}: {path.name}: {len(run.problems)} problem(s)", flush=True)
            runs.append(summarize(path, run))
        return runs

    lanes = background.reader_lanes()
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        futures = [pool.submit(lane, name, paths) for name, paths in lanes.items()]
        chapters = [
            row
            for future in futures
            for row in future.result(timeout=limits.scaled(limits.VERSIONS_LANE).seconds)
        ]
    chapters.sort(key=lambda row: row.page)
    return Release(torch, torchvision, today(), machine(), chapters)


def page_texts() -> dict[Path, str]:
    """The text of every English page, as the build of the site reads it."""
    from tools.pages import harness

    return {path: path.read_text(encoding="utf-8") for path in harness.chapters()}


def unchanged(path: Path, pages: dict[Path, str]) -> None:
    """Refuse to go on when a page changed since the site was built: its run would compare the
    page's new blocks with the old site's copy buttons, and report a difference that isn't."""
    if path.read_text(encoding="utf-8") != pages.get(path):
        raise RuntimeError(
            f"{path.name} changed while the check ran: run it again, with the pages left alone"
        )


def today() -> str:
    return datetime.date.today().isoformat()


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores"


def releases_named(words: list[str], newest=newest_release) -> list[str]:
    """The releases to check, in order, once each: "oldest" is the oldest that pyproject.toml
    admits, "newest" the newest on the index; no words: both."""
    chosen = []
    for word in words or ["oldest", "newest"]:
        if word == "oldest":
            chosen.append(lower_bound())
        elif word == "newest":
            chosen.append(newest())
        else:
            chosen.append(full_version(word))
    return list(dict.fromkeys(chosen))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.verify.versions",
        description="Run every chapter as a reader would under other torch releases.",
    )
    parser.add_argument(
        "releases",
        nargs="*",
        metavar="RELEASE",
        help="oldest, newest, or a torch release like 2.12.0 (default: oldest newest)",
    )
    parser.add_argument("--write", action="store_true", help=f"rewrite {RESULTS.relative_to(ROOT)}")
    parser.add_argument(
        "--cache", type=Path, help="where the environments go (default: the user's cache folder)"
    )
    args = parser.parse_args(argv)
    try:
        releases = releases_named(args.releases)
    except ValueError as error:  # checked before anything is built or installed
        parser.error(str(error))
    from tools.site.settings import cache_folder
    from tools.verify import background

    folder = args.cache or cache_folder("versions")
    folder.mkdir(parents=True, exist_ok=True)
    pages = page_texts()
    built = Path(tempfile.mkdtemp(prefix="pet-versions-site-"))
    site = background.build_site(built / "site", background.Processes())
    for path in pages:  # a page edited while the site was built
        unchanged(path, pages)
    results = [check(release, site, folder, pages) for release in releases]
    print(table(results, pins()))
    recorded = load(RESULTS.with_suffix(".json")) if RESULTS.with_suffix(".json").is_file() else []
    new = new_differences(results, recorded)
    if args.write:
        save(merged(results, recorded), RESULTS, pins())
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    if new:
        print("Differences that the committed table does not record:", *new, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
