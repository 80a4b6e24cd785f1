"""One compiled copy of nbconvert's page templates for the whole build.

mkdocs-jupyter makes a new nbconvert exporter for every notebook page (and one more for its table
of contents), and each exporter compiles the same Jinja templates again: about 600 compilations,
2 of the 11 seconds of a build without a page cache. A bytecode cache held in memory and shared by
every exporter compiles each template once per build. Jinja checks each entry against a hash of
the template's source, so an edited template is compiled afresh; the pages come out the same.

nbconvert has no setting for a bytecode cache, so `share_compiled_templates` wraps the one method
that builds an exporter's Jinja environment, TemplateExporter._create_environment: a private name.
pyproject.toml admits only the nbconvert minor version it was checked with, and
tests/test_private_apis.py fails, naming it, where that method no longer builds the environment.
`stop_sharing` puts nbconvert's own method back (the tests leave no wrapper behind).
"""

from __future__ import annotations

import jinja2
from nbconvert.exporters.templateexporter import TemplateExporter


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's bytecode cache, kept in a dict (its own caches write files)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def share_compiled_templates() -> CompiledTemplates:
    """Give every nbconvert exporter made from now on one shared bytecode cache (idempotent)."""
    create_environment = TemplateExporter._create_environment
    shared = getattr(create_environment, "shared_cache", None)
    if shared is not None:
        return shared  # the Chinese edition's build runs the hooks again in the same process
    shared = CompiledTemplates()

    # The environment nbconvert's method returns is left as it was, with the cache set.
    def with_shared_cache(exporter: TemplateExporter) -> jinja2.Environment:
        environment = create_environment(exporter)
        environment.bytecode_cache = shared
        return environment

    with_shared_cache.shared_cache = shared
    with_shared_cache.wrapped = create_environment
    TemplateExporter._create_environment = with_shared_cache
    return shared


def stop_sharing() -> None:
    """Exporters made from now on build their environment as nbconvert does (idempotent)."""
    wrapped = getattr(TemplateExporter._create_environment, "wrapped", None)
    if wrapped is not None:
        TemplateExporter._create_environment = wrapped
