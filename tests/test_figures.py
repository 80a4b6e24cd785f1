"""Tests of tools/site/figures.py: a figure's size and its smallest text, read from the file."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

from snippets.files import PNG_TEXT_SIZE
from tools.site.figures import FigureSize, png_size


def png(text: dict[str, str], compressed: bool = False) -> bytes:
    """A 40 x 20 PNG with `text` in text chunks (iTXt, compressed, where `compressed`)."""
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        if compressed:
            info.add_itxt(key, value, zip=True)
        else:
            info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def test_a_png_gives_its_width_and_the_text_size_save_figure_records():
    assert png_size(png({"Software": "x", PNG_TEXT_SIZE: "13.9"})) == FigureSize(40, 13.9)


def test_the_text_size_is_read_from_any_kind_of_text_chunk():
    assert png_size(png({PNG_TEXT_SIZE: "12.5"}, compressed=True)) == FigureSize(40, 12.5)


def test_a_png_without_the_text_size_or_not_a_png_gives_none():
    assert png_size(png({"Software": "x"})) is None
    assert png_size(b"<svg/>") is None
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="GIF")
    assert png_size(buffer.getvalue()) is None
