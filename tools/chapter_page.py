"""Chapter pages: what the site adds to a chapter's rendered HTML, and the home page's outline.

    html = render_directives(html, gpu)        # skip badges, tolerance notes, GPU output labels
    header = notebook_links(...) + stamp(html, gpu)   # under the title
    markdown = chapter_outline()               # the home page's table of the chapters

The directives' syntax is tools/page_syntax.py's; the proofs of GPU-only outputs come from
tools/gpu_check.py (`gpu` pairs each GPU-only block of the page with its proof, or None).
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from pathlib import Path

from tools import harness, notebooks, page_syntax, site
from tools.chapter_info import chapter_info

NOTEBOOKS = notebooks.NOTEBOOKS
# The output block after a tolerance directive (the directive's HTML comment passes through).
OUTPUT_BLOCK = re.compile(r'\s*<div class="language-output[^>]*>.*?</div>', re.S)
TOLERANCE_NOTE = (
    '\n<p class="tolerance-note">Approximate output: the last digits vary with the hardware and'
    " the thread count.</p>"
)
OPENER = re.compile(
    r'(<div class="admonition abstract">\s*<p class="admonition-title">In this chapter</p>.*?)'
    r"(</div>)",
    re.S,
)
LEARN = "You will learn "  # how every opener begins (README: "Writing a chapter")
SOLUTION = re.compile(r'<details class="success"(?=>\s*<summary>Solution)')


def mark_solutions(html: str) -> str:
    """Solution boxes get Material's data-search-exclude: search must not give them away."""
    return SOLUTION.sub(r"\g<0> data-search-exclude", html)


def chapter_outline() -> str:
    """The home page's table: each chapter, with its time and exercises under its title, and
    what it teaches (the opener's first sentence, after "You will learn"); then the totals.

    Two columns, so that a phone shows all of it without scrolling sideways."""
    rows = ["| Chapter | You will learn |", "| --- | --- |"]
    minutes = exercises = 0
    chapters = list(filter(harness.has_code, harness.chapters()))
    for path in chapters:
        info = chapter_info(path)
        if not info.learn.startswith(LEARN):
            raise ValueError(
                f"{path.name}: the opener's first sentence starts with {LEARN!r} (the home"
                f" page's outline table goes on from there); it starts {info.learn[:30]!r}"
            )
        learn = info.learn.removeprefix(LEARN).rstrip(".")
        meta = f"{info.minutes} min · {plural(info.exercises, 'exercise')}"
        rows.append(
            f'| [{info.title}]({path.name})<span class="outline-meta">{meta}</span> | {learn} |'
        )
        minutes, exercises = minutes + info.minutes, exercises + info.exercises
    hours = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    total = (
        f'<p class="outline-total">In all: {len(chapters)} chapters, about {hours} of reading'
        f" and running, {plural(exercises, 'exercise')} with solutions.</p>"
    )
    return "\n".join(rows) + "\n\n" + total


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("s" if count != 1 else "")


def render_directives(html: str, gpu: list) -> str:
    """Each skip directive becomes a badge; each tolerance directive a note under its output.

    `gpu` pairs the page's GPU-only blocks, in order, with their proofs (tools/gpu_check.py): the
    output under such a block is labelled verified (with the GPU run that proved it) or shown in
    the style of an expected output, not yet run on a GPU.
    """
    edits, gpu = [], list(gpu)  # (start, end, replacement) in `html`
    for directive in page_syntax.directives(html):
        if directive.name == "tolerance":
            output = OUTPUT_BLOCK.match(html, directive.end)
            note = TOLERANCE_NOTE if output is not None else ""
            end = output.end() if output is not None else directive.end
            edits.append((directive.start, end, html[directive.end : end] + note))
            continue
        skip = page_syntax.parse_skip(html_lib.unescape(directive.arguments))
        edits.append((directive.start, directive.end, skip_badge(skip)))
        if skip.kind == "gpu" and gpu:
            block, proof = gpu.pop(0)
            output = html.find(GPU_OUTPUT, directive.end)
            if block.expected is not None and output >= 0:
                edits.append((output, output + len(GPU_OUTPUT), gpu_output(proof)))
    for start, end, replacement in sorted(edits, reverse=True):
        html = html[:start] + replacement + html[end:]
    return html


GPU_OUTPUT = '<div class="language-output highlight no-copy">'


