"""Rules end to end under real load made by a real tool (stress-ng), on this machine.

Each phase uses its own sampler watching for longer than the rules' minimum history
(30 s), so the judgement is the one the tray app would make.
"""

import shutil
import subprocess
import time

import pytest

from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose
from desktop.diagnostics.thresholds import LIMITS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("stress-ng") is None,
        reason="needs stress-ng from the system packages (apt install stress-ng); .ci/run installs it",
    ),
]

WATCH_S = LIMITS["min_observed_s"].default + 8
LOAD_RULES = {
    "cpu_saturated",
    "cpu_maintenance",
    "memory_exhausted",
    "swapping",
    "disk_busy",
    "app_cpu_runaway",
    "app_memory_growth",
}


def watch(seconds: float) -> Sampler:
    sampler = Sampler(SamplerSettings(interval_s=1.0, process_interval_s=5.0))
    sampler.start()
    time.sleep(seconds)
    return sampler


def test_an_idle_machine_gets_no_invented_load_problem():
    sampler = watch(WATCH_S)
    try:
        result = diagnose("slow", sampler=sampler)
    finally:
        sampler.stop()
    assert result.history_s >= LIMITS["min_observed_s"].default
    assert not {f.id for f in result.findings} & LOAD_RULES, [f.it_detail for f in result.findings]


def test_sustained_processor_load_is_found_and_the_program_named():
    import os

    cores = os.cpu_count() or 1
    stress = subprocess.Popen(
        ["stress-ng", "--cpu", str(cores), "--timeout", f"{int(WATCH_S) + 30}s", "--quiet"]
    )
    try:
        time.sleep(1.0)  # let the workers start before watching
        sampler = watch(WATCH_S)
        try:
            result = diagnose("slow", sampler=sampler)
        finally:
            sampler.stop()
    finally:
        stress.terminate()
        stress.wait(15)
    top = result.findings[0]
    assert top.id == "cpu_saturated", [f.id for f in result.findings]
    assert any("stress-ng" in app for app in top.apps), top.apps
    assert "stress-ng" in top.headline + top.explanation
    assert result.summary.headline == top.headline
    assert top.evidence["mean_cpu_pct"] >= LIMITS["cpu_busy_pct"].default
    assert str(top.evidence["mean_cpu_pct"]) in top.it_detail
