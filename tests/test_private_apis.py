"""The private names of other packages that tools/ relies on, pinned: each test fails, naming what
moved, when a release changes one of them. pyproject.toml admits only the releases these tests ran
on (a range that holds constraints.txt's pin); a new one is admitted after these pass on it.

- Sybil (tools/pages/harness.py, syntax.py; tools/verify/page_runs.py): `pad`,
  `SKIP_ARGUMENTS_PATTERN`, `Document.regions`, and a region whose `end` the parser moves past
  the block's ```output fence.
- nbconvert (tools/site/notebook_templates.py): `TemplateExporter._create_environment`.
- mkdocs-jupyter (tools/site/hooks.py): `Plugin.on_files` makes a notebook file a page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def pinned(name: str) -> str:
    """The release of `name` that constraints.txt pins."""
    found = re.search(rf"^{re.escape(name)}==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M)
    assert found, f"constraints.txt pins no {name}"
    return found[1]


def admitted(name: str) -> Requirement:
    """pyproject.toml's requirement of `name`, from its dependencies or extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lists = [project["dependencies"], *project["optional-dependencies"].values()]
    requirements = [Requirement(entry) for entries in lists for entry in entries]
    found = [r for r in requirements if r.name.lower() == name.lower()]
    assert found, f"pyproject.toml does not list {name}"
    return found[0]


@pytest.mark.parametrize("name", ["sybil", "nbconvert", "mkdocs-jupyter"])
def test_a_package_whose_private_names_are_used_is_held_to_a_checked_range(name):
    requirement = admitted(name)
    assert requirement.specifier.contains(pinned(name)), (
        f"pyproject.toml's {requirement} leaves out constraints.txt's {name}=={pinned(name)}"
    )
    assert any(spec.operator == "<" for spec in requirement.specifier), (
        f"pyproject.toml's {requirement} has no upper bound: a release that moves the private"
        f" names this file pins would be admitted unchecked"
    )


# ---- Sybil ---------------------------------------------------------------------------------------


def test_sybil_pad_puts_the_source_at_its_page_line():
    from sybil.evaluators.python import pad

    assert pad("x = 1", 3) == "\n\n\nx = 1", (
        "sybil.evaluators.python.pad no longer prefixes one newline per line: the tracebacks of"
        " tools/verify/page_runs.py would name wrong page lines"
    )


def test_sybil_skip_arguments_pattern_splits_the_action_from_its_condition():
    from sybil.parsers.abstract.skip import SKIP_ARGUMENTS_PATTERN

    found = SKIP_ARGUMENTS_PATTERN.match('next if(not ok, reason="r")')
    assert found is not None and found.groups() == ("next", 'if(not ok, reason="r")'), (
        "sybil.parsers.abstract.skip.SKIP_ARGUMENTS_PATTERN changed: tools/pages/syntax.py"
        " parse_skip reads a skip directive with it"
    )


PAGE = """# Page

```python
print(1)
```

```output
1
```

Text.
"""


def test_sybil_document_regions_keep_the_end_the_parser_moved(tmp_path):
    from sybil import Region

    from tools.pages import harness

    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    document = harness.parse(page)
    regions = getattr(document, "regions", None)
    assert isinstance(regions, list), "sybil.Document has no list `regions` any more"
    assert len(regions) == 1, f"Document.regions holds {len(regions)} entries, not 1"
    start, region = regions[0]
    assert isinstance(start, int) and isinstance(region, Region), (
        "Document.regions no longer holds (start, Region) pairs: tools/site/notebooks.py and"
        " tools/pages/harness.py read them"
    )
    assert region.end == PAGE.index("\n\nText."), (
        "the region's `end`, moved by the harness past the ```output fence, was not kept:"
        " tools/site/notebooks.py would copy the output fence into the notebook's prose"
    )


# ---- nbconvert -----------------------------------------------------------------------------------


def test_nbconvert_builds_each_exporters_environment_in_create_environment(monkeypatch):
    import jinja2
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    assert callable(getattr(TemplateExporter, "_create_environment", None)), (
        "nbconvert's TemplateExporter has no _create_environment any more:"
        " tools/site/notebook_templates.py wraps it"
    )
    built = []
    original = TemplateExporter._create_environment

    def recording(exporter):
        built.append(exporter)
        return original(exporter)

    monkeypatch.setattr(TemplateExporter, "_create_environment", recording)  # undone after
    exporter = HTMLExporter()
    environment = exporter.environment
    assert built == [exporter] and isinstance(environment, jinja2.Environment), (
        "nbconvert no longer builds an exporter's Jinja environment in"
        " TemplateExporter._create_environment: tools/site/notebook_templates.py must follow"
    )


# ---- mkdocs-jupyter ------------------------------------------------------------------------------


def test_mkdocs_jupyter_on_files_makes_a_notebook_a_page(tmp_path):
    from mkdocs.structure.files import File, Files
    from mkdocs_jupyter.plugin import Plugin

    plugin = Plugin()
    errors, _ = plugin.load_config({})
    assert not errors
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01-tensors.ipynb").write_text("{}", encoding="utf-8")
    site = tmp_path / "site"
    notebook = File("notebooks/01-tensors.ipynb", str(tmp_path), str(site), True)
    config = {"use_directory_urls": True, "site_dir": str(site)}
    [page] = list(plugin.on_files(Files([notebook]), config))
    assert page.is_documentation_page() and page.url == "notebooks/01-tensors/", (
        "mkdocs-jupyter's Plugin.on_files no longer turns a notebook File into a page at"
        " notebooks/<name>/: tools/site/hooks.py on_files calls it for the chapter notebooks"
    )
