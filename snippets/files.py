"""Write files atomically: a reader sees the old content or the new one, never half of it.

from snippets.files import atomic_write
atomic_write(Path("runs/table.md"), text.encode())
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write `data` to a temporary file next to `path`, then rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as file:
        file.write(data)
    os.chmod(file.name, 0o644)
    os.replace(file.name, path)
