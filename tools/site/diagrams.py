"""The chapters' diagrams, drawn by code so that they stay true to what the pages teach.

    python -m tools.site.diagrams   # (re)write docs/assets/diagram-*.svg; `make outputs` runs it

Each function draws one diagram with Matplotlib; the numbers in the broadcasting and reduction
diagrams are computed with torch, by the same operations the chapter shows. A test redraws them
and fails when a file differs from its code.

They are drawn for a phone: at most WIDTH inches wide, text at least SMALL points, so that a
390-pixel screen (a 358-pixel column) shows them whole with text of 10 pixels or more
(tests/test_site.py measures it); a desktop shows them at full size.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]  # the project: this file is tools/<package>/<name>.py
ASSETS = ROOT / "docs" / "assets"
FONT, SMALL = 13, 12  # points: labels, and captions (the smallest text of every diagram)
WIDTH = 5.6  # inches, at most: 403 points, shown at 358 px on a phone, so 12 pt -> 10.7 px
BLUE, ORANGE, GREY, TEXT = "#dbeafe", "#fed7aa", "#e5e7eb", "#111827"


def grid(ax, values: torch.Tensor, x: float, y: float, colour: str, faded: bool = False) -> None:
    """Draw a 2-d tensor as a grid of numbered cells, top-left corner at (x, y)."""
    for row, line in enumerate(values.tolist()):
        for column, value in enumerate(line):
            ax.add_patch(
                Rectangle(
                    (x + column, y - row - 1),
                    1,
                    1,
                    facecolor=colour,
                    edgecolor=TEXT,
                    linestyle="--" if faded else "-",
                    alpha=0.45 if faded else 1.0,
                )
            )
            note(
                ax,
                x + column + 0.5,
                y - row - 0.5,
                f"{value:g}",
                ha="center",
                va="center",
                alpha=0.6 if faded else 1.0,
            )


def broadcasting():
    """A (3, 1) column plus a (4,) row: both stretched to (3, 4), then added."""
    column = torch.tensor([[0], [10], [20]])
    row = torch.tensor([1, 2, 3, 4])
    fig, ax = plt.subplots(figsize=(WIDTH, 2.9))
    grid(ax, column, 0, 3, BLUE)
    grid(ax, column.expand(3, 4)[:, 1:], 1, 3, BLUE, faded=True)
    ax.text(4.75, 1.5, "+", fontsize=FONT + 6, ha="center", va="center", color=TEXT)
    grid(ax, row.view(1, 4), 5.5, 3, ORANGE)
    grid(ax, row.expand(3, 4)[1:], 5.5, 2, ORANGE, faded=True)
    ax.text(10.25, 1.5, "=", fontsize=FONT + 6, ha="center", va="center", color=TEXT)
    grid(ax, column + row, 11, 3, GREY)
    note(ax, 2, 3.35, "column (3, 1)", ha="center")
    note(ax, 7.5, 3.35, "row (4,) as (1, 4)", ha="center")
    note(ax, 13, 3.35, "result (3, 4)", ha="center")
    note(
        ax,
        7.5,
        -0.55,
        "dashed cells: stretched copies,\nnever stored",
        ha="center",
        va="top",
    )
    ax.set(xlim=(-0.2, 15.2), ylim=(-1.9, 4.0), aspect="equal")
    ax.axis("off")
    return fig


def reduction():
    """sum over dim=0 collapses the rows; sum over dim=1 collapses the columns."""
    scores = torch.tensor([[1.0, 2.0, 2.0, 7.0], [3.0, 3.0, 5.0, 1.0], [4.0, 6.0, 6.0, 6.0]])
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    grid(ax, scores, 0, 3, GREY)
    grid(ax, scores.sum(dim=0, keepdim=True), 0, -0.6, BLUE)
    ax.annotate(
        "",
        xy=(2, -0.55),
        xytext=(2, 0.0),
        arrowprops={"arrowstyle": "->", "color": TEXT, "lw": 1.5},
    )
    note(ax, 4.3, -1.1, "sum(dim=0):\nshape (4,)", va="center")
    grid(ax, scores.sum(dim=1, keepdim=True), 7, 3, ORANGE)
    ax.annotate(
        "",
        xy=(6.95, 1.5),
        xytext=(4.1, 1.5),
        arrowprops={"arrowstyle": "->", "color": TEXT, "lw": 1.5},
    )
    note(ax, 8.3, 1.5, "sum(dim=1):\nshape (3,)", va="center")
    note(ax, 2, 3.35, "scores (3, 4)", ha="center")
    ax.set(xlim=(-0.3, 10.8), ylim=(-1.9, 3.9), aspect="equal")
    ax.axis("off")
    return fig


def note(ax, x: float, y: float, words: str, **placement) -> None:
    """Words on a diagram in its small type and text colour (`placement`: ha, va, alpha)."""
    ax.text(x, y, words, fontsize=SMALL, color=TEXT, **placement)


def box(ax, label: str, x: float, y: float, colour: str, width: float = 2.0) -> None:
    """A rounded box, `width` by 0.9, its lower left corner at (x, y), its label centred."""
    ax.add_patch(
        FancyBboxPatch(
            (x, y), width, 0.9, boxstyle="round,pad=0.04", facecolor=colour, edgecolor=TEXT
        )
    )
    note(ax, x + width / 2, y + 0.45, label, ha="center", va="center")


def arrow(ax, start: tuple, end: tuple, bend: float = 0.0) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="->",
            mutation_scale=14,
            color=TEXT,
            connectionstyle=f"arc3,rad={bend}",
        )
    )


def lenet_shapes():
    """The shape of a batch of B images after each step of Net.forward: down the left column,
    then down the right one."""
    from snippets.cifar10.model import Net

    net, shape = Net(), torch.zeros(1, 3, 32, 32)
    steps = [
        ("images", lambda x: x),
        ("conv1 + relu", lambda x: torch.relu(net.conv1(x))),
        ("pool", net.pool),
        ("conv2 + relu", lambda x: torch.relu(net.conv2(x))),
        ("pool", net.pool),
        ("flatten", lambda x: torch.flatten(x, 1)),
        ("fc1, fc2", lambda x: net.fc2(torch.relu(net.fc1(x)))),
        ("fc3: logits", lambda x: net.fc3(torch.relu(x))),
    ]
    fig, ax = plt.subplots(figsize=(WIDTH, 5.2))
    with torch.no_grad():
        for index, (name, step) in enumerate(steps):
            shape = step(shape)
            size = ", ".join(str(n) for n in shape.shape[1:])
            x, y = (0.0 if index < 4 else 3.2), 3.6 - (index % 4) * 1.25
            box(ax, f"{name}\n(B, {size})", x, y, BLUE if shape.ndim == 4 else ORANGE)
            if index % 4:
                arrow(ax, (x + 1.0, y + 1.25), (x + 1.0, y + 0.92))
    arrow(ax, (2.08, -0.1), (3.12, 4.05))  # from the left column's end to the right's start
    note(
        ax,
        2.6,
        4.85,
        "blue: image-shaped (channels, height, width)\norange: flat vectors",
        ha="center",
        va="center",
    )
    ax.set(xlim=(-0.1, 5.3), ylim=(-0.3, 5.3))
    ax.axis("off")
    return fig


def training_loop():
    """The steps of one training epoch, round the loop, and the validation pass after it."""
    fig, ax = plt.subplots(figsize=(WIDTH, 4.6))
    steps = [  # down the left column, then up the right one, then back to the start
        ("next batch", 0.0, 2.6),
        ("zero_grad()", 0.0, 1.3),
        ("forward:\nmodel(images)", 0.0, 0.0),
        ("loss_fn(\nlogits, labels)", 3.0, 0.0),
        ("loss.backward()", 3.0, 1.3),
        ("optimizer.step()", 3.0, 2.6),
    ]
    for label, x, y in steps:
        colour = ORANGE if "backward" in label or "step" in label else BLUE
        box(ax, label, x, y, colour, width=2.1)
    arrow(ax, (1.05, 2.6), (1.05, 2.22))
    arrow(ax, (1.05, 1.3), (1.05, 0.92))
    arrow(ax, (2.12, 0.45), (2.98, 0.45))
    arrow(ax, (4.05, 0.92), (4.05, 1.28))
    arrow(ax, (4.05, 2.22), (4.05, 2.58))
    arrow(ax, (2.98, 3.05), (2.12, 3.05))
    note(
        ax,
        2.55,
        4.0,
        "for every batch of the epoch",
        ha="center",
        va="center",
    )
    note(
        ax,
        2.55,
        -0.55,
        "then, after the epoch: validation\nunder model.eval() and no_grad()",
        ha="center",
        va="top",
    )
    ax.set(xlim=(-0.1, 5.2), ylim=(-1.4, 4.3))
    ax.axis("off")
    return fig


DIAGRAMS = {
    "diagram-broadcasting.svg": broadcasting,
    "diagram-reduction.svg": reduction,
    "diagram-lenet-shapes.svg": lenet_shapes,
    "diagram-training-loop.svg": training_loop,
}


def draw(name: str) -> bytes:
    """The bytes of one diagram as written to docs/assets/ (reproducible: no date, fixed ids)."""
    import io

    matplotlib.rcParams["svg.hashsalt"] = "pytorch-essential-training"
    figure = DIAGRAMS[name]()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def write_all(folder: Path = ASSETS) -> list[Path]:
    written = []
    for name in DIAGRAMS:
        path = folder / name
        content = draw(name)
        if not path.is_file() or path.read_bytes() != content:
            from snippets.files import atomic_write

            atomic_write(path, content)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.site.diagrams", description=__doc__.split("\n\n")[0]
    )
    parser.parse_args(argv)
    for path in write_all():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
