"""Tests of tools/publish/gpu_check.py: which GPU-only outputs a recorded GPU run proves, and how
the site and the notebooks show each one (verified, or expected)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.pages import gpu_proofs, harness
from tools.pages.gpu_proofs import Proof, digest
from tools.publish import gpu_check
from tools.site import chapter_page, notebooks

TENSORS = harness.DOCS / "01-tensors.md"
FIXTURE = Path(__file__).parent / "fixtures" / "gpu-run-blocks.json"
RUN = {"date": "2026-11-27", "device": "NVIDIA H200", "torch": "2.11.0"}
# A page with three GPU-only blocks (lines 13, 23, 33) and one that runs anywhere (line 3); the
# fixture holds what a GPU run of it printed, in the format conftest.py writes (PET_BLOCKS_JSON).
GPU_PAGE = """\
```python
print("cpu")
```

```output
cpu
```

<!-- skip: next if(not torch.cuda.is_available(), reason="needs a CUDA GPU") -->

```python
print(torch.ones(2, device="cuda") * 2)
```

```output
tensor([2., 2.])
```

<!-- skip: next if(not torch.cuda.is_available(), reason="needs a CUDA GPU") -->

```python
print("ok on", torch.ones(1, device="cuda").device)
```

```output
ok on ...
```

<!-- skip: next if(not torch.cuda.is_available(), reason="needs a CUDA GPU") -->

```python
print(torch.ones(1, device="cuda:7"))
```

