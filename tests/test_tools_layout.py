"""The shape of tools/: packages that import one way, no import cycle, no module over 400 lines.

tools/__init__.py declares the order of the packages (LAYERS): a package may import itself and
the packages after it. The import graph is read from the source with `ast`, every import
statement at any depth (inside a function too: an import there is still an edge that a reader of
the code has to follow, and it is how the old cycle hid).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import tools

TOOLS = Path(tools.__file__).parent
MAX_LINES = 400


def module_name(path: Path) -> str:
    """tools/site/hooks.py -> "tools.site.hooks"; a package's __init__.py -> the package."""
    parts = path.relative_to(TOOLS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(TOOLS.rglob("*.py"))}


def package_of(module: str) -> str | None:
    """The package of LAYERS a module belongs to ("site" for tools.site.hooks); None for tools."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def imports(module: str) -> list[tuple[str, int]]:
    """The modules of tools/ that `module` imports, each with the line of its import statement.

    `from tools.site import settings` imports the module tools.site.settings; `from
    tools.pages.harness import ROOT` imports tools.pages.harness."""
    path = MODULES[module]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package, or one above it
                package = module.split(".")[: None if path.name == "__init__.py" else -1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *filter(None, [base])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((submodule if submodule in MODULES else base, node.lineno))
    return [(name, line) for name, line in found if name.split(".")[0] == "tools"]


def where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(TOOLS.parent)}:{line}"


GRAPH = {module: imports(module) for module in MODULES}


def test_every_module_belongs_to_a_declared_package():
    """No flat module beside the packages, and no package that LAYERS does not place."""
    strays = [
        str(path.relative_to(TOOLS.parent))
        for module, path in MODULES.items()
        if module != "tools" and package_of(module) not in tools.LAYERS
    ]
    assert strays == [], f"put each into a package of tools.LAYERS {tools.LAYERS}: {strays}"


def test_imports_go_one_way_between_the_packages():
    """A package imports itself and the packages after it in LAYERS, never one before it."""
    order = " -> ".join(tools.LAYERS)
    wrong = []
    for module, edges in GRAPH.items():
        importer = package_of(module)
        for imported, line in edges:
            target = package_of(imported)
            if importer is None or target is None or target == importer:
                continue
            if tools.LAYERS.index(target) < tools.LAYERS.index(importer):
                wrong.append(
                    f"{where(module, line)}: {module} imports {imported}, but tools.{importer}"
                    f" may not import tools.{target} (tools/__init__.py LAYERS: {order})"
                )
    assert wrong == [], "\n".join(wrong)


def cycles() -> list[list[tuple[str, int]]]:
    """Every import cycle found by a depth-first walk, as [(module, line of its import), ...],
    from the module where it closes back round to it."""
    found, state, stack = [], {}, []  # state: "open" while on the stack, "done" after

    def visit(module: str) -> None:
        state[module] = "open"
        for imported, line in GRAPH.get(module, []):
            stack.append((module, line))
            if state.get(imported) == "open":
                start = next(i for i, (name, _) in enumerate(stack) if name == imported)
                found.append(stack[start:])
            elif imported in GRAPH and imported not in state:
                visit(imported)
            stack.pop()
        state[module] = "done"

    for module in GRAPH:
        if module not in state:
            visit(module)
    return found


def test_no_module_of_tools_is_part_of_an_import_cycle():
    described = [
        " -> ".join(f"{module} ({where(module, line)})" for module, line in cycle)
        + f" -> {cycle[0][0]}"
        for cycle in cycles()
    ]
    assert described == [], "import cycles, each import with its line:\n" + "\n".join(described)


def test_each_package_says_which_packages_it_may_import():
    """Each package's docstring names exactly the packages that LAYERS lets it import."""
    wrong = []
    for index, package in enumerate(tools.LAYERS):
        docstring = ast.get_docstring(ast.parse(MODULES[f"tools.{package}"].read_text())) or ""
        sentence = re.search(
            r"It\s+(?:may\s+import|imports\s+nothing)(.*?)\.(?:\s|$)", docstring, re.S
        )
        named = set(re.findall(r"tools\.(\w+)", sentence[1])) if sentence else None
        if named != set(tools.LAYERS[index + 1 :]):
            allowed = set(tools.LAYERS[index + 1 :])
            wrong.append(f"tools/{package}/__init__.py names {named}; LAYERS allows {allowed}")
    assert wrong == [], "\n".join(wrong)


def test_the_check_finds_an_upward_import_and_a_cycle(monkeypatch):
    """The two checks above bite: an import against LAYERS, and two modules importing each other."""
    monkeypatch.setitem(GRAPH, "tools.pages.harness", [("tools.site.settings", 1)])
    monkeypatch.setitem(GRAPH, "tools.site.settings", [("tools.pages.harness", 2)])
    assert ["tools.pages.harness", "tools.site.settings"] in [
        sorted(module for module, _ in cycle) for cycle in cycles()
    ]
    try:
        test_imports_go_one_way_between_the_packages()
    except AssertionError as failure:
        assert "tools.pages may not import tools.site" in str(failure)
        assert "tools/pages/harness.py:1" in str(failure)
    else:
        raise AssertionError("an import of tools.site from tools.pages went unnoticed")


def test_no_module_of_tools_is_over_400_lines():
    long = {
        str(path.relative_to(TOOLS.parent)): lines
        for path in MODULES.values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these into modules of one topic each (at most {MAX_LINES} lines)"
