"""The tests marked `isolated` pass. Beside other tests they run in a pytest of their own, in the
background (conftest.py, tools/verify/background.py `start_isolated`): their long waits on other
processes (a Ctrl-C, cores kept busy, a fresh Python, two training ranks) stay off this session's
critical path. This test reports that run; without it (or alone), they run in the session itself."""

from __future__ import annotations

import pytest

from tools.verify.background import wait


def test_the_isolated_tests_pass_in_their_own_pytest(isolated_run):
    if isolated_run is None:
        pytest.skip("no isolated test was collected beside other tests: none ran apart")
    status, output = wait(isolated_run, "the isolated tests' pytest")
    assert status == 0, f"the isolated tests' pytest exited {status}:\n{output[-8000:]}"
