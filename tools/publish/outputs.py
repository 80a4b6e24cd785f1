"""`make outputs`: re-run every chapter and rewrite its output fences, figures and stamp.

    python -m tools.publish.outputs                     # every page in docs/
    python -m tools.publish.outputs docs/01-tensors.md  # one page

Outputs are only ever edited this way. A fence is kept as it is when the new run still matches it
and it either elides on purpose (`...`) or declares a tolerance: outputs do not churn from machine
to machine. A block that cannot run here (GPU-only) keeps its fence, and is listed. Running it
twice in a row changes nothing.

The translation of a page (docs/<page>.zh.md) gets the page's new output fences and stamp too
(tools/site/translations.py), so that the two stay equal.

The stamp under each title (`<!-- outputs-stamp: {...} -->`, rendered by tools/site/chapter_page.py)
records the torch version, the device, the date and, on data pages, which data the outputs came
from: the page's hidden setup names it by setting `DATA_SOURCE` (a string, e.g.
`describe_data(train_data)`); the stamp only changes with the outputs or those fields.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from snippets.files import atomic_write
from tools.pages.harness import Block, HarnessError, chapters, shown
from tools.pages.markup import output_fence
from tools.pages.syntax import read_stamp, stamp_comment, with_stamp
from tools.site import translations
from tools.verify.compare import matches
from tools.verify.page_runs import Mode, PageRun, run_page


def write_outputs(path: Path) -> list[str]:
    """Re-run one chapter and rewrite its output fences, figures and stamp. Returns skip notes."""
    run = run_page(path, Mode.RECORD)
    skipped = [
        f"{shown(path)}:{outcome.line}: not run ({outcome.message})"
        for outcome in run.outcomes
        if outcome.status == "skipped"
    ]
    original = run.document.text
    text = rewrite_fences(run)
    if run.printed:  # a page with code gets a stamp
        text = restamp(text, changed=text != original, fields=stamp_fields(run.document.namespace))
    if text != original:
        atomic_write(path, text.encode("utf-8"))
    translations.sync(path)  # the Chinese edition's page carries the same outputs and stamp
    return skipped


def rewrite_fences(run: PageRun) -> str:
    """Replace (or add, or drop) the output fence after each block that ran.

    A fence that elides (`...`) and still matches is kept. A tolerant fence that still matches
    is kept too, unless another fence of the page changed: then the whole page is rewritten.
    """
    text = run.document.text
    ran = [
        (region.parsed.line, region.parsed)
        for _, region in run.document.regions
        if isinstance(region.parsed, Block)
        and region.parsed.shown
        and region.parsed.line in run.printed
    ]
    # One stale fence and every tolerant fence of the page is rewritten from this run, so that
    # the numbers on one page always come from one run (an exercise may quote an earlier fence).
    stale = any(
        block.expected is None or not matches(block.expected, run.printed[start], block.tolerance)
        for start, block in ran
        if block.expected is not None or run.printed[start].strip()
    )
    edits = []
    for start, block in ran:
        got = run.printed[start]
        elides = "..." in (block.expected or "")
        keep = elides or (block.tolerance is not None and not stale)
        if keep and matches(block.expected, got, block.tolerance):
            continue  # eliding on purpose (timings, machine names), or tolerant, and still true
        fence = output_fence(got, block.indent)
        if block.output_span and got.strip():  # a new text in the old fence (keeps a tolerance)
            edits.append((block.output_span[0], block.output_span[1], fence))
        elif block.output_span:  # prints nothing now: the fence goes
            edits.append((block.code_end, block.output_span[1], ""))
        elif got.strip():
            edits.append((block.code_end, block.code_end, "\n\n" + fence))
    for begin, end, replacement in sorted(edits, reverse=True):
        text = text[:begin] + replacement + text[end:]
    return text


def stamp_fields(namespace: dict) -> dict[str, str]:
    """What produced this page's outputs: torch, device, data (see the module docstring)."""
    import platform

    import torch

    if torch.cuda.is_available():
        device = f"CUDA ({torch.cuda.get_device_name()})"
    else:
        device = f"CPU ({platform.machine()})"
    fields = {"torch": torch.__version__, "device": device}
    if namespace.get("DATA_SOURCE"):
        fields["data"] = str(namespace["DATA_SOURCE"])
    return fields


def restamp(text: str, changed: bool, fields: dict[str, str]) -> str:
    """Keep the stamp unless the outputs or the run's fields changed, so reruns are no-ops."""
    old_fields = read_stamp(text)
    unchanged = old_fields is not None and not changed
    if unchanged and {k: v for k, v in old_fields.items() if k != "date"} == fields:
        return text
    fields = {**fields, "date": datetime.date.today().isoformat()}
    try:
        return with_stamp(text, stamp_comment(fields))
    except ValueError as problem:
        raise HarnessError(str(problem)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.publish.outputs",
        description="Re-run chapters and rewrite their output fences, figures and stamp.",
    )
    parser.add_argument("pages", nargs="*", type=Path, help="chapters (default: every page)")
    args = parser.parse_args(argv)
    for page in args.pages:
        if page.suffix != ".md" or not page.is_file():
            parser.error(f"{page} is not a Markdown page; pass files like docs/01-tensors.md")
    paths = [page.resolve() for page in args.pages] or chapters()
    for path in paths:
        for note in write_outputs(path):
            print(note)
    print(f"outputs rewritten from a real run in {len(paths)} page(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
