"""The fixes' registry, their declarations and words, the parsers of the platforms' own
tools (on real captured output where it is parsed), the journal and reminders."""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import tomllib

from ally_words import catalog_file
from desktop.base.paths import AllyPaths
from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.findings import Finding, Severity
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.priority import RELEVANT
from desktop.fixes import empty_trash as trash_fix
from desktop.fixes import opener, print_jobs
from desktop.fixes import own_processes as procs
from desktop.fixes.base import Account, Fix, FixContext, NotOffered, Offer, Outcome, Result
from desktop.fixes.journal import Journal
from desktop.fixes.registry import FIXES, MAX_PER_FINDING, attempt, by_id, offers_for
from desktop.fixes.restart_reminder import Reminders, remind_at
from desktop.fixes.words import FixWords
from desktop.policy.config import Policy
from desktop.policy.fix_ids import FIX_IDS

DATA = Path(__file__).resolve().parent.parent / "data"
CATALOG = tomllib.loads(catalog_file("en").read_text(encoding="utf-8"))


def paths(tmp_path: Path) -> AllyPaths:
    return AllyPaths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")


def explained(fid: str, evidence: dict, severity=Severity.NOTICE, apps=()):
    finding = Finding(fid, severity, evidence, tuple(apps))
    return load_catalog("en").explain(finding, Symptom.SLOW)


# --- the registry ---------------------------------------------------------------------------


def test_the_registry_and_the_policys_ids_are_the_same_list():
    assert tuple(f.id for f in FIXES) == FIX_IDS
    assert len(set(FIX_IDS)) == len(FIX_IDS)


@pytest.mark.parametrize("fix", FIXES, ids=lambda f: f.id)
def test_every_fix_declares_what_it_answers_where_it_runs_and_its_words(fix: Fix):
    known_findings = set(CATALOG["findings"])
    assert fix.answers and set(fix.answers) <= known_findings
    # Each finding it answers is one the person can feel for some symptom.
    assert all(any(a in r for r in RELEVANT.values()) for a in fix.answers)
    assert fix.platforms and set(fix.platforms) <= {"linux", "darwin", "win32"}
    assert fix.rights
    words = CATALOG["fixes"][fix.id]
    assert words["button"] and words["before"]
    assert {"fixed", "done"} & set(words), "a fix says what came of it"
    if fix.force is not None:
        assert words["force_button"] and words["force_before"] and words["needs_force"]
    if fix.check_again is not None:
        assert words["check_again_button"]


def test_the_catalog_has_no_words_for_a_fix_that_does_not_exist():
    tables = {k for k, v in CATALOG["fixes"].items() if isinstance(v, dict) and k != "outcome"}
    assert tables == set(FIX_IDS)


def ctx_for(tmp_path: Path, policy: dict | None = None, **kw) -> FixContext:
    return FixContext(Policy.from_dict(policy or {}), paths(tmp_path), **kw)


def test_a_restart_waiting_is_offered_a_reminder_with_its_time(tmp_path):
    findings = [explained("restart_pending", {"sources": ["x"], "uptime_s": 100})]
    at_noon = datetime(2026, 11, 30, 12, 0).timestamp()
    offers = offers_for(findings, ctx_for(tmp_path, clock=lambda: at_noon))
    (offer,) = offers.offered
    words = FixWords(load_catalog("en"))
    assert words.button(offer) == "Remind me at the end of the day"
    assert words.before(offer) == (
        "Ally will remind you at 17:00 to save your work and restart. Nothing will restart by itself."
    )


def test_it_can_turn_fixes_off_one_by_one_or_all(tmp_path):
    findings = [explained("restart_pending", {"sources": ["x"], "uptime_s": 100})]
    off = offers_for(findings, ctx_for(tmp_path, {"fixes": {"restart_reminder": False}}))
    assert off.offered == []
    assert off.not_offered[0].reason == "turned off by IT's policy ([fixes] restart_reminder)"
    assert offers_for(findings, ctx_for(tmp_path, {"fixes": {"enabled": False}})).offered == []
    # And a fix turned off after it was offered is not done either.
    offer = offers_for(findings, ctx_for(tmp_path)).offered[0]
    result = attempt(offer, ctx_for(tmp_path, {"fixes": {"restart_reminder": False}}))
    assert result.outcome is Outcome.FAILED and "turned off" in result.did
    assert Reminders(tmp_path / "data").pending() == {}


