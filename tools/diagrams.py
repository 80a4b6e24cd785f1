"""The chapters' diagrams, drawn by code so that they stay true to what the pages teach.

    python -m tools.diagrams        # (re)write docs/assets/diagram-*.svg; `make outputs` runs it

Each function draws one diagram with Matplotlib; the numbers in the broadcasting and reduction
diagrams are computed with torch, by the same operations the chapter shows. A test redraws them
and fails when a file differs from its code.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle  # noqa: E402

ASSETS = Path(__file__).resolve().parents[1] / "docs" / "assets"
FONT = 12
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
            ax.text(
                x + column + 0.5,
                y - row - 0.5,
                f"{value:g}",
                ha="center",
                va="center",
                fontsize=FONT,
                color=TEXT,
                alpha=0.6 if faded else 1.0,
            )


def broadcasting():
    """A (3, 1) column plus a (4,) row: both stretched to (3, 4), then added."""
    column = torch.tensor([[0], [10], [20]])
    row = torch.tensor([1, 2, 3, 4])
    fig, ax = plt.subplots(figsize=(9, 3.2))
    grid(ax, column, 0, 3, BLUE)
    grid(ax, column.expand(3, 4)[:, 1:], 1, 3, BLUE, faded=True)
    ax.text(5.0, 1.5, "+", fontsize=FONT + 8, ha="center", va="center", color=TEXT)
    grid(ax, row.view(1, 4), 6, 3, ORANGE)
    grid(ax, row.expand(3, 4)[1:], 6, 2, ORANGE, faded=True)
    ax.text(10.5, 1.5, "=", fontsize=FONT + 8, ha="center", va="center", color=TEXT)
    grid(ax, column + row, 11, 3, GREY)
    ax.text(2, 3.4, "column (3, 1)", ha="center", fontsize=FONT, color=TEXT)
    ax.text(8, 3.4, "row (4,) as (1, 4)", ha="center", fontsize=FONT, color=TEXT)
    ax.text(13, 3.4, "result (3, 4)", ha="center", fontsize=FONT, color=TEXT)
    ax.text(
        7.5,
        -0.6,
        "dashed cells: stretched copies that are never stored",
        ha="center",
        fontsize=FONT - 1,
        color=TEXT,
    )
    ax.set(xlim=(-0.3, 15.3), ylim=(-1.0, 3.9), aspect="equal")
    ax.axis("off")
    return fig


def reduction():
    """sum over dim=0 collapses the rows; sum over dim=1 collapses the columns."""
    scores = torch.tensor([[1.0, 2.0, 2.0, 7.0], [3.0, 3.0, 5.0, 1.0], [4.0, 6.0, 6.0, 6.0]])
    fig, ax = plt.subplots(figsize=(9, 3.6))
    grid(ax, scores, 0, 3, GREY)
    grid(ax, scores.sum(dim=0, keepdim=True), 0, -0.6, BLUE)
    ax.annotate(
        "",
        xy=(2, -0.55),
        xytext=(2, 0.0),
        arrowprops={"arrowstyle": "->", "color": TEXT, "lw": 1.5},
    )
    ax.text(4.3, -1.1, "sum(dim=0): shape (4,)", fontsize=FONT, va="center", color=TEXT)
    grid(ax, scores.sum(dim=1, keepdim=True), 7, 3, ORANGE)
    ax.annotate(
        "",
        xy=(6.95, 1.5),
        xytext=(4.1, 1.5),
        arrowprops={"arrowstyle": "->", "color": TEXT, "lw": 1.5},
    )
    ax.text(8.3, 1.5, "sum(dim=1):\nshape (3,)", fontsize=FONT, va="center", color=TEXT)
    ax.text(2, 3.4, "scores (3, 4)", ha="center", fontsize=FONT, color=TEXT)
    ax.set(xlim=(-0.3, 11), ylim=(-1.9, 3.9), aspect="equal")
    ax.axis("off")
    return fig


def boxes_in_a_row(ax, labels: list[str], colours: list[str], y: float, width: float) -> None:
    for index, (label, colour) in enumerate(zip(labels, colours, strict=True)):
        x = index * (width + 0.6)
        ax.add_patch(
            FancyBboxPatch(
                (x, y), width, 1.3, boxstyle="round,pad=0.05", facecolor=colour, edgecolor=TEXT
            )
        )
        ax.text(
            x + width / 2, y + 0.65, label, ha="center", va="center", fontsize=FONT - 1, color=TEXT
        )
        if index:
            ax.add_patch(
                FancyArrowPatch(
                    (x - 0.6, y + 0.65),
                    (x, y + 0.65),
                    arrowstyle="->",
                    mutation_scale=14,
                    color=TEXT,
                )
            )


def lenet_shapes():
    """The shape of a batch of B images after each step of Net.forward."""
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
    labels, colours = [], []
    with torch.no_grad():
        for name, step in steps:
            shape = step(shape)
            size = ", ".join(str(n) for n in shape.shape[1:])
            labels.append(f"{name}\n(B, {size})")
            colours.append(BLUE if shape.ndim == 4 else ORANGE)
    fig, ax = plt.subplots(figsize=(9, 4.2))
    boxes_in_a_row(ax, labels[:4], colours[:4], 2.0, 1.9)
    boxes_in_a_row(ax, labels[4:], colours[4:], 0.0, 1.9)
    ax.add_patch(
        FancyArrowPatch(
            (3 * 2.5 + 0.95, 2.0),
            (0.95, 1.3),
            connectionstyle="arc3,rad=0.15",
            arrowstyle="->",
            mutation_scale=14,
            color=TEXT,
        )
    )
    ax.text(
        5.1,
        3.75,
        "blue: image-shaped (channels, height, width); orange: flat vectors",
        ha="center",
        fontsize=FONT - 1,
        color=TEXT,
    )
    ax.set(xlim=(-0.2, 9.8), ylim=(-0.3, 4.1))
    ax.axis("off")
    return fig


def training_loop():
    """The steps of one training epoch, and the validation pass after it."""
    fig, ax = plt.subplots(figsize=(9, 4.0))
    steps = [
        "next batch",
        "zero_grad()",
        "forward:\nmodel(images)",
        "loss_fn(\nlogits, labels)",
        "loss.backward()",
        "optimizer.step()",
    ]
    positions = [(0, 2.2), (2.4, 2.2), (4.8, 2.2), (7.2, 2.2), (7.2, 0.2), (4.8, 0.2)]
    for label, (x, y) in zip(steps, positions, strict=True):
        ax.add_patch(
            FancyBboxPatch(
                (x, y),
                2.0,
                1.2,
                boxstyle="round,pad=0.05",
                facecolor=ORANGE if "backward" in label or "step" in label else BLUE,
                edgecolor=TEXT,
            )
        )
        ax.text(x + 1.0, y + 0.6, label, ha="center", va="center", fontsize=FONT - 1, color=TEXT)
    arrows = [
        ((2.0, 2.8), (2.4, 2.8)),
        ((4.4, 2.8), (4.8, 2.8)),
        ((6.8, 2.8), (7.2, 2.8)),
        ((8.2, 2.2), (8.2, 1.4)),
        ((7.2, 0.8), (6.8, 0.8)),
        ((4.8, 0.8), (1.0, 2.15)),
    ]
    for start, end in arrows:
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="->",
                mutation_scale=14,
                color=TEXT,
                connectionstyle="arc3,rad=-0.2" if end == (1.0, 2.15) else "arc3",
            )
        )
    ax.text(
        1.6,
        0.4,
        "every batch of the epoch;\nthen, after the epoch:\nvalidation under\n"
        "model.eval() and no_grad()",
        fontsize=FONT - 2,
        ha="center",
        va="center",
        color=TEXT,
    )
    ax.set(xlim=(-0.2, 9.4), ylim=(-0.1, 3.6))
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
        prog="python -m tools.diagrams", description=__doc__.split("\n\n")[0]
    )
    parser.parse_args(argv)
    for path in write_all():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
