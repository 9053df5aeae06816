"""Small helpers for side-by-side measurements: medians and ranges, machine facts."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from pathlib import Path

import psutil


def spread(values: Sequence[float], fmt: str = "{:.2f}") -> str:
    """'median (min–max)' of ``values``."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def machine() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        model = platform.processor()
    mem = psutil.virtual_memory().total / 2**30
    return (
        f"{platform.system()} {platform.release()}, {model}, {os.cpu_count()} logical cores, "
        f"{mem:.0f} GiB, Python {platform.python_version()}, psutil {psutil.__version__}"
    )


def keep_checks_on_this_machine() -> None:
    """Benchmarks measure this machine, not the network: the active network walk stays off
    (it would send checks beyond this machine). Its timing is tested in namespaces."""
    os.environ["ALLY_POLICY"] = str(
        Path(__file__).parent.parent / "tests" / "data" / "policy-no-active-network.toml"
    )
