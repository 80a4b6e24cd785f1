"""Tests of tools/gpu_check.py: what the stamps may claim about GPU verification."""

from __future__ import annotations

import json
from pathlib import Path

from tools import gpu_check, harness

TENSORS = harness.DOCS / "01-tensors.md"


def record(tmp_path: Path, runs: list[dict]) -> Path:
    path = tmp_path / "gpu-verification.json"
    path.write_text(json.dumps(runs), encoding="utf-8")
    return path


def run(passed: int, fingerprint: str, date: str = "2026-11-27") -> dict:
    blocks = len(gpu_check.gpu_blocks(TENSORS))
    page = {"gpu_blocks": blocks, "passed": passed, "fingerprint": fingerprint}
    return {"date": date, "device": "NVIDIA H200", "torch": "2.11.0", "pages": {TENSORS.name: page}}


def test_the_gpu_only_blocks_of_a_page_are_those_with_a_cuda_condition():
    blocks = gpu_check.gpu_blocks(TENSORS)
    assert len(blocks) == 4 and all("cuda" in block.skip.condition for block in blocks)
    assert gpu_check.gpu_blocks(harness.DOCS / "02-creating-tensors.md") == []


def test_a_page_claims_only_a_run_that_passed_its_current_gpu_blocks(tmp_path: Path):
    current = gpu_check.fingerprint(gpu_check.gpu_blocks(TENSORS))
    blocks = len(gpu_check.gpu_blocks(TENSORS))
    assert gpu_check.latest_verification(TENSORS, tmp_path / "none.json") is None
    passed = record(tmp_path, [run(blocks, current)])
    verified = gpu_check.latest_verification(TENSORS, passed)
    assert verified.sentence() == "GPU blocks verified on NVIDIA H200, torch 2.11.0, 2026-11-27"
    changed = record(tmp_path, [run(blocks, "another-version-of-the-blocks")])
    assert gpu_check.latest_verification(TENSORS, changed) is None
    failed_later = record(tmp_path, [run(blocks, current), run(blocks - 1, current, "2026-12-01")])
    assert gpu_check.latest_verification(TENSORS, failed_later) is None


def test_the_junit_report_is_read_per_page_and_line(tmp_path: Path):
    junit = tmp_path / "junit.xml"
    junit.write_text(
        "<testsuites><testsuite>"
        '<testcase classname="docs.01-tensors.md" name="line:123,column:1"/>'
        '<testcase classname="docs.01-tensors.md" name="line:182,column:1">'
        "<failure message='x'/></testcase>"
        '<testcase classname="docs.01b-gpu-transfer.md" name="line:30,column:1">'
        "<skipped/></testcase>"
        '<testcase classname="tests.test_devices" name="test_something"/>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )
    assert gpu_check.outcomes_by_line(junit) == {
        ("01-tensors.md", 123): "passed",
        ("01-tensors.md", 182): "failed",
        ("01b-gpu-transfer.md", 30): "skipped",
    }
    assert gpu_check.totals_of(junit)["failed"] == 1


def test_the_record_in_the_repository_is_well_formed():
    if not gpu_check.RECORD.is_file():
        return  # no GPU run recorded yet: no page claims one
    for entry in json.loads(gpu_check.RECORD.read_text(encoding="utf-8")):
        assert {"date", "device", "torch", "passed", "failed", "pages"} <= set(entry)
        for name in entry["pages"]:
            assert (harness.DOCS / name).is_file(), name