```output
tensor([1.], device='cuda:7')
```
"""


def gpu_page(tmp_path: Path) -> Path:
    path = tmp_path / "gpu-page.md"
    path.write_text("# A GPU page\n\n" + GPU_PAGE, encoding="utf-8")
    return path


def proof_of(path: Path, block, **changes) -> Proof:
    fields = {"page": path.name, "code": digest(block.source), "output": digest(block.expected)}
    return Proof(**{**fields, **RUN, **changes})


def record(tmp_path: Path, proofs: list[Proof]) -> Path:
    """A record that holds just these proofs."""
    path = tmp_path / "gpu-verification.json"
    path.unlink(missing_ok=True)
    gpu_proofs.write_record(proofs, {"date": "2026-11-27"}, path)
    return path


def test_the_gpu_only_blocks_of_a_page_are_those_that_need_cuda():
    blocks = gpu_proofs.gpu_blocks(TENSORS)
    assert len(blocks) == 4 and all(block.skip.kind == "gpu" for block in blocks)
    assert gpu_proofs.gpu_blocks(harness.DOCS / "02-creating-tensors.md") == []


def test_a_proof_counts_only_while_code_and_fence_are_as_it_recorded_them(tmp_path: Path):
    path = gpu_page(tmp_path)
    block = gpu_proofs.gpu_blocks(path)[0]
    assert gpu_proofs.page_proofs(path, tmp_path / "none.json")[0] == (block, None)
    right = proof_of(path, block)
    assert gpu_proofs.page_proofs(path, record(tmp_path, [right]))[0][1] == right
    for wrong in [
        proof_of(path, block, code=digest(block.source + " # edited")),
        proof_of(path, block, output=digest("tensor([3., 3.])\n")),
        proof_of(path, block, code="0" * 16),
        proof_of(path, block, page="another-page.md"),
    ]:
        assert gpu_proofs.page_proofs(path, record(tmp_path, [wrong]))[0][1] is None
    path.write_text(path.read_text().replace("* 2)", "* 2.0)"), encoding="utf-8")  # code edited
    assert gpu_proofs.page_proofs(path, record(tmp_path, [right]))[0][1] is None


def test_a_recorded_gpu_run_rewrites_the_gpu_fences_and_proves_what_ran(tmp_path: Path):
    path = gpu_page(tmp_path)
    blocks_run = json.loads(FIXTURE.read_text(encoding="utf-8"))
    saved = tmp_path / "gpu-verification.json"
    proofs = gpu_check.apply_run(blocks_run, RUN, saved, pages=[path])
    text = path.read_text(encoding="utf-8")
    assert "tensor([2., 2.], device='cuda:0')" in text  # what the GPU printed, in its fence
    assert "```output\nok on ...\n```" in text  # an elision that still matches stays
    assert "```output\ncpu\n```" in text  # not GPU-only: left to the CPU runs
    assert "device='cuda:7'" in text  # raised on the GPU: its fence stays, unproven
    statuses = [proof is not None for _, proof in gpu_proofs.page_proofs(path, saved)]
    assert statuses == [True, True, False]
    assert {proof.device for proof in proofs} == {"NVIDIA H200"}
    again = gpu_check.apply_run(blocks_run, {**RUN, "date": "2026-12-01"}, saved, pages=[path])
    assert len(gpu_proofs.load_record(saved)) == 2 == len(again)  # newer proofs replace older
    assert len(json.loads(saved.read_text())["runs"]) == 2


CODE = '<div class="language-python highlight"><pre><code>{}</code></pre></div>'
OUTPUT = '<div class="language-output highlight no-copy"><pre><code>{}</code></pre></div>'
SKIP = '<!-- skip: next if({}, reason="{}") -->'


def rendered(path: Path, proofs: list) -> str:
    """What the hooks make of a GPU page's directives and outputs, in HTML as Material's."""
    html = []
    for block in harness.blocks(harness.parse(path)):
        if block.skip:
            html.append(SKIP.format(block.skip.condition, block.skip.reason))
        html.append(CODE.format(block.source))
        if block.expected is not None:
            html.append(OUTPUT.format(block.expected))
    return chapter_page.render_directives("\n".join(html), proofs, "en")


def test_each_gpu_output_renders_as_verified_or_as_expected(tmp_path: Path):
    path = gpu_page(tmp_path)
    first, second, third = gpu_proofs.gpu_blocks(path)
    proofs = [(first, proof_of(path, first)), (second, None), (third, None)]
    html = rendered(path, proofs)
    assert html.count("gpu-output--verified") == 1 and html.count("gpu-output--expected") == 2
    assert "Verified on NVIDIA H200, torch 2.11.0, 2026-11-27" in html
    assert html.count("Expected output: not yet run on a GPU") == 2
    assert html.count("skip-badge--gpu") == 3
    cpu_output = '<div class="language-output highlight no-copy"><pre><code>cpu'
    assert cpu_output in html  # the output of a block that runs anywhere keeps its style


def test_the_stamp_counts_the_proven_gpu_outputs(tmp_path: Path):
    path = gpu_page(tmp_path)
    first, second, third = gpu_proofs.gpu_blocks(path)
    fields = '{"torch": "2.14.1", "device": "CPU (x86_64)", "date": "2026-11-29"}'
    stamp = f"<!-- outputs-stamp: {fields} -->"
    none = chapter_page.stamp(stamp, [(first, None), (second, None), (third, None)], "en")
    assert "GPU-only outputs: 0 of 3 verified on a GPU" in none
    assert "not yet run on a GPU" in none and "Every output on this page but the GPU-only" in none
    one = chapter_page.stamp(
        stamp, [(first, proof_of(path, first)), (second, None), (third, None)], "en"
    )
    assert "GPU-only outputs: 1 of 3 verified on a GPU" in one and "NVIDIA H200" in one
    assert "GPU" not in chapter_page.stamp(stamp, [], "en")


def test_the_notebook_says_which_gpu_outputs_are_verified(tmp_path: Path):
    path = gpu_page(tmp_path)
    notebook = notebooks.chapter_notebook(path, "", None)
    notes = [
        c.source for c in notebook.cells if c.cell_type == "markdown" and "GPU only" in c.source
    ]
    assert len(notes) == 3 and all("expected, not yet run on a GPU" in note for note in notes)


@pytest.mark.parametrize(
    "chapter", [p for p in harness.chapters() if gpu_proofs.gpu_blocks(p)], ids=lambda p: p.stem
)
def test_every_gpu_only_output_on_the_site_is_marked_verified_or_expected(site, chapter):
    html = (site / chapter.stem / "index.html").read_text(encoding="utf-8")
    with_output = [
        (block, proof)
        for block, proof in gpu_proofs.page_proofs(chapter)
        if block.expected is not None
    ]
    verified = sum(proof is not None for _, proof in with_output)
    assert html.count("gpu-output--verified") == verified
    assert html.count("gpu-output--expected") == len(with_output) - verified
    assert f"GPU-only outputs: {verified} of {len(gpu_proofs.gpu_blocks(chapter))} verified" in html


def test_the_record_in_the_repository_is_well_formed():
    proofs = (
        gpu_proofs.load_record()
    )  # none until a GPU run is recorded: then every output is expected
    for proof in proofs:
        assert (harness.DOCS / proof.page).is_file(), proof.page
        assert len(proof.code) == len(proof.output) == 16
