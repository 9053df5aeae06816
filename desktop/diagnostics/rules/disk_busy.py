"""Work has been waiting for a drive nearly all the time, right up to the click.

What a person feels when the drive is the trouble is waiting: a program that saves, opens
or starts and does not come back. So the spell is judged by how long work waited for the
drive, not by how busy the device was: a solid-state or network drive, or a virtual disk,
answers many requests at once and may be "100 % busy" while nobody waits, or keep work
waiting while it looks idle (a throttled or remote disk). In order of what is known:

1. Linux: the share of each interval in which some task waited for a drive (pressure stall
   information, /proc/pressure/io "some"), against ``psi_io_some_pct``;
2. elsewhere: how long the slowest drive took per request, against ``disk_wait_slow_ms``
   (Windows and macOS keep the time their requests took);
3. failing both, the device's busy share, against ``disk_busy_pct``.

Where Ally's own samples are too short to tell, the system's record of the last minute of
waiting (PSI io avg60) says how long. The program is named by the share rule over what
is read and written now (culprits.py).
"""

from __future__ import annotations

import math

from ally_helpdesk.evidence import plain_numbers
from ally_helpdesk.evidence.drive_measures import measure_of
from desktop.base.words import listed
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.rules import culprits, spell

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind("disk_busy", {Symptom.SLOW: 4, Symptom.OTHER: 14}, words="findings.disk_busy"),
)

VARIANTS = {"disk_busy": (None, "no_app", "maintenance", "several")}


def check(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    measure = measure_of(inp.window)
    if measure is None:
        return None
    key, limit_key, measure_name = measure
    limit = t[limit_key]
    waiting = spell.to_now(inp, key, lambda v: v >= limit)
    if waiting is None:
        return None
    seconds, source = waiting.seconds, it_says("judged_from", "own")
    hist = inp.snapshot.section_data("os_history")
    io = hist.io_pressure if hist is not None else None
    if waiting.reaches_start and io is not None and io.some_avg60 is not None:
        # Ally has not watched long enough: the system's record says how much of the last
        # minute work waited for a drive, and whether it still does (the last 10 s).
        waited = 60.0 * io.some_avg60 / 100.0
        now_too = (io.some_avg10 or 0.0) >= t["psi_io_some_pct"]
        if now_too and io.some_avg60 >= t["psi_io_some_pct"] and waited > seconds:
            seconds, source = waited, it_says("judged_from", "psi_io")
    if not spell.long_enough(seconds, inp):
        return None
    found = culprits.disk_blame(inp)
    who = found.named if found is not None else None
    several = found.several if found is not None else ()
    busy = [v for v in inp.window.get("disk_busy_pct", [])[-waiting.samples :] if not math.isnan(v)]
    evidence = {
        "spell_s": int(seconds),  # whole seconds, down: as the person is told
        "judged_from": source,
        "judged_by": it_says("disk_busy", measure_name),
        **waiting.evidence(),
        "mean_value": round(waiting.mean, 1),
        "threshold": limit,
        "mean_busy_pct": round(sum(busy) / len(busy), 1) if busy else None,
        "io_psi_some_avg10_pct": io.some_avg10 if io else None,
        "io_psi_some_avg60_pct": io.some_avg60 if io else None,
        "app": who.name if who else None,
        "app_io_bps": round(who.value) if who else None,
        "app_pids": list(who.pids) if who else [],
        "background_kind": who.background if who else None,
        "top_share_pct": round(found.top_share_pct)
        if found is not None and found.top_share_pct is not None
        else None,
        "culprit_share_pct": t["culprit_share_pct"] if found is not None else None,
        "shared_by": {c.name: round(c.value) for c in several} or None,
    }
    words = {"minutes": plain_numbers.duration(seconds)}
    if several:
        words |= {"apps": listed(c.name for c in several)}
        return Finding("disk_busy", Severity.WARNING, evidence, (), words, variant="several")
    if who is None:
        return Finding("disk_busy", Severity.WARNING, evidence, (), words, variant="no_app")
    if who.background:
        words |= {"app": who.name, "task": culprits.maintenance_words(who.background)}
        return Finding(
            "disk_busy", Severity.WARNING, evidence, (who.name,), words, variant="maintenance"
        )
    return Finding("disk_busy", Severity.WARNING, evidence, (who.name,), words | {"app": who.name})
