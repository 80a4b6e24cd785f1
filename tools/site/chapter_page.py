"""Chapter pages: what the site adds to a chapter's rendered HTML, and the home page's outline.

    html = render_directives(html, gpu, "en")   # skip badges, tolerance notes, GPU output labels
    header = notebook_links(stem, page, config, "en") + stamp(html, gpu, "en")  # under the title
    markdown = chapter_outline("zh")            # the home page's table of the chapters

The directives' syntax is tools/pages/syntax.py's; the proofs of GPU-only outputs come from
tools/pages/gpu_proofs.py (`gpu` pairs each GPU-only block of the page with its proof, or None);
every sentence the site adds comes from tools/site/site_text.py, in the page's language.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from pathlib import Path

from tools.pages import harness, syntax
from tools.pages.chapter_info import chapter_info
from tools.pages.languages import english_of, in_language
from tools.site import notebooks, settings
from tools.site.site_text import badge, counted, language_root, text

NOTEBOOKS = notebooks.NOTEBOOKS
# The output block after a tolerance directive (the directive's HTML comment passes through).
OUTPUT_BLOCK = re.compile(r'\s*<div class="language-output[^>]*>.*?</div>', re.S)
GPU_OUTPUT = '<div class="language-output highlight no-copy">'


# The chapter's opener box (tools/pages/markup.py: the first `abstract` admonition, right under
# the title) in the rendered HTML, up to its end; found by its class, whatever its words.
OPENER = re.compile(
    r'(<div class="admonition abstract">\s*<p class="admonition-title">[^<]*</p>.*?)(</div>)', re.S
)
# A solution box (a collapsed `success` admonition: tools/pages/markup.py), found by its class.
SOLUTION = re.compile(r'<details class="success"(?=>\s*<summary>)')


def mark_solutions(html: str) -> str:
    """Solution boxes get Material's data-search-exclude: search must not give them away."""
    return SOLUTION.sub(r"\g<0> data-search-exclude", html)


