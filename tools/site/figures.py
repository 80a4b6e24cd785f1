"""Figures on the site: readable on a phone, full size on a tap.

    html = figure_links(html, page, config)   # in the MkDocs hooks, for chapters and notebook pages

A figure never shows text smaller than READABLE_PX: each <img> gets the min-width at which its
smallest text is that size (a narrower column scrolls it sideways, with a cue that
docs/stylesheets/extra.css draws), and carries that text's size at full size in data-text-px
(tests/test_site.py measures SVG text itself). The sizes are read from the files: a Matplotlib
SVG's glyphs and text, or the text size that snippets.files.save_figure records in a PNG.
"""

from __future__ import annotations

import functools
import io
import math
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from snippets.files import PNG_TEXT_SIZE

IMAGE = re.compile(r'<img [^>]*src="(?P<src>[^"]+)"[^>]*>')
# The smallest text a figure may show, in CSS px; the browser checks hold every page to it
# (tools/checks/site_checks.py).
READABLE_PX = 10
CSS_PX_PER_PT = 4 / 3
SVG = "{http://www.w3.org/2000/svg}"
SVG_LENGTH = re.compile(r"(?P<number>[\d.]+)(?P<unit>pt|px)?$")
SCALE = re.compile(r"scale\((?P<x>[-\d.e]+)(?:[ ,]+(?P<y>[-\d.e]+))?\)")
FONT_SIZE = re.compile(r"font(?:-size)?:[^;]*?(?P<size>[\d.]+)px")
# Matplotlib draws text as glyph outlines whose em is 100 units (TextToPath.FONT_SCALE).
GLYPH_EM = 100


@dataclass(frozen=True)
class FigureSize:
    """A figure at its full size, in CSS pixels: its width, and its smallest text."""

    width: float
    text: float

    def min_width(self) -> int:
        """The narrowest the figure may show, for its smallest text to stay READABLE_PX."""
        return math.ceil(self.width * READABLE_PX / self.text)


def svg_size(svg: bytes | str) -> FigureSize | None:
    """The size of a Matplotlib SVG and of its smallest text (None: no text, or no width)."""
    root = ElementTree.fromstring(svg)
    found = SVG_LENGTH.match(root.get("width", ""))
    if found is None:
        return None
    width = float(found["number"]) * (CSS_PX_PER_PT if found["unit"] == "pt" else 1)
    view_box = (root.get("viewBox") or "").split()
    units = float(view_box[2]) if len(view_box) == 4 else width
    texts = [
        smallest_text(group)
        for group in root.iter(f"{SVG}g")
        if group.get("id", "").startswith("text_")
    ] + [smallest_text(text) for text in root.iter(f"{SVG}text")]
    smallest = min(texts, default=math.inf)
    return FigureSize(width, smallest * width / units) if smallest < math.inf else None


def smallest_text(element, scale: float = 1.0) -> float:
    """The smallest font size, in the SVG's units, of the glyphs or text under `element`."""
    found = SCALE.search(element.get("transform", ""))
    if found:
        scale *= abs(float(found["y"] or found["x"]))
    if element.tag == f"{SVG}use":
        return GLYPH_EM * scale
    if element.tag == f"{SVG}text":
        size = FONT_SIZE.search(element.get("style", "")) or FONT_SIZE.search(
            f"font-size:{element.get('font-size', '')}px"
        )
        return float(size["size"]) * scale if size else math.inf
    children = [child for child in element if child.tag != f"{SVG}defs"]
    return min((smallest_text(child, scale) for child in children), default=math.inf)


def png_size(data: bytes) -> FigureSize | None:
    """A PNG's width, and its smallest text as snippets.files.save_figure records it (in a text
    chunk, which Pillow reads: tEXt, zTXt or iTXt)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                return None
            text = image.text.get(PNG_TEXT_SIZE)
            return FigureSize(image.width, float(text)) if text else None
    except UnidentifiedImageError:  # not an image at all
        return None


@functools.lru_cache(maxsize=64)
def figure_size(path: Path, modified: float) -> FigureSize | None:
    """The size of a figure file (`modified` makes a redrawn figure measured again)."""
    data = path.read_bytes()
    return svg_size(data) if path.suffix == ".svg" else png_size(data)


def asset_file(src: str, page, config) -> Path | None:
    """The file under docs/ that an image's src (relative to the page) points to."""
    if src.startswith(("data:", "http:", "https:")):
        return None
    folder = posixpath.dirname(page.url if page.url.endswith("/") else page.url + "/")
    path = Path(config.docs_dir) / posixpath.normpath(posixpath.join(folder, src))
    return path if path.is_file() else None


def figure_links(html: str, page, config) -> str:
    """Each image as a link to its full size, sized so that its text stays readable, loaded
    lazily."""

    def link(found: re.Match) -> str:
        if found["src"].startswith("data:"):  # a browser opens no data: address from a link
            return found[0]
        path = asset_file(found["src"], page, config)
        size = figure_size(path, path.stat().st_mtime) if path else None
        # A figure loads as the reader scrolls near it, not with the page's first screen.
        image = found[0].replace("<img ", '<img loading="lazy" ', 1)
        if size is not None:
            tag_end = -2 if image.endswith("/>") else -1
            image = (
                f'{image[:tag_end].rstrip()} data-text-px="{size.text:.1f}"'
                f' style="--figure-min-width: {size.min_width()}px"{image[tag_end:]}'
            )
        return f'<a class="figure-link" href="{found["src"]}">{image}</a>'

    return IMAGE.sub(link, html)
