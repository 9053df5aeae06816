"""Start at login: IT's policy first, then the person's choice; the same on every system
because every installer starts `ally --login` and Ally decides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings
from desktop.start.startup import apply_person_choice, person_may_choose, wants_to_start
from tests.hostile_folder import hostile_folder
from tests.run_ally import ROOT


@pytest.mark.parametrize(
    "policy,person,starts",
    [
        ("person", True, True),
        ("person", False, False),
        ("always", False, True),
        ("never", True, False),
    ],
)
def test_policy_first_then_the_person(policy, person, starts):
    p = Policy.from_dict({"startup": {"at_login": policy}})
    assert wants_to_start(p, UserSettings(start_at_login=person)) is starts
    assert person_may_choose(p) is (policy == "person")


def test_a_wrong_value_is_reported_and_the_person_decides():
    p = Policy.from_dict({"startup": {"at_login": "sometimes"}}, "/etc/ally/policy.toml")
    assert p.start_at_login == "person"
    assert any("[startup] at_login" in x for x in p.problems)


def test_without_the_package_the_persons_own_entry_starts_ally_login(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    system = tmp_path / "etc-xdg-autostart-ally.desktop"
    written = apply_person_choice(True, system_entry=system)
    if not sys.platform.startswith("linux"):
        assert written is None
        return
    assert written == tmp_path / "xdg/autostart/ally.desktop"
    text = written.read_text()
    # -P: started in a folder holding a desktop/ folder, that folder's code never runs.
    assert f"Exec={sys.executable} -P -m desktop --login" in text, text
    apply_person_choice(False, system_entry=system)
    assert not written.exists()
    # With the package's own entry for everyone, nothing is written: the choice is read at login.
    system.write_text("[Desktop Entry]\n")
    assert apply_person_choice(True, system_entry=system) is None
    assert not written.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG autostart entry")
def test_the_login_entry_runs_only_the_installed_ally_whatever_the_folder(tmp_path, monkeypatch):
    """The session starts the entry's command in whatever folder it likes; a ``desktop/``
    folder there is never run."""
    import shlex

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    written = apply_person_choice(True, system_entry=tmp_path / "no-system-entry")
    command = next(line for line in written.read_text().splitlines() if line.startswith("Exec="))
    folder, mark = hostile_folder(tmp_path)
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(json.dumps({"start_at_login": False}))
    env = {**os.environ, "ALLY_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        shlex.split(command.removeprefix("Exec=")), env=env, cwd=folder, timeout=60
    )
    assert not mark.exists()
    assert done.returncode == 0  # the person turned it off: a quiet no from the real Ally


def _start_at_login(tmp_path, person: bool) -> subprocess.Popen:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(json.dumps({"start_at_login": person}))
    env = {**os.environ, "ALLY_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    env["TMPDIR"] = str(tmp_path)
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "--login"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_ally_login_stays_away_when_the_person_turned_it_off(tmp_path):
    proc = _start_at_login(tmp_path, person=False)
    assert proc.wait(30) == 0  # a quiet no, not a crash the watchdog would restart


def test_ally_login_starts_when_the_person_wants_it(tmp_path):
    proc = _start_at_login(tmp_path, person=True)
    try:
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob("ally-*")):  # its single-instance socket
            assert proc.poll() is None, "Ally did not stay"
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(20)
