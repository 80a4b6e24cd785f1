"""MkDocs hooks (mkdocs.yml `hooks:`): what the site adds to the chapters' Markdown.

- The repository setting (tools/site.py) fills `site_url`, the GitHub link, the Colab links and
  the notebooks' install line; without one they are left out.
- Every chapter with code gets a notebook page (tools/notebooks.py writes the notebooks, the
  mkdocs-jupyter plugin renders them; they are kept out of the nav and of search) and, under its
  title, links to it: "Notebook", "Download notebook" and, with a repository, "Open in Colab".
- The stamp comment under the title becomes one compact line with the details folded away; the
  GPU line comes from the GPU verification record (tools/gpu_check.py).
- Each skip directive shows as a badge before its block, with the same reason the harness reports;
  each tolerance directive as a note under its output.
- Output fences and listings of snippets/ code get no copy button; figures open full size on a tap.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import posixpath
import re
import sys
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # MkDocs loads hooks by path
from tools import gpu_check, harness, notebook_render, notebooks, site  # noqa: E402
from tools.chapter_info import chapter_info  # noqa: E402

NOTEBOOKS = notebooks.NOTEBOOKS
LISTING_FENCE = re.compile(r"^(?P<indent>[ \t]*)```python\n(?=(?P=indent)--8<--\n)", re.M)
STAMP = re.compile(r"<!-- outputs-stamp: (?P<fields>\{.*?\}) -->")
SKIP = re.compile(r'<!-- skip: next if\((?P<condition>.+?), reason="(?P<reason>[^"]+)"\) -->')
TOLERANCE = re.compile(
    r"<!-- tolerance:[^>]*-->(?P<output>\s*<div class=\"language-output[^>]*>.*?</div>)", re.S
)
IMAGE = re.compile(r'<img [^>]*src="(?P<src>[^"]+)"[^>]*>')
# Pygments wraps every name, operator and punctuation mark in a span of its own; the theme
# colours them like plain code text, so the spans only add elements (three quarters of a code
# block's), which every browser and accessibility check then walks. Their text stays.
OPENER = re.compile(
    r'(<div class="admonition abstract">\s*<p class="admonition-title">In this chapter</p>.*?)'
    r"(</div>)",
    re.S,
)
PLAIN_TOKEN = re.compile(r'<span class="(?:n|o|p)">([^<]*)</span>')
EXTERNAL_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>', re.S)
INLINE_STYLE = re.compile(r'<style type="text/css">(?P<css>.*?)</style>', re.S)
NOTEBOOK_CSS = "assets/notebook"  # the notebook pages' shared style sheets, in the site
_build_folder: tempfile.TemporaryDirectory | None = None
_notebook_css: dict[str, str] = {}  # file name -> CSS, written by on_post_build


def on_config(config, **kwargs):
    notebook_render.share_compiled_templates()
    repository = site.repository()
    config.site_url = site.site_url(repository) or None
    config.extra["repository"] = repository
    config.extra["social"] = (
        [
            {
                "icon": "fontawesome/brands/github",
                "link": f"https://github.com/{repository}",
                "name": "Source on GitHub",
            }
        ]
        if repository
        else []
    )
    return config


@event_priority(100)  # before mkdocs-jupyter's on_files, which turns .ipynb files into pages
def on_files(files, config, **kwargs):
    global _build_folder
    if _build_folder is not None:
        _build_folder.cleanup()
    _build_folder = tempfile.TemporaryDirectory(prefix="pet-notebooks-")
    folder = Path(_build_folder.name)
    repository = config.extra["repository"]
    notebooks.write_notebooks(
        folder / NOTEBOOKS, config.site_url or "", site.install_target(repository)
    )
    paths = sorted((folder / NOTEBOOKS).glob("*.ipynb"))
    for path in paths:
        uri = f"{NOTEBOOKS}/{path.name}"
        files.append(File(uri, str(folder), config.site_dir, config.use_directory_urls))
    # mkdocs-jupyter converts each notebook when its page renders; start them all now, in
    # worker processes, while the chapters render (tools/notebook_render.py).
    plugin = config.plugins["mkdocs-jupyter"]
    notebook_render.start_conversions([str(path) for path in paths], plugin.config)
    return files


def on_build_error(error, **kwargs) -> None:
    notebook_render.finish()


def on_post_build(config, **kwargs) -> None:
    global _build_folder
    notebook_render.finish()
    folder = Path(config.site_dir) / NOTEBOOK_CSS
    folder.mkdir(parents=True, exist_ok=True)
    for name, css in _notebook_css.items():
        (folder / name).write_text(css, encoding="utf-8")
    if _build_folder is not None:
        _build_folder.cleanup()
        _build_folder = None


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    """Listings of snippets/ code get no copy button (their imports live elsewhere); the home
    page's outline table is built from the chapters themselves."""
    markdown = LISTING_FENCE.sub(r"\g<indent>``` { .python .no-copy .listing }\n", markdown)
    return markdown.replace("<!-- chapter-outline -->", chapter_outline())