def gpu_output(proof) -> str:
    """The opening of a GPU-only block's output, labelled with its proof, or as expected."""
    if proof is None:
        kind, label = "expected", "Expected output: not yet run on a GPU"
    else:
        kind, label = "verified", proof.sentence()
    return (
        f'<p class="gpu-output-label gpu-output-label--{kind}">{label}</p>\n'
        f'<div class="language-output highlight no-copy gpu-output gpu-output--{kind}">'
    )


def opener_meta(source: Path, setup_url: str) -> str:
    """The last line of a chapter's opener: how long it takes, how many exercises it has, and
    where to read how to run it."""
    info = chapter_info(source)
    exercises = f"{info.exercises} exercise" + ("s" if info.exercises != 1 else "")
    return (
        f'<p class="chapter-meta">About {info.minutes} minutes to read and run'
        f" {info.code_blocks} code blocks · {exercises} with solutions ·"
        f' <a href="{setup_url}">Set up</a> to run it</p>\n'
    )


def relative_url(target: str, page) -> str:
    """The link from `page` to a page of the site at `target` (e.g. "setup/")."""
    page_dir = page.url.rstrip("/") if page.url.endswith("/") else posixpath.dirname(page.url)
    return posixpath.relpath(target, page_dir or ".").rstrip("/") + "/"


def skip_badge(skip: page_syntax.SkipIf) -> str:
    """The visible form of a skip directive: what its block needs, with the harness's reason."""
    title, sentence = skip.badge()
    condition = html_lib.escape(skip.condition)
    return (
        f'<p class="skip-badge skip-badge--{skip.kind}" data-skip-if="{condition}">'
        f"<strong>{title}</strong>: {sentence}</p>"
    )


def notebook_links(stem: str, page, config) -> str:
    """The buttons under a chapter's title: its notebook page, the .ipynb, Colab."""
    notebook_page = relative_url(f"{NOTEBOOKS}/{stem}/", page)
    links = [
        f'<a class="md-button" href="{notebook_page}">Notebook</a>',
        f'<a class="md-button" href="{notebook_page}{stem}.ipynb" download>Download notebook</a>',
        *colab_button(stem, config),
    ]
    return '<p class="notebook-links">' + " ".join(links) + "</p>\n"


def colab_button(stem: str, config) -> list[str]:
    """ "Open in Colab" for a chapter's notebook, where the site knows its repository."""
    repository = config.extra["repository"]
    if not repository:
        return []
    colab = site.colab_url(repository, f"{NOTEBOOKS}/{stem}/{stem}.ipynb")
    return [f'<a class="md-button" href="{colab}">Open in Colab</a>']


def stamp(html: str, gpu: list) -> str:
    """One line saying what produced the outputs (and how many GPU-only outputs a GPU run
    proved: `gpu` as for render_directives); the details folded under it."""
    fields = page_syntax.read_stamp(html_lib.unescape(html))
    if fields is None:
        return ""
    version = fields["torch"].split("+")[0]
    device = fields["device"].split(" (")[0]
    data = ""
    if "data" in fields:
        data = " · stand-in data" if "stand-in" in fields["data"] else " · CIFAR-10"
    summary = f"Outputs verified with torch {version} on {device}{data} · {fields['date']}"
    build = fields["torch"].partition("+")[2]
    build_note = f" (the {build} build)" if build else ""
    details = (
        f"Every output on this page{' but the GPU-only ones' if gpu else ''} was printed by the"
        f" code above it, run with torch"
        f" {fields['torch']}{build_note} on {fields['device']} on {fields['date']};"
        " `make test` runs every block again and compares."
    )
    if "data" in fields:
        details += f" Data: {fields['data']}."
    if gpu:
        proven = [proof for _, proof in gpu if proof is not None]
        summary += f" · GPU-only outputs: {len(proven)} of {len(gpu)} verified on a GPU"
        details += " " + gpu_sentence(len(gpu), proven)
    details = re.sub(r"`([^`]+)`", r"<code>\1</code>", details)
    return (
        f'<details class="outputs-stamp"><summary>{summary}</summary><p>{details}</p></details>\n'
    )


def gpu_sentence(blocks: int, proven: list) -> str:
    """What the stamp's details say of the page's GPU-only blocks, which CI cannot run."""
    runs = "; ".join(sorted({proof.sentence() for proof in proven}))
    if len(proven) == blocks:
        return f"Its {plural(blocks, 'GPU-only output')}: {runs}."
    expected = "the expected output, marked as such: not yet run on a GPU"
    if not proven:
        return f"Its {plural(blocks, 'GPU-only block')} show {expected}."
    return (
        f"Of its {plural(blocks, 'GPU-only output')}, {len(proven)}: {runs}; the others show"
        f" {expected}."
    )
