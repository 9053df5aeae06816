"""Every test runs with its own ALLY_HOME, so nothing touches a real profile."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def ally_home(tmp_path, monkeypatch):
    home = tmp_path / "ally-home"
    monkeypatch.setenv("ALLY_HOME", str(home))
    return home