def chapter_outline() -> str:
    """The home page's table: each chapter, what it teaches, its time and its exercises."""
    rows = ["| Chapter | You will learn to | Time | Exercises |", "| --- | --- | ---: | ---: |"]
    for path in filter(harness.has_code, harness.chapters()):
        info = chapter_info(path)
        learn = info.learn.removeprefix("You will learn to ").rstrip(".")
        rows.append(
            f"| [{info.title}]({path.name}) | {learn} | {info.minutes} min | {info.exercises} |"
        )
    return "\n".join(rows)


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    html = PLAIN_TOKEN.sub(r"\1", html)
    if page.file.src_uri.startswith(f"{NOTEBOOKS}/"):
        return notebook_page(html, page)
    html = html.replace(
        'class="language-output highlight"', 'class="language-output highlight no-copy"'
    )
    html = SKIP.sub(lambda found: skip_badge(found["condition"], found["reason"]), html)
    html = TOLERANCE.sub(
        lambda found: (
            found["output"] + '\n<p class="tolerance-note">Approximate output: the last'
            " digits vary with the hardware and the thread count.</p>"
        ),
        html,
    )
    html = IMAGE.sub(
        lambda found: f'<a class="figure-link" href="{found["src"]}">{found[0]}</a>', html
    )
    source = Path(page.file.abs_src_path)
    if not harness.has_code(source) or "</h1>" not in html:
        return html
    html = OPENER.sub(lambda found: found[1] + opener_meta(source) + found[2], html, count=1)
    header = notebook_links(source.stem, page, config) + stamp(html, source)
    html = STAMP.sub("", html)
    return html.replace("</h1>", "</h1>\n" + header, 1)


def opener_meta(source: Path) -> str:
    """The last line of a chapter's opener: how long it takes, how many exercises it has."""
    info = chapter_info(source)
    exercises = f"{info.exercises} exercise" + ("s" if info.exercises != 1 else "")
    return (
        f'<p class="chapter-meta">About {info.minutes} minutes to read and run'
        f" {info.code_blocks} code blocks · {exercises} with solutions</p>\n"
    )


def skip_badge(condition: str, reason: str) -> str:
    """The visible form of a skip directive: the same reason the harness reports."""
    condition = html_lib.unescape(condition)
    if "cuda" in condition:
        text = (
            f"<strong>GPU only</strong>: {reason}. It runs where CUDA exists; the block after it"
            " runs anywhere."
        )
        kind = "gpu"
    else:
        text = f"<strong>Runs only where it applies</strong>: skipped when {reason}."
        kind = "conditional"
    return (
        f'<p class="skip-badge skip-badge--{kind}" data-skip-if="{html_lib.escape(condition)}">'
        f"{text}</p>"
    )


