"""The record of GPU proofs: which GPU-only outputs a GPU run printed as their pages show them.

    proofs = load_record()                    # tests/gpu-verification.json, as Proof objects
    page_proofs(Path("docs/01-tensors.md"))   # each GPU-only block, with its proof or None

A GPU-only block (skip directive `if(not torch.cuda.is_available(), ...)`) cannot run in CI, so
its output fence is proven by a recorded GPU run (`make gpu-check`, tools/publish/gpu_check.py,
writes the record), or shown on the site as expected. An output counts as proven only while the
record holds a proof whose hashes match the page as it is now (`proof_for`): editing the block's
code or its fence makes it unproven again, and the site shows it as "Expected output: not yet run
on a GPU" (tools/site/chapter_page.py). Part of the page model: the site and the notebooks read
the proofs without needing the GPU run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from snippets.files import atomic_write
from tools.pages import harness
from tools.pages.harness import Block
from tools.pages.languages import english_of
from tools.pages.page import Page

RECORD = harness.ROOT / "tests" / "gpu-verification.json"


@dataclass(frozen=True)
class Proof:
    """A GPU-only block that ran on a GPU and printed the output its fence shows."""

    page: str  # the chapter's file name
    code: str  # digest() of the block's code
    output: str  # digest() of its output fence ("" where the block prints nothing)
    device: str
    torch: str
    date: str

    def sentence(self) -> str:
        return f"Verified {self.run()}"

    def run(self) -> str:
        """The run that proved it, in words: "on <device>, torch <version>, <date>"."""
        return f"on {self.device}, torch {self.torch}, {self.date}"


def digest(text: str | None) -> str:
    """A short hash of a block's code or output, as written on the page."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()[:16]


def gpu_blocks(path: Path) -> list[Block]:
    """The blocks of a page that run only where CUDA exists."""
    return [block for block in Page.of(path).blocks if block.skip and block.skip.kind == "gpu"]


def load_record(record: Path = RECORD) -> list[Proof]:
    if not record.is_file():
        return []
    return [Proof(**entry) for entry in json.loads(record.read_text(encoding="utf-8"))["proofs"]]


def proof_for(page: str, block: Block, proofs: list[Proof]) -> Proof | None:
    """The latest proof of this block as it is now on the page, if any."""
    matching = [
        proof
        for proof in proofs
        if (proof.page, proof.code, proof.output)
        == (page, digest(block.source), digest(block.expected))
    ]
    return max(matching, key=lambda proof: proof.date, default=None)


def page_proofs(path: Path, record: Path = RECORD) -> list[tuple[Block, Proof | None]]:
    """Each GPU-only block of a page, with its proof or None (its output is only expected). A
    translation's blocks are its English page's (tools/site/translations.py): so are its proofs."""
    proofs = load_record(record)
    page = english_of(path).name
    return [(block, proof_for(page, block, proofs)) for block in gpu_blocks(path)]


def write_record(proofs: list[Proof], run: dict, record: Path = RECORD) -> None:
    """Add this run's proofs and summary to the record; a proof of the same block and output
    replaces the older one."""
    old = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    new = {(proof.page, proof.code, proof.output) for proof in proofs}
    kept = [
        asdict(proof)
        for proof in load_record(record)
        if (proof.page, proof.code, proof.output) not in new
    ]
    content = {
        "about": "GPU-only blocks proven by `make gpu-check` (tools/publish/gpu_check.py)",
        "proofs": kept + [asdict(proof) for proof in proofs],
        "runs": [*old.get("runs", []), run],
    }
    atomic_write(record, (json.dumps(content, indent=1) + "\n").encode("utf-8"))
