"""How long anything in tools/ may wait: every limit, in one place, and how it travels.

Two kinds of limit:

- **Work** whose length depends on the machine (a chapter's block, a reader's run of a page, the
  site build, the browser sweep) has a limit in seconds *of the reference machine*, an idle
  2-core x86 runner like CI's, where each limit is several times what the work takes. `scaled()`
  multiplies it by this machine's slowness, measured when the wait starts (a block run in this
  process: once its base has passed, tools/verify/page_runs.py `alarm`): a small fixed piece of
  work is timed, and compared with what it takes on the reference machine. A slower CPU, or cores
  shared with other work, gets a longer limit; a faster machine never a shorter one.
- **Answers** that should come at once (git, a kernel's start, a socket, a package index) have
  fixed limits: a machine that is slow there is broken, not slow.

    limit = scaled(BLOCK)          # Limit(seconds=312.0, base=120, factor=2.6)
    limit.seconds                  # what to wait
    str(limit)                     # "312 s (120 s on the reference machine x 2.6, ...)"

pytest-timeout (pyproject.toml) is the backstop over all of them: a test that outlives TEST is
stopped, and its name printed with every thread's stack.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

# ---- work: seconds on the reference machine, scaled by `scaled()` ------------------------------
# A block of a chapter, in this process or in a reader's kernel. The longest (chapter 11's
# overfitting run) takes about a tenth of it alone on the reference machine.
BLOCK = 120
BUILD = 120  # the strict site build (about 8 s alone)
SWEEP = 600  # every page in Chromium, light and dark (about a minute alone)
READER_RUN = 600  # one page's reader run (chapter 11, the longest: about 40 s alone)
# `make publish-rehearsal`: one step of the Pages workflow (the longest: the tests, minutes).
WORKFLOW_STEP = 1800
# `make versions`: a lane of chapters under another torch release, page after page.
VERSIONS_LANE = 3 * 3600
# What a test waits for the shared work in the background: the reader lanes run one page after
# another, so a page may wait for every page before it in its lane.
BACKGROUND = 1200

# ---- answers: fixed seconds ---------------------------------------------------------------------
KERNEL_START = 60  # a Jupyter kernel's start (forked by the kernel server: under a second)
KERNEL_SERVER_START = 120  # the kernel server imports torch and torchvision once
STOP = 10  # a process asked to stop, before it is killed
COMMAND = 30  # a quick local command (git rev-parse, unshare's probe)
GIT = 120  # a local git command that writes (commit, clone of a local repository)
PUSH = 900  # `git push` of the site to gh-pages, over the network
INDEX = 120  # a package index's answer (which torch releases exist)
DOWNLOAD = 1800  # pip installing a torch release: about 2.9 GB
INSTALL = 600  # a virtual environment made, the project installed into it, torch imported once
# After Ctrl-C: how long the shared work may take to wind down once its kernels are stopped.
WIND_DOWN = 15

# `make gpu-check`'s pytest run on a CUDA machine: about 3 minutes on an H200, whose session is
# lent for 15 (fixed: a GPU machine is a known kind, and the session's time is what it is).
GPU_CHECK = 420

# ---- the backstop ---------------------------------------------------------------------------
TEST = 2400  # pytest-timeout's limit on any one test (pyproject.toml says the same)

# ---- the measure of a machine -------------------------------------------------------------------
# The probe: pure-Python arithmetic, a stand-in for the mixed work of a block (what matters is how
# a slower core or a shared one stretches it). REFERENCE_PROBE is its time on the idle reference
# machine (a 2-core AMD EPYC runner, median of 20 runs). A measure is the median of five: a probe
# much shorter than this, or fewer of them, can fit in one time slice of the scheduler and miss a
# share of the CPU that a longer block gets (tests/test_limits.py failed with 3 probes of 12 ms
# when its pytest ran at a lower priority beside make test).
PROBE_LOOPS = 600_000
REFERENCE_PROBE = 0.025


@dataclass(frozen=True)
class Limit:
    """A limit in seconds: `base` on the reference machine, times this machine's `factor`."""

    base: float
    factor: float = 1.0

    @property
    def seconds(self) -> float:
        return self.base * self.factor

    def __str__(self) -> str:
        if self.factor == 1.0:
            return f"{self.seconds:.0f} s"
        return (
            f"{self.seconds:.0f} s ({self.base:.0f} s on the reference machine x {self.factor:.1f},"
            " this machine's slowness as measured while it waited: tools/pages/limits.py)"
        )


def probe() -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of the probe in this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    total = 0
    for number in range(PROBE_LOOPS):
        total += number * number % 7
    return time.perf_counter() - wall, time.process_time() - cpu


def slowness(runs: int = 5) -> float:
    """How many times longer work takes here and now than on the reference machine, at least 1.

    The median probe's wall time over REFERENCE_PROBE: a slower core stretches its CPU time, cores
    shared with other processes stretch its wall time beyond that; both count.
    """
    walls = sorted(probe()[0] for _ in range(runs))
    return max(1.0, walls[len(walls) // 2] / REFERENCE_PROBE)


def scaled(base: float) -> Limit:
    """The limit for work that takes `base` seconds on the reference machine, on this one now."""
    return Limit(base, round(slowness(), 1))