def test_a_fix_is_not_offered_on_a_platform_it_does_not_name(tmp_path):
    findings = [explained("restart_pending", {"sources": ["x"], "uptime_s": 100})]
    offers = offers_for(findings, ctx_for(tmp_path, platform="sunos5"))
    assert offers.offered == [] and offers.not_offered[0].reason == "not available on sunos5"


def test_a_fix_that_cannot_decide_is_not_offered_and_says_why(tmp_path, monkeypatch):
    def broken(finding, ctx):
        raise RuntimeError("lpstat said something odd")

    fix = by_id("cancel_print_jobs")
    import desktop.fixes.registry as registry

    patched = Fix(**{**fix.__dict__, "offer": broken})
    monkeypatch.setattr(registry, "FIXES", (patched,))
    offers = registry.offers_for(
        [explained("print_jobs_stuck", {"stuck_on": ["Front_Desk"]}, Severity.WARNING)],
        ctx_for(tmp_path),
    )
    assert offers.offered == []
    assert offers.not_offered[0].reason == "RuntimeError: lpstat said something odd"


def test_at_most_two_offers_per_finding_and_one_per_thing(tmp_path, monkeypatch):
    import desktop.fixes.registry as registry

    def offering(key):
        def offer(finding, ctx):
            return Offer(key, finding.id, {}, {}, {}, "", key=key)

        return offer

    fake = tuple(
        Fix(
            k,
            ("restart_pending",),
            ("linux", "darwin", "win32"),
            "-",
            Symptom.SLOW,
            offering(k),
            None,
        )
        for k in ("a", "b", "c")
    )
    monkeypatch.setattr(registry, "FIXES", (*fake, fake[0]))  # "a" twice: one offer
    f = explained("restart_pending", {"sources": ["x"], "uptime_s": 1})
    offers = registry.offers_for([f], ctx_for(tmp_path))
    assert [o.fix_id for o in offers.offered] == ["a", "b"][:MAX_PER_FINDING]


# --- the platforms' own tools -------------------------------------------------------------------


def test_cups_jobs_are_read_with_their_owner_from_real_lpstat_output():
    jobs = print_jobs.parse_lpstat_owners((DATA / "linux/lpstat_o_two_owners.txt").read_text())
    assert [(j.job_id, j.owner) for j in jobs] == [
        ("Front_Desk-1", "root"),
        ("Front_Desk-2", "root"),
        ("Front_Desk-3", "colleague"),
        ("Front_Desk-4", "root"),
    ]
    older = print_jobs.parse_lpstat_owners((DATA / "linux/lpstat_o.txt").read_text())
    assert [(j.printer, j.number) for j in older] == [("Paused", 2), ("Offline", 6)]


def test_windows_jobs_are_read_with_their_owner():
    many = print_jobs.parse_windows_jobs((DATA / "windows/win32_printjob_owner.json").read_text())
    assert [(j.printer, j.number, j.owner) for j in many] == [
        ("HP LaserJet 4th Floor", 12, "alex"),
        ("HP LaserJet 4th Floor", 13, "sam"),
    ]
    one = print_jobs.parse_windows_jobs(
        (DATA / "windows/win32_printjob_owner_single.json").read_text()
    )
    assert [(j.job_id, j.owner) for j in one] == [("Front Desk-7", "alex")]
    assert print_jobs.parse_windows_jobs("") == []


def test_a_domain_account_matches_the_spoolers_bare_owner_name(tmp_path):
    job = print_jobs.Job("P-1", "P", 1, "Alex")
    ctx = ctx_for(tmp_path, platform="win32", account=Account(None, "EXAMPLE\\alex"))
    assert print_jobs._mine(job, ctx)
    assert not print_jobs._mine(print_jobs.Job("P-2", "P", 2, "sam"), ctx)


def test_a_printer_name_cannot_break_out_of_the_powershell_string():
    name = "Sam's ‘fancy’ printer'; Remove-Item C:\\ -Recurse; '"
    cmd = print_jobs.remove_command([print_jobs.Job("x-3", name, 3, "alex")])
    assert cmd[:4] == ["powershell", "-NoProfile", "-NonInteractive", "-Command"]
    script = cmd[4]
    assert script.startswith(
        "Remove-PrintJob -PrinterName 'Sam''s ‘‘fancy’’ printer''; Remove-Item"
    )
    assert script.endswith("''' -ID 3")
    # Every quote inside is doubled, so the string ends only where Ally ends it.
    inner = script[len("Remove-PrintJob -PrinterName '") : -len("' -ID 3")]
    assert all(inner.count(q * 2) * 2 == inner.count(q) for q in "'‘’")


