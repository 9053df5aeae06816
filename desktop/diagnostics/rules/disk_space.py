"""A drive is nearly full: judged on the share *and* the amount left, since both matter."""

from __future__ import annotations

from ally_helpdesk.evidence import plain_numbers
from desktop.base.words import say
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.model import Symptom

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "disk_nearly_full",
        {Symptom.SLOW: 7, Symptom.APP: 7, Symptom.OTHER: 17},
        words="findings.disk_nearly_full",
    ),
)

VARIANTS = {"disk_nearly_full": (None,)}


WORDS = "finding_words"


def drive_words(mountpoint: str, is_main: bool) -> str:
    letter = (
        mountpoint.rstrip("\\/")
        if len(mountpoint.rstrip("\\/")) == 2 and mountpoint[1] == ":"
        else None
    )
    if is_main:
        return (
            say("main_drive_letter", WORDS, letter=letter) if letter else say("main_drive", WORDS)
        )
    return say("drive", WORDS, drive=letter or mountpoint)


def check(inp: RuleInput) -> list[Finding]:
    t = inp.thresholds
    disks = inp.snapshot.section_data("disks")
    if disks is None:
        return []
    found = []
    for v in disks.volumes:
        if v.free_bytes is None or v.total_bytes in (None, 0):
            continue
        free_pct = 100.0 * v.free_bytes / v.total_bytes
        if v.free_bytes < t["disk_free_critical_bytes"]:
            severity = Severity.CRITICAL
        elif v.free_bytes < t["disk_free_warning_bytes"] or (
            free_pct < t["disk_free_low_pct"] and v.free_bytes < t["disk_free_low_bytes"]
        ):
            severity = Severity.WARNING
        else:
            continue
        evidence = {
            "mountpoint": v.mountpoint,
            "device": v.device,
            "is_main": v.is_main,
            "free_bytes": v.free_bytes,
            "total_bytes": v.total_bytes,
            "free_pct": round(free_pct, 1),
            "threshold_critical_bytes": t["disk_free_critical_bytes"],
            "threshold_warning_bytes": t["disk_free_warning_bytes"],
            "threshold_low_pct": t["disk_free_low_pct"],
            "threshold_low_bytes": t["disk_free_low_bytes"],
        }
        words = {
            "drive": drive_words(v.mountpoint, v.is_main),
            "free": plain_numbers.size(v.free_bytes),
            "total": plain_numbers.size(v.total_bytes),
        }
        found.append(Finding("disk_nearly_full", severity, evidence, (), words))
    found.sort(key=lambda f: (not f.evidence["is_main"], f.evidence["free_bytes"]))
    return found
