"""The first cell of every chapter notebook: install what the chapter imports, where it is missing.

    source = setup_cell(blocks, helper="pytorch-essential-training @ git+https://...", version=...)

A notebook opened alone (Colab gives each notebook a machine of its own; a reader's Jupyter in an
empty folder) has only what that machine has. The cell looks for each module the chapter's code
imports and pip-installs only those that are missing: nothing at all where everything is there
(it then takes a fraction of a second), and never a torch where one is there already (Colab ships
one; pip keeps an installed torch that satisfies the helper package's range). A chapter that uses
the helper package (`snippets`) installs it from the repository the site is built for, which
brings torch, torchvision and the rest with it; without a repository the cell says how to
install it from a clone. The cell ends by naming the torch version that verified the outputs.
"""

from __future__ import annotations

import ast
import sys

from tools.pages import harness, syntax
from tools.site.site_text import text

HELPER_MODULE = "snippets"
# The pip name of each third-party module a chapter may import (the helper package's own
# dependencies come with it). A new one must be added here: a build fails naming it.
DISTRIBUTIONS = {
    "torch": "torch",
    "torchvision": "torchvision",
    "numpy": "numpy",
    "matplotlib": "matplotlib",
    "PIL": "pillow",
    "tqdm": "tqdm",
    "onnx": "onnx",
    "onnxscript": "onnxscript",
    "onnxruntime": "onnxruntime",
}
CHECK = """{comment}
needs = {needs!r}
missing = [package for module, package in needs.items() if find_spec(module) is None]
if missing:  {missing_comment}
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)"""
FROM_A_CLONE = """if find_spec("snippets") is None:
    raise ModuleNotFoundError({message!r})"""
SETUP = """{comment}
import subprocess
import sys
import warnings
from importlib.util import find_spec

{install}

import torch

VERIFIED_WITH = {version!r}
print(f"{printed}")
if torch.__version__.split("+")[0] != VERIFIED_WITH.split("+")[0]:
    warnings.warn({warning!r})"""


def imported_modules(blocks: list[harness.Block]) -> set[str]:
    """The top-level modules that the blocks (and their skip conditions) import, stdlib aside."""
    found = set()
    for block in blocks:
        sources = [block.source]
        if block.skip:
            names = block.skip.names()
            sources += [syntax.CONDITION_IMPORTS[name] for name in names]
        for source in sources:
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    found.add(node.module.split(".")[0])
    return {module for module in found if module not in sys.stdlib_module_names}


def needs(modules: set[str], helper: str | None, place: str) -> dict[str, str]:
    """module -> what pip installs for it; the helper package stands for all of its own needs."""
    unknown = modules - set(DISTRIBUTIONS) - {HELPER_MODULE}
    if unknown:
        raise ValueError(
            f"{place}: the chapter imports {sorted(unknown)}; add the pip name of each to"
            " DISTRIBUTIONS in tools/site/notebook_setup.py"
        )
    if HELPER_MODULE in modules:
        return {HELPER_MODULE: helper} if helper else {}
    return {module: DISTRIBUTIONS[module] for module in sorted(modules)}


def setup_cell(
    blocks: list[harness.Block], helper: str | None, version: str, place: str, language: str = "en"
) -> str:
    """The source of the notebook's first code cell (see the module docstring).

    `helper` is the pip requirement of the helper package (tools/site/settings.py
    `install_target`), or None where the site has no repository: a chapter that uses it then says
    how to install it.
    """
    modules = imported_modules([block for block in blocks if block.shown])
    modules.add("torch")  # the cell itself imports torch, to name its version
    required = needs(modules, helper, place)
    comment = text(language, "setup needs comment")
    missing_comment = text(language, "setup missing comment")
    install = (
        [CHECK.format(comment=comment, needs=required, missing_comment=missing_comment)]
        if required
        else []
    )
    if HELPER_MODULE in modules and helper is None:
        install.append(FROM_A_CLONE.format(message=text(language, "setup from a clone")))
    return SETUP.format(
        comment=text(language, "setup comment"),
        install="\n".join(install),
        version=version,
        printed=text(language, "setup printed"),
        warning=text(language, "setup warning"),
    )
