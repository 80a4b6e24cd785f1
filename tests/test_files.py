"""Tests of snippets/files.py: atomic writes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from snippets import files


def test_atomic_write_creates_folders_replaces_content_and_leaves_no_temp_file(tmp_path: Path):
    path = tmp_path / "runs" / "table.md"
    files.atomic_write(path, b"first")
    files.atomic_write(path, b"second")
    assert path.read_bytes() == b"second"
    assert [p.name for p in path.parent.iterdir()] == ["table.md"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_write_keeps_the_old_content(tmp_path: Path, monkeypatch):
    path = tmp_path / "table.md"
    files.atomic_write(path, b"old")

    def crash(*args):
        raise OSError("interrupted")

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(OSError, match="interrupted"):
        files.atomic_write(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.md"]  # the temporary file is gone


def test_save_figure_is_reproducible_closes_the_figure_and_checks_the_format(tmp_path: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def draw():
        figure, ax = plt.subplots()
        ax.plot([1, 2, 3])
        return figure

    figure = draw()
    files.save_figure(figure, tmp_path / "a.png")
    assert not plt.fignum_exists(figure.number)
    files.save_figure(draw(), tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    with pytest.raises(ValueError, match=r"writes .svg or .png files, got 'c.jpg'"):
        files.save_figure(draw(), tmp_path / "c.jpg")
    plt.close("all")
