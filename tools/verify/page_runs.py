"""How the blocks of each page run for the checks: in this process, or taken from a reader's run.

    runs = PageRuns(Mode.CHECK)             # pytest: one for the session (conftest.py)
    runs.take_from_reader(path, future)     # a `runs: once` page: its checks use its reader run
    sybil = harness.sybil(runs.evaluate)    # Sybil evaluates every block through `runs`
    run = run_page(path, Mode.RECORD)       # make outputs: a whole page, in this process

Two modes of one runner, as pydantic's pytest-examples has them: CHECK compares what a block
printed with its ```output fence (tools/verify/compare.py) and requires its figure; RECORD compares
nothing and saves the figure the block drew (`make outputs` then rewrites the fences).

A page that declares `runs: once` in its front matter (tools/pages/syntax.py: the chapters that
train, seconds per block) is not run here under `make test`: its reader's run
(tools/verify/reader.py) executes its hidden checks too, as cells of their own, and each harness
item of the page takes its block's outcome and printed text from that run. The item passes only
where that cell ran (the kernel's reply said "ok") and printed what the page shows.
"""

from __future__ import annotations

import contextlib
import enum
import io
import signal
import textwrap
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from unittest import SkipTest

from sybil import Document, Example
from sybil.evaluators.python import pad

from tools.pages import harness, limits
from tools.pages.harness import Block, HarnessError, shown
from tools.pages.markup import OUTPUT_FENCE
from tools.verify import cell_runs
from tools.verify.background import wait
from tools.verify.compare import difference


class BlockTimeout(Exception):
    """A block run in this process went past its limit (tools/pages/limits.py)."""


class Mode(enum.Enum):
    CHECK = "check"  # compare with the page (pytest)
    RECORD = "record"  # remember what was printed, save figures (make outputs)


class PageRuns:
    """The runs of the pages' blocks in one session: the evaluator Sybil calls for each block.

    `printed` keeps what every block printed, by (page path, block line), wherever it ran, so
    that later tests and `make gpu-check` reuse one run; `from_reader` lists the pages whose
    checks come from their reader runs.
    """

    def __init__(self, mode: Mode = Mode.CHECK, block: float = limits.BLOCK) -> None:
        self.mode = mode
        self.block = block  # a block's limit on the reference machine (tools/pages/limits.py)
        self.printed: dict[tuple[str, int], str] = {}
        # "passed", "failed" (printed something else), "error" (raised) or "skipped"
        self.outcomes: dict[tuple[str, int], str] = {}
        self.from_reader: dict[str, Future] = {}  # page path -> future of a cell_runs.ReaderRun

    def printed_by(self, path: Path) -> dict[int, str]:
        """What each block of a page printed in this session, by line: from its reader run for a
        page that runs once (waiting for it), else from the blocks run here so far."""
        if str(path) in self.from_reader:
            run = wait_for_reader(self.from_reader[str(path)], harness.shown(path))
            return {
                line: cell.printed
                for line, cell in run.cells.items()
                if cell.outcome.value == "ran"
            }
        return {line: got for (page, line), got in self.printed.items() if page == str(path)}

    def take_from_reader(self, path: Path, run: Future) -> None:
        """The checks of this page use its reader run (`run`, a future), not a run here."""
        self.from_reader[str(path)] = run

    def evaluate(self, example: Example) -> str | None:
        """Sybil's evaluator: run the block here, or check it against its page's reader run."""
        __tracebackhide__ = True  # pytest shows the page line, not this frame
        key = (str(example.path), example.line)
        try:
            if str(example.path) in self.from_reader:
                failure = self.check_from_reader(example)
            else:
                failure = self.run_here(example)
        except SkipTest:
            self.outcomes[key] = "skipped"
            raise
        except BaseException:
            self.outcomes[key] = "error"
            raise
        self.outcomes[key] = "failed" if failure else "passed"
        return failure

    def run_here(self, example: Example) -> str | None:
        """Run the block in its page's namespace, in this process."""
        __tracebackhide__ = True
        block: Block = example.parsed
        if block.skip and block.skip.applies(example.namespace):
            raise SkipTest(block.skip.reason)
        if block.listing is not None:  # project code shown on the page; its own tests run it
            return check_listing(example, block)
        code = compile(pad(block.source, example.line), example.path, "exec", dont_inherit=True)
        printed = io.StringIO()
        figures_before = open_figures()
        place = f"{shown(example.path)}:{example.line}"
        with alarm(self.block, place), contextlib.redirect_stdout(printed):
            exec(code, example.namespace)  # noqa: S102 (the page's own code)
        example.namespace.pop("__builtins__", None)  # exec adds it; Sybil's namespace stays clean
        self.printed[(str(example.path), example.line)] = printed.getvalue()
        self.handle_figure(example, block, open_figures() - figures_before)
        if self.mode is Mode.RECORD or block.hidden:
            return None
        return compare(block, printed.getvalue())

    def handle_figure(self, example: Example, block: Block, numbers: set[int]) -> None:
        """A block followed by an image must draw exactly that figure; other blocks draw none."""
        import matplotlib.pyplot as plt

        from snippets.files import save_figure

        try:
            place = f"{shown(example.path)}:{example.line}"
            if block.image is None:
                if numbers:
                    raise HarnessError(
                        f"{place}: the block drew a figure; put ![alt](assets/NAME.svg) after it."
                    )
                return
            if len(numbers) != 1:
                raise HarnessError(
                    f"{place}: a block followed by an image must draw one figure,"
                    f" drew {len(numbers)}."
                )
            if self.mode is Mode.RECORD:
                save_figure(plt.figure(min(numbers)), block.image)
            else:
                require_figure(place, block)
        finally:
            plt.close("all")

    def check_from_reader(self, example: Example) -> str | None:
        """The block's check, from what its cell did in the page's reader run."""
        __tracebackhide__ = True
        block: Block = example.parsed
        if block.listing is not None:
            return check_listing(example, block)
        place = f"{shown(example.path)}:{example.line}"
        run = wait_for_reader(self.from_reader[str(example.path)], place)
        cell = run.cell(block.line)
        if cell.outcome is not cell_runs.Outcome.RAN:
            raise HarnessError(f"{place}: in the reader run of the page, {cell.describe()}")
        self.printed[(str(example.path), example.line)] = cell.printed
        if block.skip and cell.printed == block.skip.skipped_text():
            raise SkipTest(block.skip.reason)
        if block.hidden:
            return None
        if block.image is not None:
            require_figure(place, block)
        return compare(block, cell.printed)


