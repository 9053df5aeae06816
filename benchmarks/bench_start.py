"""Start times as a person sees them: from the command to Ally's icon in the tray, on Xvfb
with trayer. "In the tray" is the moment the icon's window is embedded in trayer's panel
(read with xwininfo every 10 ms). Also ``--version`` (the command line's own start).

- ``./run-ally``: the setup check (system packages and the venv fingerprint), then ``ally``.
- ``.venv/bin/ally``: the installed command in the venv.
- ``/opt/ally/ally-tray``: the installed .deb, when run as root (the .deb is built,
  installed with dpkg, measured, and purged; skipped when a package called ally is there).

    python -m benchmarks.bench_start [RUNS]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.desktop_session import ROOT, Desktop

ICON = re.compile(r'"Ally": \("[^"]*" "Ally"\)\s+(\d+)x(\d+)\+')


def icon_embedded(env: dict) -> bool:
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True
    ).stdout
    return any(int(m.group(1)) >= 16 for m in ICON.finditer(tree))


def to_icon(desk: Desktop, command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            command,
            env=desk.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            while not icon_embedded(desk.env):
                if time.perf_counter() - t0 > 30:
                    raise TimeoutError(f"no icon from {command}")
                time.sleep(0.01)
            times.append(time.perf_counter() - t0)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        while icon_embedded(desk.env):
            time.sleep(0.05)
        time.sleep(0.5)
    return times


def version(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([*command, "--version"], cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return times


def summary(values: list[float]) -> dict:
    return {
        "median_s": round(statistics.median(values), 3),
        "min_s": round(min(values), 3),
        "max_s": round(max(values), 3),
        "runs": len(values),
    }


def installed_deb() -> Path | None:
    """Build and install the .deb (root only); the caller purges it."""
    if os.geteuid() != 0 or shutil.which("dpkg") is None:
        return None
    if subprocess.run(["dpkg", "-s", "ally"], capture_output=True).returncode == 0:
        return None  # not touching a package someone else installed
    out = Path(tempfile.mkdtemp(prefix="ally-bench-start-"))
    built = subprocess.run(
        [str(ROOT / "installer/build-linux.sh"), str(out)],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    deb = Path(built.stdout.strip().splitlines()[-1])
    subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, check=True)
    return deb


def wait_for_quiet(limit: float = 0.8, patience_s: float = 600.0) -> float:
    """The machine is shared: start times are measured when the 1-minute load average is
    low (or after ``patience_s``); the load it had is reported with the figures."""
    deadline = time.monotonic() + patience_s
    while os.getloadavg()[0] > limit and time.monotonic() < deadline:
        time.sleep(10)
    return round(os.getloadavg()[0], 2)


def run(runs: int = 7) -> dict:
    result: dict = {"load_average_at_start": wait_for_quiet()}
    home = Path(tempfile.mkdtemp(prefix="ally-bench-start-home-"))
    subprocess.run([str(ROOT / "tools/setup.sh")], check=True)  # first run done: only checks
    result["run_ally_version"] = summary(version([str(ROOT / "run-ally")], runs))
    result["venv_ally_version"] = summary(version([str(ROOT / ".venv/bin/ally")], runs))
    with Desktop(home) as desk:
        result["run_ally_to_icon"] = summary(to_icon(desk, [str(ROOT / "run-ally")], runs))
        result["venv_ally_to_icon"] = summary(to_icon(desk, [str(ROOT / ".venv/bin/ally")], runs))
        deb = installed_deb()
        if deb is not None:
            try:
                result["installed_version"] = summary(version(["/usr/bin/ally"], runs))
                result["installed_to_icon"] = summary(to_icon(desk, ["/opt/ally/ally-tray"], runs))
            finally:
                subprocess.run(["dpkg", "--purge", "ally"], capture_output=True)
    return result


if __name__ == "__main__":
    from benchmarks.measure import keep_checks_on_this_machine

    keep_checks_on_this_machine()
    out = run(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
    print(json.dumps(out, indent=1))
    Path(__file__).with_name("start-latest.json").write_text(json.dumps(out, indent=1))
