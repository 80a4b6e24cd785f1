"""A reader who never clones the project: notebooks downloaded from the site, a fresh Python.

The environment has torch and torchvision but not the project: a new virtual environment whose
site-packages holds a `.pth` line naming the folder this environment imports torch from (Python
reads no `.pth` file in a folder that a `.pth` line adds, so the project's editable install stays
invisible and `import snippets` fails). Each notebook runs top to bottom in its own empty folder,
without network, its first cell installing what the chapter imports. The helper package is
installed with the very line the site gives readers, `pytorch-essential-training @
git+https://github.com/...@COMMIT`: git, told to fetch that URL from this clone
(`url.<base>.insteadOf`), checks out the commit the site was built from, and pip, told to use no
index, does the rest.
"""

from __future__ import annotations

import importlib.util
import subprocess
import venv
from pathlib import Path

import pytest

from tools.pages import harness
from tools.site import settings
from tools.verify import reader

pytestmark = [pytest.mark.site, pytest.mark.isolated]

# A tensor chapter (it installs nothing), and a CIFAR-10 chapter that installs the helper package
# and makes what it needs from earlier chapters (the data, a trained model) itself.
CHAPTERS = ["01-tensors", "12-testing-the-model"]


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory) -> Path:
    """A Python that sees torch and torchvision, not the project."""
    folder = tmp_path_factory.mktemp("fresh-python")
    venv.create(folder, with_pip=False)  # pip, like torch, comes through the .pth line
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    # Where torch is, not this environment's purelib: that of `make publish-rehearsal`'s
    # environment holds only a .pth line of its own (tools/publish/rehearsal.py, link_environment).
    packages = Path(importlib.util.find_spec("torch").origin).resolve().parents[1]
    (Path(purelib) / "test-environment.pth").write_text(f"{packages}\n")
    return python


def importable(python: Path, *modules: str) -> set[str]:
    """Which of `modules` `python` finds, started in its own folder (not this project's); found,
    not imported: the notebooks import them."""
    probe = "import sys, importlib.util as u; print(*[m for m in sys.argv[1:] if u.find_spec(m)])"
    found = subprocess.run(
        [python, "-c", probe, *modules],
        cwd=python.parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(found.stdout.split())


@pytest.fixture(scope="module")
def package_repository() -> Path:
    """What `git+https://github.com/OWNER/NAME@COMMIT` gives on the published site: this clone,
    whose commit the site names (tools/site/settings.py `commit`). Uncommitted changes are not in
    it: the notebooks install the package as committed, and so does this test."""
    commit = settings.commit()
    if commit is None:
        pytest.skip("not a git clone: the notebooks' install line names no commit to install")
    return harness.ROOT


def test_a_fresh_python_has_torch_but_not_the_project(fresh_python):
    assert importable(fresh_python, "torch", "torchvision", "snippets") == {"torch", "torchvision"}


def test_downloaded_notebooks_run_alone_in_empty_folders_and_print_what_the_pages_show(
    site, site_repository, fresh_python, package_repository, tmp_path
):
    redirect = {  # git fetches the repository URL from the local one (a git-config setting)
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{package_repository.as_uri()}.insteadOf",
        "GIT_CONFIG_VALUE_0": settings.repository_url(site_repository),
        "PIP_NO_INDEX": "1",  # offline: everything but the helper package is there already
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling of --no-build-isolation
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    kernels = reader.Kernels(reader.network_isolation(), python=str(fresh_python), env=redirect)
    problems = []
    for stem in CHAPTERS:
        folder = tmp_path / stem
        folder.mkdir()
        run = reader.run_as_reader(site, harness.DOCS / f"{stem}.md", folder, kernels)
        problems += run.problems
        if stem == "01-tensors":  # torch was there: nothing to install for a tensor chapter
            assert not importable(fresh_python, "snippets"), "a tensor chapter installed snippets"
    assert problems == [], "\n\n".join(problems)
    assert importable(fresh_python, "snippets")  # the CIFAR-10 chapters installed it


def test_every_notebook_installs_only_what_its_chapter_imports(site, site_repository):
    import nbformat

    helper = settings.install_target(site_repository, settings.commit())
    assert helper.endswith(f"@{settings.commit()}"), helper  # the commit the site was built from
    for chapter in filter(harness.has_code, harness.chapters()):
        notebook = site / "notebooks" / chapter.stem / f"{chapter.stem}.ipynb"
        setup = nbformat.read(notebook, as_version=4).cells[1].source
        text = chapter.read_text(encoding="utf-8")
        if "snippets" in text:
            assert f"'snippets': {helper!r}" in setup, chapter.name
        else:
            assert "snippets" not in setup, chapter.name
        assert "pip install -e ." not in setup, chapter.name