def wait_for_reader(run: Future, place: str):
    """A page's reader run, once it has finished: queued behind the pages before it in its lane
    (tools/verify/background.py), each of its cells within its own limit; a stuck run fails."""
    try:
        return wait(run, f"{place}: the reader run of the page")
    except TimeoutError as error:  # reported as the block's failure, at its page line
        raise HarnessError(str(error)) from None


@contextlib.contextmanager
def alarm(base: float, place: str):
    """Stop a block run in this process when it goes past its limit, `base` seconds of the
    reference machine scaled to this one (tools/pages/limits.py): SIGALRM raises BlockTimeout in
    the block, at its next Python line (a torch call under way finishes first). A scaled limit is
    never under its base, so the machine's slowness is measured only once `base` seconds have
    passed, as the block runs: a block that ends sooner, nearly every one, measures nothing.
    Signals reach the main thread only, where pytest and `make outputs` run the blocks."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("a page's blocks run in the main thread (the alarm is a signal)")
    scaled: list[limits.Limit] = []  # the limit, once `base` has passed

    def ring(number, frame):
        if not scaled:
            scaled.append(limits.scaled(base))
            if scaled[0].seconds > base:  # a slower machine: the rest of the scaled limit
                signal.setitimer(signal.ITIMER_REAL, scaled[0].seconds - base)
                return
        raise BlockTimeout(f"{place}: the block ran past its limit, {scaled[0]}, and was stopped")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, base)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)  # before the handler goes: no late ring
        signal.signal(signal.SIGALRM, previous)


def check_listing(example: Example, block: Block) -> None:
    """A listing of project code resolves and compiles (the project's own tests run it)."""
    compile(textwrap.dedent(block.listing), example.path, "exec", dont_inherit=True)


def require_figure(place: str, block: Block) -> None:
    """The figure file that follows a block exists (make outputs writes it)."""
    if not block.image.is_file():
        raise HarnessError(f"{place}: missing figure {block.image}; run `make outputs`.")


def compare(block: Block, got: str) -> str | None:
    """None when `got` is what the block's output fence shows; else what differs, and the fix."""
    if block.expected is None:
        if got.strip():
            return (
                f"the block printed output but no {OUTPUT_FENCE} fence follows it;"
                f" run `make outputs`.\nGot:\n{textwrap.indent(got, '    ')}"
            )
        return None
    found = difference(block.expected, got, block.tolerance)
    if found is None:
        return None
    return (
        f"the {OUTPUT_FENCE} fence differs from what the code printed; run `make outputs` to"
        f" rewrite it.\n{found}\nExpected (page):\n{textwrap.indent(block.expected, '    ')}"
        f"\nGot (code):\n{textwrap.indent(got, '    ')}"
    )


def open_figures() -> set[int]:
    import matplotlib.pyplot as plt

    return set(plt.get_fignums())


# ---- whole pages -------------------------------------------------------------------------------


@dataclass
class Outcome:
    line: int
    status: str  # "passed", "failed" or "skipped"
    message: str = ""


@dataclass
class PageRun:
    """What running a page gave: the parsed document, each block's outcome, what it printed."""

    document: Document
    outcomes: list[Outcome] = field(default_factory=list)
    printed: dict[int, str] = field(default_factory=dict)  # by block line


def run_page(
    path: Path, mode: Mode, stop_on_error: bool = True, block: float = limits.BLOCK
) -> PageRun:
    """Run every block of a page in order, in one fresh namespace, in this process, each within
    `block` seconds of the reference machine, scaled to this one (tools/pages/limits.py).

    In RECORD mode an exception in a block propagates (make outputs must not write half a page);
    in CHECK mode it does too unless `stop_on_error` is False, when it becomes a failed outcome.
    """
    from sybil.example import SybilFailure

    runs = PageRuns(mode, block)
    document = harness.sybil(runs.evaluate).parse(Path(path))
    run = PageRun(document)
    harness.setup(document.namespace)
    try:
        for example in document.examples():
            try:
                example.evaluate()
            except SkipTest as reason:
                run.outcomes.append(Outcome(example.line, "skipped", str(reason)))
            except SybilFailure as failure:
                run.outcomes.append(Outcome(example.line, "failed", failure.result))
            except Exception as error:
                if stop_on_error or mode is Mode.RECORD:
                    raise
                run.outcomes.append(Outcome(example.line, "failed", repr(error)))
            else:
                run.outcomes.append(Outcome(example.line, "passed"))
    finally:
        harness.teardown(document.namespace)
    run.printed = {line: got for (_, line), got in runs.printed.items()}
    return run
