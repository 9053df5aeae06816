"""Who is named for a real processor load, run after run: one program that holds the load
is named by the name a person knows (a script by its own name, not "python"), programs
that share it are said as several, and Ally's own processes are never named.

Each load runs on a machine of the test's own (tests/own_machine.py), so other work on
this machine changes nothing it judges; `ally diagnose` is asked five times in a row, as
the person would click again and again.
"""

from __future__ import annotations

import shutil

import pytest

from ally_helpdesk.evidence.thresholds import LIMITS
from tests.e2e.test_real_load import CORES, on_own_machine
from tests.own_machine import why_not

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(why_not() is not None, reason=why_not() or ""),
    pytest.mark.skipif(shutil.which("stress-ng") is None, reason="needs stress-ng"),
]
FREEZE_S = LIMITS["freeze_min_s"].default
RUNS = 5

# A script that keeps every core busy, in processes that all run it (forked, so each has
# the script's own arguments, as a multiprocessing program's workers do).
HOG = """import os
for _ in range({cores} - 1):
    if os.fork() == 0:
        break
while True:
    pass
"""
SPIN = "while True:\n    pass\n"


def _asked_five_times(tmp_path, scripts: dict[str, str]) -> list[dict]:
    for name, text in scripts.items():
        (tmp_path / name).write_text(text)
    names = ", ".join(repr(str(tmp_path / n)) for n in scripts)
    code = f"""
import sys
loads = [subprocess.Popen([sys.executable, path]) for path in ({names},)]
try:
    time.sleep({FREEZE_S + 3})
    answers = []
    for _ in range({RUNS}):
        done = subprocess.run(
            [sys.executable, "-P", "-m", "desktop", "diagnose", "--json"],
            capture_output=True, text=True,
        )
        doc = json.loads(done.stdout)
        top = doc["findings"][0] if doc["findings"] else {{}}
        answers.append({{"id": top.get("id"),
                         "apps": top.get("apps"), "explanation": top.get("explanation", ""),
                         "evidence": top.get("evidence", {{}})}})
finally:
    for load in loads:
        load.kill()
print(json.dumps(answers))
"""
    return on_own_machine(tmp_path, code)


def test_one_script_holding_the_load_is_named_by_its_script_five_times_of_five(tmp_path):
    answers = _asked_five_times(tmp_path, {"hogx.py": HOG.format(cores=CORES)})
    for a in answers:
        assert a["id"] == "cpu_saturated", answers
        assert a["apps"] == ["hogx"], a
        assert "The program hogx is keeping it busy" in a["explanation"]
        assert "Ally" not in a["apps"] and "python" not in a["explanation"]


def test_four_programs_sharing_the_load_are_several_five_times_of_five(tmp_path):
    scripts = {f"hog-{x}.py": SPIN for x in "abcd"}
    answers = _asked_five_times(tmp_path, scripts)
    for a in answers:
        assert a["id"] == "cpu_saturated", answers
        assert a["apps"] == [] and a["evidence"]["shared_by"], a
        assert "Several programs together are keeping it busy: hog-" in a["explanation"]
        named = set(a["evidence"]["shared_by"])
        assert len(named) == 3 and named <= {f"hog-{x}" for x in "abcd"}, a
        assert "Ally" not in a["explanation"] and "python" not in a["explanation"]
