"""Write files atomically: a reader sees the old content or the new one, never half of it.

from snippets.files import atomic_write, save_figure

atomic_write(Path("runs/table.md"), text.encode())
save_figure(figure, Path("runs/curves.png"))  # byte-for-byte reproducible, then closed
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

# A PNG's text chunk with the size of the figure's smallest text, in pixels of the image: the
# site (tools/site/figures.py) keeps a figure wide enough on a phone for that text to be read.
PNG_TEXT_SIZE = "Smallest text (px)"


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write `data` to a temporary file next to `path`, flush it to the disk, then rename it over
    `path`.

    If anything fails on the way, `path` keeps its old content and the temporary file is removed.
    The flushes (of the file before the rename, of the folder after it) make that hold after a
    crash of the machine too, not only of the program.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # the bytes on the disk before the name points to them
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename in it) to the disk, where the system allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; its renames are flushed with the file
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems refuse to sync a folder; the file itself is synced
        pass
    finally:
        os.close(descriptor)


def save_figure(figure, path: str | Path) -> None:
    """Save a Matplotlib figure as SVG or PNG (by the suffix), atomically, then close it.

    The file carries no date or software version, so the same figure gives the same bytes.
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    kind = path.suffix.lstrip(".").lower()
    if kind not in ("svg", "png"):
        raise ValueError(f"save_figure writes .svg or .png files, got {path.name!r}")
    metadata = {"Date": None} if kind == "svg" else {"Software": None}
    smallest = smallest_text(figure) if kind == "png" else None
    if smallest:
        metadata[PNG_TEXT_SIZE] = f"{smallest * 100 / 72:.1f}"  # points, in pixels at 100 dpi
    buffer = io.BytesIO()
    figure.savefig(buffer, format=kind, metadata=metadata, bbox_inches="tight", dpi=100)
    atomic_write(path, buffer.getvalue())
    plt.close(figure)


def smallest_text(figure) -> float | None:
    """The size, in points, of the smallest text a Matplotlib figure draws (None: no text)."""
    from matplotlib.text import Text

    figure.draw_without_rendering()  # tick labels get their text when the figure is drawn
    # The tick labels of an axes turned off (ax.axis("off")) exist, but are not drawn.
    hidden = {
        id(text)
        for ax in figure.axes
        if not ax.axison
        for axis in (ax.xaxis, ax.yaxis)
        for text in axis.findobj(Text)
    }
    sizes = [
        text.get_fontsize()
        for text in figure.findobj(Text)
        if id(text) not in hidden and text.get_visible() and text.get_text().strip()
    ]
    return min(sizes, default=None)
