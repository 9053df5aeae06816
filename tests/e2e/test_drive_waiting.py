"""Work waiting for the drive, made for real: a program writes straight to the drive
(no cache), and the drive takes its writes slowly, as a remote, throttled or failing disk
does. The work waits nearly all the time while the device itself is hardly busy; Ally
judges the waiting, finds it, and names the program doing the writing.

On a machine of the test's own (tests/own_machine.py): its control group's writes are
throttled (cgroup io.max, or v1's blkio), the pressure figures Ally reads are that group's
own, and the drive's busy share is the quiet machine's, under Ally's busy threshold.
"""

from __future__ import annotations

import shutil

import pytest

from ally_helpdesk.evidence.thresholds import LIMITS
from tests.e2e.test_real_load import PRELUDE
from tests.integration import person
from tests.own_machine import OwnMachine, why_not

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(why_not() is not None, reason=why_not() or ""),
]
FREEZE_S = LIMITS["freeze_min_s"].default
WRITES_PER_S = 1024 * 1024  # 1 MB/s: a drive this slow keeps every write waiting


def test_a_program_kept_waiting_by_the_drive_is_found_and_named(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from tests.run_ally import ROOT

    writer = person.named(shutil.which("dd") or "dd", "backup-writer", tmp_path)
    code = f"""
sampler = Sampler(SamplerSettings(interval_s=1.0, process_interval_s=5.0))
sampler.start()
load = subprocess.Popen([{writer!r}, "if=/dev/zero", "of={tmp_path / "out.bin"}", "bs=256k",
                         "count=400", "oflag=direct"], stderr=subprocess.DEVNULL)
try:
    time.sleep({FREEZE_S + 8})
    result = diagnose("slow", sampler=sampler)
finally:
    load.kill()
    sampler.stop()
print(json.dumps(findings(result)))
"""
    script = tmp_path / "waiting.py"
    script.write_text(PRELUDE + code)
    env = {**os.environ, "ALLY_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    env["ALLY_POLICY"] = str(ROOT / "tests/data/policy-no-active-network.toml")
    with OwnMachine(tmp_path, write_bps=WRITES_PER_S) as machine:
        done = subprocess.run(
            [*machine.prefix(), sys.executable, "-P", str(script)],
            env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found = {f["id"]: f for f in json.loads(done.stdout.strip().splitlines()[-1])}
    assert "disk_busy" in found, list(found)
    f = found["disk_busy"]
    assert f["apps"] == ["backup-writer"], f
    assert "waiting for its drive" in f["headline"]
    e = f["evidence"]
    assert "waited for a drive" in e["judged_by"]  # judged by the waiting (Linux PSI)
    assert e["mean_value"] >= LIMITS["psi_io_some_pct"].default
    # ... while the drive's busy share stayed under Ally's busy threshold.
    assert e["mean_busy_pct"] is None or e["mean_busy_pct"] < LIMITS["disk_busy_pct"].default