def test_closing_commands_for_windows_and_macos():
    assert procs.taskkill_command([12, 40], force=False) == ["taskkill", "/PID", "12", "/PID", "40"]
    assert procs.taskkill_command([12], force=True) == ["taskkill", "/F", "/T", "/PID", "12"]
    assert procs.bundle_name("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome") == (
        "Google Chrome"
    )
    assert procs.bundle_name("/usr/local/bin/python3") is None
    cmd = procs.quit_command('Evil" to do shell script "rm')
    assert cmd[-1] == 'Evil" to do shell script "rm'  # an argument, never pasted into the script
    assert "tell application (item 1 of argv) to quit" in cmd


def test_the_desktop_session_and_the_system_are_never_closed():
    for name in (
        "gnome-shell",
        "Xorg",
        "explorer.exe",
        "dwm.exe",
        "WindowServer",
        "Dock",
        "systemd",
    ):
        assert procs.is_session_program(name), name
    assert not procs.is_session_program("stress-ng-cpu")
    assert not procs.is_session_program("chrome")


def test_the_recycle_bin_query_structure_is_laid_out_as_shellapi_h_says():
    info = trash_fix.query_info_type()
    if ctypes.sizeof(ctypes.c_void_p) == 8:
        assert ctypes.sizeof(info) == 24 and info.i64Size.offset == 8
    else:
        assert ctypes.sizeof(info) == 20 and info.i64Size.offset == 4


def test_the_opener_opens_only_web_pages_and_folders(tmp_path):
    assert opener.command_for("https://x.example/", "linux") == ["xdg-open", "https://x.example/"]
    assert opener.command_for(str(tmp_path), "darwin") == ["open", str(tmp_path)]
    assert opener.command_for("https://x.example/", "win32") is None  # os.startfile
    assert opener.safe_target("http://portal.example/login")
    assert opener.safe_target(str(tmp_path))
    for bad in (
        "-e",
        "--help",
        "file:///etc/passwd",
        "javascript:alert(1)",
        str(tmp_path / "no"),
        "rel/dir",
    ):
        assert not opener.safe_target(bad), bad
    result = opener.open_target("--version")
    assert not result.ok and "refused" in result.detail


