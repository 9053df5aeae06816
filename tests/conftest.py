"""Every test runs with its own ALLY_HOME, so nothing touches a real profile."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test outside a network namespace may send anything beyond this machine: every test
# (and every `ally` it starts) reads a policy with the active network walk turned off.
# Tests of the walk itself bring their own policy and run inside namespaces.
NO_NETWORK_POLICY = Path(__file__).parent / "data" / "policy-no-active-network.toml"
os.environ["ALLY_POLICY"] = str(NO_NETWORK_POLICY)


@pytest.fixture(autouse=True)
def ally_home(tmp_path, monkeypatch):
    home = tmp_path / "ally-home"
    monkeypatch.setenv("ALLY_HOME", str(home))
    return home
