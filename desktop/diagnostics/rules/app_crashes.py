"""A program that keeps closing unexpectedly or stops responding, as the OS recorded it."""

from __future__ import annotations

from datetime import datetime, timezone

from ally_helpdesk.evidence import plain_numbers
from desktop.base.words import say
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.model import Symptom

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind("app_crashed", {Symptom.APP: 0, Symptom.OTHER: 24}, words="findings.app_crashed"),
    FindingKind("app_hung", {Symptom.APP: 1, Symptom.OTHER: 25}, words="findings.app_hung"),
    FindingKind("app_focus", {Symptom.APP: 2, Symptom.OTHER: 26}, words="findings.app_focus"),
)

VARIANTS = {"app_crashed": (None,), "app_hung": (None,), "app_focus": (None,)}


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _period(first_iso: str, window_hours: float) -> str:
    first = datetime.fromisoformat(first_iso)
    midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    if first >= midnight.astimezone(timezone.utc):
        return "today"
    return (
        say("in_the_last_day", "finding_words")
        if window_hours <= 24
        else say(
            "in_the_last", "finding_words", duration=plain_numbers.duration(window_hours * 3600)
        )
    )


def _focus_id(inp: RuleInput) -> str | None:
    focus = inp.snapshot.section_data("focus_app")
    return focus.app_id if focus is not None else None


def check(inp: RuleInput) -> list[Finding]:
    info = inp.snapshot.section_data("app_faults")
    if info is None:
        return []
    focus = _focus_id(inp)
    repeat = inp.thresholds["app_faults_repeat"]
    found = []
    for app in info.apps:
        is_focus = app.app_id == focus
        for kind, count in (("crash", app.crashes), ("hang", app.hangs)):
            if count == 0 or (not is_focus and count < repeat):
                continue
            once = app.first == app.last
            evidence = {
                "app": app.name,
                "crashes": app.crashes,
                "hangs": app.hangs,
                "first": app.first,
                "last": None if once else app.last,  # one fault has no span
                "only_at": app.first if once else None,
                "times": list(app.times) or None,
                "versions": list(app.versions) or None,  # none recorded: not said
                "details": list(app.details) or None,
                "window_hours": info.window_hours,
                "source": info.source,
                "named_by_person": is_focus,
                "asked_about": app.name if is_focus else None,
                "threshold_repeat": repeat,
            }
            severity = Severity.WARNING if is_focus or count >= 3 else Severity.NOTICE
            words = {
                "app": app.name,
                "times": _times(count),
                "period": _period(app.first, info.window_hours),
            }
            found.append(
                Finding(
                    "app_crashed" if kind == "crash" else "app_hung",
                    severity,
                    evidence,
                    (app.name,),
                    words,
                )
            )
    found.sort(key=lambda f: (not f.evidence["named_by_person"], -f.severity.rank))
    return found[:4]


def focus(inp: RuleInput) -> Finding | None:
    """What IT should know about the program the person named, even when it looks fine."""
    f = inp.snapshot.section_data("focus_app")
    if f is None:
        return None
    u = f.usage
    evidence = {
        "app": f.name,
        "asked_for": f.asked_for,
        "running": f.running,
        "process_count": u.process_count if u else 0,
        "cpu_pct": round(u.cpu_pct, 1) if u else None,
        "memory_bytes": u.memory_bytes if u else None,
        "started_at": datetime.fromtimestamp(u.started_at, timezone.utc).isoformat(
            timespec="seconds"
        )
        if u and u.started_at
        else None,
        "pids": list(u.pids) if u else [],
        "cpu_history_pct": [v for _, v in f.cpu_history][-15:],
        "memory_history_bytes": [v for _, v in f.memory_history][-15:],
        "crashes": f.faults.crashes if f.faults else 0,
        "hangs": f.faults.hangs if f.faults else 0,
    }
    return Finding("app_focus", Severity.INFO, evidence, (f.name,), {"app": f.name})
