"""Running the `ally` command as a person or IT would: a real process, no display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYRING = "tests.file_keyring.FileKeyring"  # a keyring made for tests (tests/file_keyring.py)


def run_ally(
    *args: str,
    home: Path | None = None,
    policy: Path | None = None,
    stdin: str | None = None,
    keyring: bool = True,
    timeout: float = 90,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "PYTHON_KEYRING_BACKEND")
    }
    if home is not None:
        env["ALLY_HOME"] = str(home)
    if policy is not None:
        env["ALLY_POLICY"] = str(policy)
    env.update(extra_env or {})
    if keyring:
        env["PYTHON_KEYRING_BACKEND"] = TEST_KEYRING
        env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=timeout,
        cwd=ROOT,
    )
