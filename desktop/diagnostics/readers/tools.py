"""Running the operating system's own tools (reg, powercfg, pmset, sysctl) with a time limit.

Parsers for their output live next to the probes and are tested on real captured output;
this module only runs the tool, bounded, without a console window on Windows.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.unavailable import Unavailable


@dataclass(frozen=True)
class ToolResult:
    returncode: int
    stdout: str
    stderr: str


def _it(key: str, /, **values: Any) -> str:
    return it_says("tools", key, **values)


def run_tool(
    args: list[str], timeout: float = 2.0, env: dict[str, str] | None = None
) -> ToolResult:
    """Run ``args`` and return its output; a missing tool makes the check unavailable."""
    if shutil.which(args[0]) is None:
        raise Unavailable(_it("missing", tool=args[0]))
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform.startswith("win") else 0
    try:
        done = subprocess.run(
            args,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            creationflags=flags,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TimeoutError(_it("timeout", tool=args[0], seconds=f"{timeout:.1f}")) from exc
    return ToolResult(done.returncode, done.stdout, done.stderr)
