"""A drive has been busy nearly all the time right up to the click.

Judged from Ally's own samples of the busiest drive; where they are too short to tell,
from the system's record of how much work waited for the drive (Linux PSI io).
"""

from __future__ import annotations

from desktop import plain_numbers
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.rules import culprits, spell

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind("disk_busy", {Symptom.SLOW: 4, Symptom.OTHER: 14}, words="findings.disk_busy"),
)

VARIANTS = {"disk_busy": (None, "no_app", "maintenance")}


def check(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    busy = spell.to_now(inp, "disk_busy_pct", lambda v: v >= t["disk_busy_pct"])
    if busy is None:
        return None
    seconds, source = busy.seconds, it_says("judged_from", "own")
    hist = inp.snapshot.section_data("os_history")
    io = hist.io_pressure if hist is not None else None
    if busy.reaches_start and io is not None and io.some_avg60 is not None:
        # Ally has not watched long enough: the system's record says how much of the last
        # minute work waited for a drive, and whether it still does (the last 10 s).
        waited = 60.0 * io.some_avg60 / 100.0
        now_too = (io.some_avg10 or 0.0) >= t["psi_io_some_pct"]
        if now_too and io.some_avg60 >= t["psi_io_some_pct"] and waited > seconds:
            seconds, source = waited, it_says("judged_from", "psi_io")
    if not spell.long_enough(seconds, inp):
        return None
    who = culprits.top_disk(inp)
    evidence = {
        "spell_s": int(seconds),  # whole seconds, down: as the person is told
        "judged_from": source,
        **busy.evidence(),
        "mean_busy_pct": round(busy.mean, 1),
        "threshold_busy_pct": t["disk_busy_pct"],
        "io_psi_some_avg10_pct": io.some_avg10 if io else None,
        "io_psi_some_avg60_pct": io.some_avg60 if io else None,
        "app": who.name if who else None,
        "app_io_bps": round(who.value) if who else None,
        "app_pids": list(who.pids) if who else [],
        "background_kind": who.background if who else None,
    }
    words = {"minutes": plain_numbers.duration(seconds)}
    if who is None:
        return Finding("disk_busy", Severity.WARNING, evidence, (), words, variant="no_app")
    if who.background:
        words |= {"app": who.name, "task": culprits.maintenance_words(who.background)}
        return Finding(
            "disk_busy", Severity.WARNING, evidence, (who.name,), words, variant="maintenance"
        )
    return Finding("disk_busy", Severity.WARNING, evidence, (who.name,), words | {"app": who.name})
