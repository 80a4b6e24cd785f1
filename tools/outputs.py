"""`make outputs`: re-run every chapter and rewrite its output fences, figures and stamp.

    python -m tools.outputs                      # every page in docs/
    python -m tools.outputs docs/01-tensors.md   # one page

Outputs are only ever edited this way. A fence that elides on purpose (`...`) and still matches is
kept; a block that cannot run here (GPU-only) keeps its fence, and is listed. Running it twice in a
row changes nothing: the stamp under the title only changes with the outputs or the run's fields.
"""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path
from unittest import SkipTest

from sybil import Document

from snippets.files import atomic_write
from tools.harness import (
    CHECKER,
    FLAGS,
    STAMP,
    Block,
    HarnessError,
    chapters,
    setup,
    shown,
    sybil,
    teardown,
)


def write_outputs(path: Path) -> list[str]:
    """Re-run one chapter and rewrite its output fences, figures and stamp. Returns skip notes."""
    document = sybil().parse(path)
    document.recorded = {}
    setup(document.namespace)
    skipped = []
    try:
        for example in document.examples():
            try:
                example.evaluate()
            except SkipTest as reason:
                skipped.append(f"{shown(path)}:{example.line}: not run ({reason})")
    finally:
        teardown(document.namespace)
    text = rewrite_fences(document)
    if document.recorded:  # a page with code gets a stamp
        text = restamp(text, changed=text != document.text, namespace=document.namespace)
    if text != document.text:
        atomic_write(path, text.encode("utf-8"))
    return skipped


def rewrite_fences(document: Document) -> str:
    """Replace (or add, or drop) the output fence after each block that ran."""
    text = document.text
    edits = []
    for start, region in document.regions:
        block = region.parsed
        if not isinstance(block, Block) or block.hidden or start not in document.recorded:
            continue
        got = document.recorded[start]
        if elided(block.expected) and CHECKER.check_output(block.expected, got, FLAGS):
            continue  # the page elides on purpose (timings, machine names) and still matches
        fence = ""
        if got.strip():
            body = "\n".join((block.indent + line).rstrip() for line in got.rstrip().split("\n"))
            fence = f"\n\n{block.indent}```output\n{body}\n{block.indent}```"
        if block.output_span:
            edits.append((block.code_end, block.output_span[1], fence))
        else:
            edits.append((block.code_end, block.code_end, fence))
    for begin, end, replacement in sorted(edits, reverse=True):
        text = text[:begin] + replacement + text[end:]
    return text


def elided(expected: str | None) -> bool:
    return expected is not None and "..." in expected


def stamp_fields(namespace: dict) -> str:
    import torch

    device = f"CUDA ({torch.cuda.get_device_name()})" if torch.cuda.is_available() else "CPU"
    fields = f"torch {torch.__version__} on {device}"
    if namespace.get("DATA_SOURCE"):
        fields += f"; data: {namespace['DATA_SOURCE']}"
    return fields


def restamp(text: str, changed: bool, namespace: dict) -> str:
    """Keep the stamp unless the outputs or the run's fields changed, so reruns are no-ops."""
    fields = stamp_fields(namespace)
    old = STAMP.search(text)
    if old and not changed and fields in old["body"]:
        return text
    today = datetime.date.today().isoformat()
    body = (
        f"*Outputs on this page were printed by its code, run by `make outputs` with {fields},"
        f" on {today}. CI reruns every block and compares.*\n{{ .outputs-stamp }}"
    )
    stamp = f"<!-- outputs-stamp -->\n{body}\n<!-- /outputs-stamp -->\n"
    if old:
        return text[: old.start()] + stamp + text[old.end() :]
    heading = re.search(r"^# .*\n", text, re.M)
    if heading is None:
        raise HarnessError("a chapter needs a `# Title` line; the stamp goes right under it.")
    return text[: heading.end()] + "\n" + stamp + text[heading.end() :]


def main(argv: list[str]) -> int:
    if any(arg.startswith("-") or not arg.endswith(".md") for arg in argv):
        print("usage: python -m tools.outputs [docs/CHAPTER.md ...]", file=sys.stderr)
        return 2
    paths = [Path(arg).resolve() for arg in argv] or chapters()
    for path in paths:
        for note in write_outputs(path):
            print(note)
    print(f"outputs rewritten from a real run in {len(paths)} page(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