def notebook_links(stem: str, page, config) -> str:
    page_dir = page.url.rstrip("/") if page.url.endswith("/") else posixpath.dirname(page.url)
    notebook_page = posixpath.relpath(f"{NOTEBOOKS}/{stem}/", page_dir or ".") + "/"
    download = posixpath.relpath(f"{NOTEBOOKS}/{stem}/{stem}.ipynb", page_dir or ".")
    links = [
        f'<a class="md-button" href="{notebook_page}">Notebook</a>',
        f'<a class="md-button" href="{download}" download>Download notebook</a>',
    ]
    repository = config.extra["repository"]
    if repository:
        colab = site.colab_url(repository, f"{NOTEBOOKS}/{stem}/{stem}.ipynb")
        links.append(f'<a class="md-button" href="{colab}">Open in Colab</a>')
    return '<p class="notebook-links">' + " ".join(links) + "</p>\n"


def stamp(html: str, source: Path) -> str:
    """One line saying what produced the outputs; the details, and the GPU line, folded."""
    found = STAMP.search(html)
    if found is None:
        return ""
    fields = json.loads(html_lib.unescape(found["fields"]))
    version = fields["torch"].split("+")[0]
    device = fields["device"].split(" (")[0]
    data = ""
    if "data" in fields:
        data = " · stand-in data" if "stand-in" in fields["data"] else " · CIFAR-10"
    summary = f"Outputs verified with torch {version} on {device}{data} · {fields['date']}"
    build = fields["torch"].partition("+")[2]
    build_note = f" (the {build} build)" if build else ""
    details = (
        f"Every output on this page was printed by the code above it, run with torch"
        f" {fields['torch']}{build_note} on {fields['device']} on {fields['date']};"
        " `make test` runs every block again and compares."
    )
    if "data" in fields:
        details += f" Data: {fields['data']}."
    gpu = gpu_check.gpu_blocks(source)
    if gpu:
        verified = gpu_check.latest_verification(source)
        details += (
            f" {verified.sentence()}."
            if verified
            else " Its GPU-only blocks have not been verified on a GPU yet."
        )
    details = re.sub(r"`([^`]+)`", r"<code>\1</code>", details)
    return (
        f'<details class="outputs-stamp"><summary>{summary}</summary><p>{details}</p></details>\n'
    )


HEADING = re.compile(r"<h2 id=\"(?P<id>[^\"]*)\"")


def heading_anchors(html: str, toc_items: list) -> str:
    """Give each <h2> the id its table-of-contents entry links to, when nbconvert's differs."""
    wanted = iter([item.url.lstrip("#") for item in toc_items])

    def add(found: re.Match) -> str:
        anchor = next(wanted, None)
        if anchor is None or anchor == found["id"]:
            return found.group()
        return f'<span id="{anchor}"></span>{found.group()}'

    return HEADING.sub(add, html)


def shared_style_sheet(found: re.Match) -> str:
    """An inline style sheet of a notebook page as a link to one file that every page shares.

    nbconvert inlines about 600 kB of JupyterLab CSS into every notebook page: as one file the
    reader's browser fetches it once, and the pages shrink tenfold.
    """
    css = found["css"]
    name = hashlib.sha256(css.encode()).hexdigest()[:16] + ".css"
    _notebook_css[name] = css
    return f'<link rel="stylesheet" href="../../{NOTEBOOK_CSS}/{name}">'


def notebook_page(html: str, page) -> str:
    """A notebook page: no third-party scripts, out of search, and a link back to its chapter.

    Its code areas can scroll, so they take keyboard focus; its headings also get the ids that
    the page's table of contents links to (mkdocs-jupyter takes those from a Markdown rendering,
    nbconvert writes others for headings with punctuation or code).
    """
    page.meta["search"] = {"exclude": True}
    html = EXTERNAL_SCRIPT.sub("", html)
    html = INLINE_STYLE.sub(shared_style_sheet, html)
    html = html.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')
    html = heading_anchors(html, [item for top in page.toc for item in top.children])
    stem = Path(page.file.src_uri).stem
    back = (
        f'<p class="notebook-links"><a class="md-button" href="../../{stem}/">Back to the'
        f' chapter</a> <a class="md-button" href="{stem}.ipynb" download>Download notebook</a></p>'
    )
    return back + html
