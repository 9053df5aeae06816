"""An X server of a test's own (Xvfb) on a display number the server itself picked as
free, so a test never shares a display with another test, another run or a person's real
session of the same account."""

from __future__ import annotations

import os
import subprocess


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
