"""The same measures on two checkouts of Ally, taken in turns on the same machine, so that
a change's cost is read as a ratio and not against figures from another day (issue 28: no
figure worse than before the restructuring by more than 5 %).

    python -m benchmarks.bench_before_after BEFORE_CHECKOUT [ROUNDS] [IDLE_SECONDS]

Each checkout needs its own .venv (tools/setup.sh --test in it). In each round, for each
checkout in turn: the tray app as people run it (Xvfb, trayer, the icon in the tray, no
window open, the network walk off): seconds from the command to the icon, then, after 30 s
of start-up, its share of one core and the memory its two processes hold over
IDLE_SECONDS; and a cold ``ally diagnose --json``. Writes before-after-latest.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.bench_start import icon_embedded, to_icon
from benchmarks.desktop_session import POLICY, ROOT, Desktop, cpu_seconds, memory
from benchmarks.measure import machine, spread

WARM_UP_S = 30.0


def tray(checkout: Path, idle_s: float) -> dict:
    """Start to icon, then the idle tray app's share of a core and memory."""
    ally = str(checkout / ".venv" / "bin" / "ally")
    home = Path(tempfile.mkdtemp(prefix="ally-before-after-"))
    with Desktop(home) as desk:
        to_icon_s = to_icon(desk, [ally], 1)[0]
        proc = desk.start_ally([ally])
        deadline = time.monotonic() + 30
        while not icon_embedded(desk.env):  # the icon's window in trayer's panel
            if time.monotonic() > deadline:
                raise TimeoutError(f"no icon from {ally}")
            time.sleep(0.05)
        time.sleep(WARM_UP_S)
        child = desk.tray_app()
        pids = [proc.pid, child.pid]
        watchdog = psutil.Process(proc.pid)
        c0, t0 = cpu_seconds(watchdog), time.monotonic()
        held = []
        while time.monotonic() - t0 < idle_s:
            time.sleep(10)
            held.append(memory(pids)["together_mb"])
        c1, dt = cpu_seconds(watchdog), time.monotonic() - t0
    return {
        "to_icon_s": to_icon_s,
        "core_pct": 100 * (c1 - c0) / dt,
        "held_mb": statistics.median(held),
    }


def cold_diagnose(checkout: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["ALLY_POLICY"] = str(POLICY)
    env["TMPDIR"] = tempfile.mkdtemp(prefix="ally-bench-")
    t0 = time.perf_counter()
    subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), "-m", "desktop", "diagnose", "--json"],
        cwd=checkout,
        env=env,
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - t0


def run(before: Path, rounds: int, idle_s: float) -> dict:
    checkouts = {"before": before, "after": ROOT}
    figures: dict[str, dict[str, list[float]]] = {
        name: {"to_icon_s": [], "core_pct": [], "held_mb": [], "diagnose_s": []}
        for name in checkouts
    }
    for _ in range(rounds):
        for name, checkout in checkouts.items():
            for key, value in tray(checkout, idle_s).items():
                figures[name][key].append(value)
            figures[name]["diagnose_s"].append(cold_diagnose(checkout))
    commits = {
        name: subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for name, path in checkouts.items()
    }
    ratios = {
        key: statistics.median(figures["after"][key]) / statistics.median(figures["before"][key])
        for key in figures["after"]
    }
    return {
        "machine": machine(),
        "load_average": psutil.getloadavg(),
        "commits": commits,
        "rounds": rounds,
        "idle_s": idle_s,
        "figures": figures,
        "ratios_after_to_before": ratios,
    }


def main() -> None:
    before = Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    idle_s = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
    result = run(before, rounds, idle_s)
    (ROOT / "benchmarks" / "before-after-latest.json").write_text(json.dumps(result, indent=2))
    for key in result["figures"]["after"]:
        b, a = result["figures"]["before"][key], result["figures"]["after"][key]
        fmt = "{:.4f}" if key == "core_pct" else "{:.3f}"
        print(
            f"{key:12} before {spread(b, fmt)}  after {spread(a, fmt)}  "
            f"after/before {result['ratios_after_to_before'][key]:.3f}"
        )


if __name__ == "__main__":
    main()
