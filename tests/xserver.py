"""An X server of a test's own (Xvfb) on a display number the server itself picked as
free, so a test never shares a display with another test, another run or a person's real
session of the same account."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_xvfb(screen: str = "1366x768x24") -> tuple[subprocess.Popen, str]:
    """Xvfb, ready to draw on, and its DISPLAY value (":N")."""
    read, write = os.pipe()
    try:
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", screen, "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(write,),
        )
    finally:
        os.close(write)
    with os.fdopen(read) as answer:  # written once the server accepts clients
        number = answer.readline().strip()
    if not number.isdigit():
        xvfb.kill()
        raise AssertionError(f"Xvfb did not start (it said {number!r})")
    return xvfb, f":{number}"


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_screen_program(
    module: str,
    display: str,
    scale: str,
    theme: str,
    shots: Path,
    home: Path,
    timeout: float,
    **env: str,
) -> dict:
    """Runs ``python -m module shots`` on ``display`` with GTK's light or dark theme
    through Qt's gtk3 platform theme at ``scale`` (Qt reads them when it starts, so each
    run is a process of its own) and returns the JSON line it prints last."""
    done = subprocess.run(
        [sys.executable, "-m", module, str(shots)],
        cwd=ROOT,
        env={
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "QT_QPA_PLATFORMTHEME": "gtk3",
            "GTK_THEME": "Adwaita:dark" if theme == "dark" else "Adwaita",
            "QT_SCALE_FACTOR": scale,
            "ALLY_HOME": str(home),
            "ALLY_POLICY": str(home / "no-policy.toml"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