def test_the_opener_says_when_it_could_not_open(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "xdg-open"
    fake.write_text(
        '#!/bin/sh\necho "$@" >> ' + str(tmp_path / "opened.txt") + "\nexit ${FAIL:-0}\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    ok = opener.open_target("https://portal.example/", "linux")
    assert ok.ok and (tmp_path / "opened.txt").read_text() == "https://portal.example/\n"
    monkeypatch.setenv("FAIL", "4")
    failed = opener.open_target("https://portal.example/", "linux")
    assert not failed.ok and "exit code 4" in failed.detail


# --- the journal --------------------------------------------------------------------------------


def _offer(fix_id="restart_reminder") -> Offer:
    return Offer(fix_id, "restart_pending", {"time": "17:00"}, {}, {"remind_at": "x"}, "")


def test_a_fix_belongs_to_the_report_it_was_made_for(tmp_path):
    """A report carries the fixes tried for it, never one tried for an earlier report or
    from the terminal (which is tried for no report)."""
    from desktop.base.paths import AllyPaths
    from desktop.reporting.helping import fixes_part

    paths = AllyPaths(tmp_path / "config", tmp_path, tmp_path / "logs")
    journal = Journal.of(paths)
    for report in ("report-a", "report-b", None):
        a = journal.started(_offer(), report)
        journal.finished(a, _offer(), Result(Outcome.DONE, f"for {report}"))
    assert [t["did"] for t in fixes_part(paths, None, "report-a")["tried"]] == ["for report-a"]
    assert [t["did"] for t in fixes_part(paths, None, "report-b")["tried"]] == ["for report-b"]
    assert fixes_part(paths, None, None)["tried"] == []  # `ally report`: no fix was made for it
    assert fixes_part(paths, None, "report-c")["tried"] == []


def test_the_journal_keeps_started_and_finished_as_one_attempt(tmp_path):
    journal = Journal(tmp_path)
    a = journal.started(_offer())
    journal.finished(a, _offer(), Result(Outcome.DONE, "reminder set", "restart pending now: True"))
    b = journal.started(_offer("empty_trash"))  # Ally stopped here: no "finished"
    with open(journal.path, "ab") as fh:
        fh.write(b'{"attempt": "torn')  # a line cut off by a power cut
    recent = journal.recent()
    assert [(r["fix"], r["outcome"]) for r in recent] == [
        ("restart_reminder", "done"),
        ("empty_trash", "unknown"),
    ]
    assert recent[0]["recheck"] == "restart pending now: True"
    assert recent[1]["did"] == "Ally stopped before the attempt finished."
    assert b


def test_a_report_carries_the_last_day_only(tmp_path):
    now = [time.time() - 2 * 86400]
    journal = Journal(tmp_path, clock=lambda: now[0])
    journal.finished(journal.started(_offer()), _offer(), Result(Outcome.DONE, "old"))
    now[0] = time.time()
    journal.finished(journal.started(_offer()), _offer(), Result(Outcome.DONE, "new"))
    assert [r["did"] for r in journal.recent()] == ["new"]


def _append_many(folder: str, n: int) -> None:
    journal = Journal(Path(folder))
    for _ in range(n):
        journal.finished(journal.started(_offer()), _offer(), Result(Outcome.DONE, "x" * 50))


def test_the_tray_and_the_terminal_can_write_at_the_same_time(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(str(tmp_path), 150)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    attempts = Journal(tmp_path).attempts()
    assert len(attempts) == 300  # under the trim limit: not one lost
    assert all(a["outcome"] == "done" for a in attempts)


def test_the_journal_is_trimmed_and_never_grows_for_ever(tmp_path):
    _append_many(str(tmp_path), 700)
    journal = Journal(tmp_path)
    assert journal.path.stat().st_size <= 300 * 1024
    assert 200 <= len(journal.attempts()) <= 700


# --- reminders ----------------------------------------------------------------------------


def test_the_reminder_is_at_the_end_of_the_day_or_an_hour_from_now():
    assert remind_at(datetime(2026, 11, 30, 9, 30), "17:00") == datetime(2026, 11, 30, 17, 0)
    assert remind_at(datetime(2026, 11, 30, 16, 55), "17:00") == datetime(2026, 11, 30, 17, 55)
    assert remind_at(datetime(2026, 11, 30, 19, 0), "17:30") == datetime(2026, 11, 30, 20, 0)


def test_reminders_are_kept_and_cleared(tmp_path):
    r = Reminders(tmp_path)
    r.set("restart", 1000.0, "restart_pending")
    assert r.due(999.0) == [] and r.due(1000.0)[0][0] == "restart"
    r.clear("restart")
    assert r.pending() == {}
    r.path.write_text("{ damaged")
    assert r.due(2000.0) == []  # a damaged file never stops the tray


def test_an_end_of_day_that_is_not_a_time_is_reported_and_the_default_used():
    policy = Policy.from_dict({"fixes": {"end_of_day": "5pm", "empty_trash": "no"}})
    # The time falls back to the default; a switch IT wrote wrongly turns its fix off
    # (fails closed, issue 28), never on.
    assert policy.fixes.end_of_day == "17:00" and not policy.fixes.allows("empty_trash")
    assert any("end_of_day" in p for p in policy.problems)
    assert any("[fixes] empty_trash should be true or false" in p for p in policy.problems)


def test_ally_fix_lists_the_fixes_and_their_state(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("[network]\nactive_checks = false\n[fixes]\nempty_trash = false\n")
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "fix"],
        env={**os.environ, "ALLY_POLICY": str(policy), "ALLY_HOME": str(tmp_path / "h")},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent.parent,
    )
    assert out.returncode == 0, out.stderr
    assert "empty_trash  (turned off by IT's policy)" in out.stdout
    assert "cancel_print_jobs  (available) for: print_jobs_stuck" in out.stdout
    unknown = subprocess.run(
        [sys.executable, "-m", "desktop", "fix", "defragment"],
        env={**os.environ, "ALLY_POLICY": str(policy), "ALLY_HOME": str(tmp_path / "h")},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent.parent,
    )
    assert unknown.returncode == 2 and "does not know this fix" in unknown.stdout


def test_not_offered_reasons_are_kept_for_it(tmp_path):
    n = NotOffered("close_program", "cpu_saturated", "Ally runs as the administrator account")
    assert json.loads(json.dumps(n.to_dict()))["reason"].startswith("Ally runs as")


def test_fixes_and_news_never_load_qt():
    code = (
        "import pkgutil, importlib, sys\n"
        "import desktop.fixes, desktop.news, desktop.terminal.cli_fixes, desktop.terminal.cli_news\n"
        "import desktop.reporting.helping\n"
        "for pkg in (desktop.fixes, desktop.news):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent.parent,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
