"""What reading the system's own history (issue 12) costs the tray app while it idles.

Two things run on a timer: the process walk (every 30 s) now keeps each young or
hard-working process's life (start time, processor time), and the background status check
(every 60 s) reads the os_history probe (load averages, /proc/pressure, those lives). Both
are measured here as a share of one core at those intervals:

- the process walk as it was before this change (the module from git commit ``BEFORE``)
  against the walk now, alternating, on this machine's real process table;
- the os_history probe as the status check runs it (the sampler's last walk reused).
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import keep_checks_on_this_machine, spread
from desktop.diagnostics.apps import default_catalog
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probe import ProbeContext
from desktop.diagnostics.probes import os_history
from desktop.diagnostics.sampling import process_sample
from desktop.diagnostics.sampling.sampler import Sampler
from desktop.policy.config import Policy

BEFORE = "d06fd2b"  # the last commit before issue 12's work
ROUNDS = 31
WALKS_PER_ROUND = 10
PROBES_PER_ROUND = 200
WALK_EVERY_S = 30.0
STATUS_EVERY_S = 60.0
COLD_ROUNDS = 9
ROOT = Path(__file__).resolve().parent.parent


def _file_at(commit: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{commit}:{path}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout


def _load(name: str, source: str):
    path = Path(tempfile.mkdtemp()) / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _module_at(commit: str):
    """The process walk as it was at ``commit``, with its own /proc reader of then; its
    neighbours have moved since (issue 16), so its imports are pointed at their homes."""
    _load("procfs_processes_before", _file_at(commit, "desktop/diagnostics/procfs_processes.py"))
    source = _file_at(commit, "desktop/diagnostics/process_sampling.py")
    source = source.replace("desktop.diagnostics.history", "desktop.diagnostics.sampling.history")
    source = source.replace(
        "from desktop.diagnostics import procfs_processes",
        "import procfs_processes_before as procfs_processes",
    )
    return _load("process_sampling_before", source)


def _per_walk(sampler) -> float:
    t0 = time.perf_counter()
    for _ in range(WALKS_PER_ROUND):
        sampler.sample()
    return (time.perf_counter() - t0) / WALKS_PER_ROUND


def walk_cost() -> dict:
    before = _module_at(BEFORE).ProcessSampler()
    now = process_sample.ProcessSampler()
    before.sample(), now.sample()
    b, n = [], []
    for _ in range(ROUNDS):
        b.append(_per_walk(before))
        n.append(_per_walk(now))
    extra = [max(y - x, 0.0) for x, y in zip(b, n, strict=True)]
    lives = len(now.sample().lives)
    return {
        "before_ms": spread([x * 1000 for x in b], "{:.2f}"),
        "now_ms": spread([x * 1000 for x in n], "{:.2f}"),
        "ratio": spread([y / x for x, y in zip(b, n, strict=True)], "{:.3f}"),
        "extra_core_pct": 100 * statistics.median(extra) / WALK_EVERY_S,
        "lives": lives,
        "processes": now.sample().process_count,
    }


def probe_cost() -> dict:
    sampler = Sampler()
    sampler.sample_now()
    sampler.sample_processes_now()
    time.sleep(0.5)
    previous, current = sampler.sample_now()
    sampler.sample_processes_now()
    catalog, policy = default_catalog(), Policy.load()
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        for _ in range(PROBES_PER_ROUND):
            ctx = ProbeContext(Symptom.SLOW, sampler, previous, current, catalog, policy)
            ctx.fresh_processes = False  # the status check reuses the last walk
            os_history.check(ctx)
        times.append((time.perf_counter() - t0) / PROBES_PER_ROUND)
    return {
        "probe_ms": spread([t * 1000 for t in times], "{:.3f}"),
        "core_pct": 100 * statistics.median(times) / STATUS_EVERY_S,
    }


def _source_at(commit: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ally-before-"))
    archive = subprocess.run(["git", "archive", commit], capture_output=True, check=True, cwd=ROOT)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def _cold_run(cwd: Path, env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "desktop", "diagnose", "--json"],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(cwd)},
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - t0


def cold_before_after() -> dict:
    """`ally diagnose --json` from a cold start, before issue 12 and now, alternating (no
    tray app runs: the terminal reads the system's history itself)."""
    before_dir = _source_at(BEFORE)
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["TMPDIR"] = tempfile.mkdtemp(prefix="ally-bench-")
    b, n = [], []
    for _ in range(COLD_ROUNDS):
        b.append(_cold_run(before_dir, env))
        n.append(_cold_run(ROOT, env))
    return {
        "before_s": spread(b),
        "now_s": spread(n),
        "now_median": statistics.median(n),
        "ratio": spread([y / x for x, y in zip(b, n, strict=True)], "{:.2f}"),
    }


def run() -> dict:
    walk = walk_cost()
    probe = probe_cost()
    return {
        "walk": walk,
        "probe": probe,
        "total_core_pct": walk["extra_core_pct"] + probe["core_pct"],
        "cold": cold_before_after(),
    }


if __name__ == "__main__":
    keep_checks_on_this_machine()  # never probe this machine's network from a benchmark
    print(run())
