"""The processor has been saturated right up to the click, for how long, and by whom."""

from __future__ import annotations

from ally_helpdesk.evidence import plain_numbers
from desktop.base.words import listed
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.rules import culprits, spell
from desktop.diagnostics.sampling import os_backfill
from desktop.diagnostics.sampling.service_hosts import SERVICE_PREFIX

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "cpu_saturated", {Symptom.SLOW: 2, Symptom.OTHER: 12}, words="findings.cpu_saturated"
    ),
    FindingKind(
        "cpu_maintenance", {Symptom.SLOW: 3, Symptom.OTHER: 13}, words="findings.cpu_maintenance"
    ),
)

VARIANTS = {
    "cpu_saturated": (None, "no_app", "several", "service"),
    "cpu_maintenance": (None,),
}


def check(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    own = spell.to_now(inp, "cpu_pct", lambda v: v >= t["cpu_busy_pct"])
    if own is None:
        return None  # not busy now
    proc = inp.snapshot.section_data("processor")
    cores = proc.logical_cores if proc is not None else 1
    seconds, source, mean = own.seconds, it_says("judged_from", "own"), own.mean
    os_spell = None
    hist = inp.snapshot.section_data("os_history")
    if own.reaches_start and hist is not None:
        # Ally has not watched long enough to see where this began: ask the processes.
        os_spell = os_backfill.busy_spell(hist.lives, hist.read_at, cores, t["cpu_busy_pct"])
        if os_spell is not None and os_spell.seconds > seconds:
            seconds, mean = os_spell.seconds, os_spell.mean_pct
            source = it_says("judged_from", "processes")
    if not spell.long_enough(seconds, inp):
        return None
    found = culprits.cpu_blame(inp, seconds, mean)
    if found is None and os_spell is not None and hist is not None:
        found = culprits.cpu_blame_from_spell(os_spell, cores, inp)
    who = found.named if found is not None else None
    severity = Severity.CRITICAL if mean >= t["cpu_critical_pct"] else Severity.WARNING
    pressure = hist.cpu_pressure if hist is not None else None
    several = found.several if found is not None else ()
    evidence = {
        "spell_s": int(seconds),  # whole seconds, down: as the person is told
        "judged_from": source,
        **own.evidence(),
        "mean_cpu_pct": round(own.mean, 1),
        "peak_cpu_pct": round(own.peak, 1),
        "threshold_cpu_pct": t["cpu_busy_pct"],
        "os_spell_s": int(os_spell.seconds) if os_spell else None,
        "os_spell_mean_cpu_pct": round(os_spell.mean_pct, 1) if os_spell else None,
        "load_avg": list(hist.load_avg) if hist is not None and hist.load_avg else None,
        "cpu_psi_some_avg10_pct": pressure.some_avg10 if pressure else None,
        "cpu_psi_some_avg60_pct": pressure.some_avg60 if pressure else None,
        "logical_cores": cores,
        "app": who.name if who else None,
        "app_mean_cpu_pct": round(who.value, 1) if who else None,
        "top_share_pct": round(found.top_share_pct)
        if found is not None and found.top_share_pct is not None
        else None,
        "culprit_share_pct": t["culprit_share_pct"] if found is not None else None,
        "app_pids": list(who.pids) if who else [],
        "background_kind": who.background if who else None,
        "shared_by": {c.name: round(c.value, 1) for c in several} or None,
    }
    words = {"minutes": plain_numbers.duration(seconds)}
    if who is not None and who.background:
        words |= {"app": who.name, "task": culprits.maintenance_words(who.background)}
        return Finding(
            "cpu_maintenance",
            Severity.WARNING if severity is Severity.CRITICAL else Severity.NOTICE,
            evidence,
            (who.name,),
            words,
        )
    if several:
        # No one program holds the load: the busiest ones are named together, and none
        # is offered to be closed as if it were the cause.
        words |= {"apps": listed(c.name for c in several)}
        return Finding("cpu_saturated", severity, evidence, (), words, variant="several")
    if who is None:
        return Finding("cpu_saturated", severity, evidence, (), words, variant="no_app")
    # A Windows service host (service_hosts.py): named, never offered to be closed.
    service = "service" if who.app_id.startswith(SERVICE_PREFIX) else None
    words |= {"app": who.name}
    return Finding("cpu_saturated", severity, evidence, (who.name,), words, variant=service)