def chapter_outline(language: str) -> str:
    """The home page's table: each chapter, with its time and exercises under its title, and
    what it teaches (the opener's first sentence, after "You will learn"); then the totals.

    Two columns, so that a phone shows all of it without scrolling sideways. A chapter's time
    and exercises are its English page's (a translation reads as long)."""
    learn_prefix = text(language, "you will learn")
    rows = [text(language, "outline header"), "| --- | --- |"]
    minutes = exercises = 0
    chapters = list(filter(harness.has_code, harness.chapters()))
    for path in chapters:
        info, page = chapter_info(path), in_language(path, language)
        learn = chapter_info(page).learn
        if not learn.startswith(learn_prefix):
            raise ValueError(
                f"{page.name}: the opener's first sentence starts with {learn_prefix!r} (the home"
                f" page's outline table goes on from there); it starts {learn[:30]!r}"
            )
        learn = learn.removeprefix(learn_prefix).rstrip(".。")
        meta = (
            text(language, "minutes", minutes=info.minutes)
            + " · "
            + counted(language, "exercises", info.exercises)
        )
        title = chapter_info(page).title
        rows.append(f'| [{title}]({path.name})<span class="outline-meta">{meta}</span> | {learn} |')
        minutes, exercises = minutes + info.minutes, exercises + info.exercises
    time = (
        text(language, "hours", hours=minutes // 60, minutes=minutes % 60)
        if minutes >= 60
        else text(language, "minutes", minutes=minutes)
    )
    total = text(
        language,
        "outline total",
        chapters=len(chapters),
        time=time,
        exercises=counted(language, "exercises", exercises),
    )
    return "\n".join(rows) + f'\n\n<p class="outline-total">{total}</p>'


def render_directives(html: str, gpu: list, language: str) -> str:
    """Each skip directive becomes a badge; each tolerance directive a note under its output.

    `gpu` pairs the page's GPU-only blocks, in order, with their proofs (tools/pages/gpu_proofs.py):
    the output under such a block is labelled verified (with the GPU run that proved it) or shown
    in the style of an expected output, not yet run on a GPU.
    """
    note = f'\n<p class="tolerance-note">{text(language, "tolerance note")}</p>'
    edits, gpu = [], list(gpu)  # (start, end, replacement) in `html`
    for directive in syntax.directives(html):
        if directive.name == "tolerance":
            output = OUTPUT_BLOCK.match(html, directive.end)
            end = output.end() if output is not None else directive.end
            edits.append((directive.start, end, html[directive.end : end] + note * bool(output)))
            continue
        skip = syntax.parse_skip(html_lib.unescape(directive.arguments))
        edits.append((directive.start, directive.end, skip_badge(skip, language)))
        if skip.kind == "gpu" and gpu:
            block, proof = gpu.pop(0)
            output = html.find(GPU_OUTPUT, directive.end)
            if block.expected is not None and output >= 0:
                edits.append((output, output + len(GPU_OUTPUT), gpu_output(proof, language)))
    for start, end, replacement in sorted(edits, reverse=True):
        html = html[:start] + replacement + html[end:]
    return html


def gpu_output(proof, language: str) -> str:
    """The opening of a GPU-only block's output, labelled with its proof, or as expected."""
    if proof is None:
        kind, label = "expected", text(language, "expected output")
    else:
        kind, label = "verified", verified(proof, language)
    return (
        f'<p class="gpu-output-label gpu-output-label--{kind}">{label}</p>\n'
        f'<div class="language-output highlight no-copy gpu-output gpu-output--{kind}">'
    )


def verified(proof, language: str) -> str:
    """ "Verified on <device>, torch <version>, <date>": the GPU run that proved an output."""
    return text(
        language, "verified output", device=proof.device, torch=proof.torch, date=proof.date
    )


def opener_meta(source: Path, setup_url: str, language: str) -> str:
    """The last line of a chapter's opener: how long it takes, how many exercises it has, and
    where to read how to run it (for a translation: its English page's time and exercises)."""
    info = chapter_info(english_of(source))
    meta = text(
        language,
        "opener meta",
        minutes=info.minutes,
        blocks=info.code_blocks,
        exercises=counted(language, "exercises", info.exercises),
        setup=f'<a href="{setup_url}">{text(language, "set up")}</a>',
    )
    return f'<p class="chapter-meta">{meta}</p>\n'


def relative_url(target: str, page) -> str:
    """The link from `page` to a page of the site at `target` (e.g. "setup/")."""
    return posixpath.relpath(target, page_folder(page) or ".").rstrip("/") + "/"


def page_folder(page) -> str:
    """The folder of a page's URL, from the site's root ("zh/notebooks/01-tensors")."""
    return page.url.rstrip("/") if page.url.endswith("/") else posixpath.dirname(page.url)


def to_site_root(page) -> str:
    """The relative link from a page to the site's root ("../../" from notebooks/<chapter>/)."""
    folder = page_folder(page)
    return "../" * (folder.count("/") + 1) if folder else ""


def skip_badge(skip: syntax.SkipIf, language: str) -> str:
    """The visible form of a skip directive: what its block needs, with the harness's reason."""
    title, sentence = badge(skip, language)
    condition = html_lib.escape(skip.condition)
    return (
        f'<p class="skip-badge skip-badge--{skip.kind}" data-skip-if="{condition}">'
        f"<strong>{title}</strong>{text(language, 'badge separator')}{sentence}</p>"
    )


def notebook_links(stem: str, page, config, language: str) -> str:
    """The buttons under a chapter's title: its notebook page, the .ipynb, Colab (out of search:
    a result's preview starts with the page's own text)."""
    notebook_page = relative_url(f"{language_root(language)}{NOTEBOOKS}/{stem}/", page)
    links = [
        f'<a class="md-button" href="{notebook_page}">{text(language, "notebook")}</a>',
        f'<a class="md-button" href="{notebook_page}{stem}.ipynb" download>'
        f"{text(language, 'download notebook')}</a>",
        *colab_button(stem, config, language),
    ]
    return '<p class="notebook-links" data-search-exclude>' + " ".join(links) + "</p>\n"


def colab_button(stem: str, config, language: str) -> list[str]:
    """ "Open in Colab" for a chapter's notebook, where the site knows its repository."""
    repository = config.extra["repository"]
    if not repository:
        return []
    notebook = f"{language_root(language)}{NOTEBOOKS}/{stem}/{stem}.ipynb"
    colab = settings.colab_url(repository, notebook)
    return [f'<a class="md-button" href="{colab}">{text(language, "open in colab")}</a>']


def stamp(html: str, gpu: list, language: str) -> str:
    """One line saying what produced the outputs (and how many GPU-only outputs a GPU run
    proved: `gpu` as for render_directives); the details folded under it."""
    fields = syntax.read_stamp(html_lib.unescape(html))
    if fields is None:
        return ""
    data = ""
    if "data" in fields:
        data = text(language, "stand-in data" if "stand-in" in fields["data"] else "cifar-10 data")
    summary = text(
        language,
        "stamp summary",
        version=fields["torch"].split("+")[0],
        device=fields["device"].split(" (")[0],
        data=data,
        date=f'<span class="stamp-date">{fields["date"]}</span>',  # never broken at a hyphen
    )
    build = fields["torch"].partition("+")[2]
    details = text(
        language,
        "stamp details",
        but_gpu=text(language, "but the gpu-only ones") if gpu else "",
        torch=fields["torch"],
        build=text(language, "build", build=build) if build else "",
        device=fields["device"],
        date=fields["date"],
    )
    if "data" in fields:
        details += text(language, "data", data=described_data(fields["data"], language))
    if gpu:
        proven = [proof for _, proof in gpu if proof is not None]
        summary += text(language, "stamp gpu", proven=len(proven), blocks=len(gpu))
        details += text(language, "sentence gap") + gpu_sentence(len(gpu), proven, language)
    details = re.sub(r"`([^`]+)`", r"<code>\1</code>", details)
    # Out of search, like the buttons above it: a result's preview starts with the page's text.
    return (
        '<details class="outputs-stamp" data-search-exclude>'
        f"<summary>{summary}</summary><p>{details}</p></details>\n"
    )


# snippets.cifar10.describe_data's words, which the stamp records.
DESCRIBED_DATA = re.compile(
    r"(?P<kind>the stand-in \(synthetic images, not CIFAR-10\)|CIFAR-10),"
    r" (?P<split>training|test) split, (?P<count>[\d,]+) images"
)


def described_data(data: str, language: str) -> str:
    """The stamp's data, as describe_data put it, in the page's language."""
    found = DESCRIBED_DATA.fullmatch(data)
    if found is None:
        raise ValueError(
            f"the stamp's data {data!r} is not in snippets.cifar10.describe_data's words:"
            " update DESCRIBED_DATA in tools/site/chapter_page.py along with it"
        )
    kind = text(language, f"data {found['kind'].split(' (')[0]}")
    split = text(language, f"data {found['split']}")
    return text(language, "data described", kind=kind, split=split, count=found["count"])


def gpu_sentence(blocks: int, proven: list, language: str) -> str:
    """What the stamp's details say of the page's GPU-only blocks, which CI cannot run."""
    runs = "; ".join(sorted({verified(proof, language) for proof in proven}))
    if len(proven) == blocks:
        return text(
            language,
            "gpu all proven",
            blocks=counted(language, "gpu-only output", blocks),
            runs=runs,
        )
    if not proven:
        return text(language, "gpu none proven", blocks=counted(language, "gpu-only block", blocks))
    return text(
        language,
        "gpu some proven",
        blocks=counted(language, "gpu-only output", blocks),
        proven=len(proven),
        runs=runs,
    )
