"""Tests of tools/site/settings.py and tools/site/chapter_page.py: one repository setting,
links, badges."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace

import pytest

from tools.pages.syntax import SkipIf
from tools.site import chapter_page, settings

pytestmark = [pytest.mark.tooling]


@pytest.fixture(autouse=True)
def no_settings(monkeypatch):
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    monkeypatch.delenv("SITE_URL", raising=False)


def remote(monkeypatch, url: str) -> None:
    def run(*args, **kwargs):
        return subprocess.CompletedProcess(args, 0, stdout=url + "\n", stderr="")

    monkeypatch.setattr(settings.subprocess, "run", run)


def test_the_pages_workflow_names_the_repository(monkeypatch):
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/pytorch-essential-training")
    assert settings.repository() == "someone/pytorch-essential-training"
    assert settings.site_url("someone/pytorch-essential-training") == (
        "https://someone.github.io/pytorch-essential-training/"
    )


@pytest.mark.parametrize(
    "url",
    [
        "git@github.com:Owner/repo.git",
        "https://github.com/Owner/repo",
        "https://github.com/Owner/repo.git",
    ],
)
def test_a_local_build_reads_the_github_remote(monkeypatch, url: str):
    remote(monkeypatch, url)
    assert settings.repository() == "Owner/repo"


def test_without_a_github_remote_there_is_no_repository(monkeypatch):
    remote(monkeypatch, "/home/me/clones/pytorch-essential-training")
    assert settings.repository() is None
    assert settings.site_url(None) == "" and settings.install_target(None) is None


def test_a_malformed_repository_setting_is_named(monkeypatch):
    monkeypatch.setenv("GITHUB_REPOSITORY", "not a repository")
    with pytest.raises(ValueError, match="must look like owner/name"):
        settings.repository()


def test_site_url_can_be_set_for_local_serving(monkeypatch):
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8000")
    assert settings.site_url("owner/repo") == "http://127.0.0.1:8000/"


def config(repository: str | None):
    return SimpleNamespace(extra={"repository": repository})


def test_chapter_links_name_the_notebook_page_the_download_and_colab_when_there_is_a_repository():
    page = SimpleNamespace(url="01-tensors/")
    links = chapter_page.notebook_links("01-tensors", page, config("owner/repo"), "en")
    assert 'href="../notebooks/01-tensors/">Notebook<' in links
    assert 'href="../notebooks/01-tensors/01-tensors.ipynb" download>' in links
    assert (
        "https://colab.research.google.com/github/owner/repo/blob/gh-pages/notebooks/01-tensors/"
        "01-tensors.ipynb" in links
    )
    assert "colab" not in chapter_page.notebook_links("01-tensors", page, config(None), "en")


def test_a_skip_directive_shows_as_a_badge_that_says_what_its_block_needs():
    def badge(condition: str, reason: str) -> str:
        return chapter_page.skip_badge(SkipIf(condition, reason), "en")

    gpu = badge("not torch.cuda.is_available()", "needs a CUDA GPU")
    assert "skip-badge--gpu" in gpu and "needs a CUDA GPU" in gpu
    assert "Without an NVIDIA GPU, skip it" in gpu  # what a learner on a CPU does
    fallback = badge("torch.cuda.is_available()", "this machine has CUDA")
    assert "skip-badge--no-gpu" in fallback and "GPU only" not in fallback
    other = badge("using_stand_in()", "needs the real CIFAR-10 download")
    assert "skip-badge--conditional" in other and "needs the real CIFAR-10 download" in other


def test_the_stamp_is_one_summary_line_and_folded_details():
    html = (
        '<!-- outputs-stamp: {"torch": "2.14.1+cu130", "device": "CPU (x86_64)", "data": "the'
        ' stand-in (synthetic images, not CIFAR-10), training split, 5,000 images", "date":'
        ' "2026-11-27"} -->'
    )
    stamp = chapter_page.stamp(html, [], "en")  # a page without GPU-only blocks
    summary = stamp.split("<summary>")[1].split("</summary>")[0]
    date = '<span class="stamp-date">2026-11-27</span>'
    assert summary == f"Outputs verified with torch 2.14.1 on CPU · stand-in data · {date}"
    assert "(the cu130 build)" in stamp and "training split, 5,000 images" in stamp
    assert "GPU" not in stamp
