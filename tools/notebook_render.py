"""Render the notebook pages quickly: shared compiled templates, conversions in worker processes.

mkdocs-jupyter converts each notebook (nbconvert, about 0.3 s a notebook) when MkDocs renders its
page, one after another in the build's one process: half of `mkdocs build`. Two things keep the
build within its 10-second budget (tools/mkdocs_hooks.py calls both):

    share_compiled_templates()                 # compile nbconvert's templates once per process
    start_conversions(notebook_paths, plugin)  # convert every notebook now, in worker processes

`start_conversions` runs mkdocs-jupyter's own `convert.nb2html`, with the arguments the plugin will
pass, while MkDocs renders the chapters; when the plugin then asks for a notebook, it gets that
result. A call with other arguments (a new plugin version, a changed setting) is converted on the
spot, as without this module, so the pages are the same either way.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys
from pathlib import Path

import jinja2

_pending: dict[tuple, concurrent.futures.Future] = {}
_pool: concurrent.futures.ProcessPoolExecutor | None = None
_serial_nb2html = None  # mkdocs-jupyter's own function, before install()


class TemplateCache(jinja2.BytecodeCache):
    """Compiled Jinja templates, kept in memory for the whole build.

    mkdocs-jupyter makes a new nbconvert exporter for every notebook, and each one compiles the
    same templates again (about half a second per notebook).
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def share_compiled_templates() -> None:
    """Give every nbconvert template environment of this process one TemplateCache."""
    from nbconvert.exporters.templateexporter import TemplateExporter

    if getattr(TemplateExporter, "_pet_cache", None) is not None:
        return
    create = TemplateExporter._create_environment
    TemplateExporter._pet_cache = TemplateCache()

    def create_with_cache(self):
        environment = create(self)
        environment.bytecode_cache = TemplateExporter._pet_cache  # read by every template load
        return environment

    TemplateExporter._create_environment = create_with_cache


def plugin_arguments(plugin_config) -> dict:
    """The keyword arguments mkdocs-jupyter's page renderer passes to `convert.nb2html`."""
    names = [
        "kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt",
        "remove_tag_config", "highlight_extra_classes", "include_requirejs", "custom_mathjax_url",
    ]  # fmt: skip
    return {"execute": plugin_config["execute"], **{name: plugin_config[name] for name in names}}


def key(path: str, arguments: dict) -> tuple:
    return (os.path.abspath(path), repr(sorted(arguments.items())))


def start_conversions(paths: list[str], plugin_config) -> None:
    """Convert `paths` in worker processes now; mkdocs-jupyter picks the results up later."""
    global _pool
    install()
    finish()  # a rebuild (mkdocs serve) starts afresh
    arguments = plugin_arguments(plugin_config)
    # The workers import this module by name, with the parent's sys.path: MkDocs loads the hooks
    # with the project root on sys.path, then takes it off again.
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.append(root)
    # spawn, not fork: `mkdocs serve` has threads running, which a forked child would inherit.
    _pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=min(len(paths), os.cpu_count() or 1) or 1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=share_compiled_templates,
    )
    for path in paths:
        _pending[key(path, arguments)] = _pool.submit(convert, path, arguments)


def convert(path: str, arguments: dict) -> str:
    """One notebook, in a worker process: what mkdocs-jupyter's renderer would compute."""
    from mkdocs_jupyter import convert as mkdocs_jupyter_convert

    return mkdocs_jupyter_convert.nb2html(path, **arguments)


def converted(nb_path, **arguments) -> str:
    """Stands in for `convert.nb2html`: the worker's result if it was started, else converts."""
    future = _pending.pop(key(nb_path, arguments), None)
    if future is None:
        return _serial_nb2html(nb_path, **arguments)
    return future.result()


def install() -> None:
    """Route mkdocs-jupyter's `convert.nb2html` calls through `converted`."""
    global _serial_nb2html
    from mkdocs_jupyter import convert as mkdocs_jupyter_convert

    if _serial_nb2html is None:
        _serial_nb2html = mkdocs_jupyter_convert.nb2html
        mkdocs_jupyter_convert.nb2html = converted


def finish() -> None:
    """Stop the workers (at the end of a build); conversions nobody asked for are dropped."""
    global _pool
    for future in _pending.values():
        future.cancel()
    _pending.clear()
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
