"""Working memory is nearly all used now: a fact of this moment, not a trend to wait for.

Memory does not spike the way the processor does, so a reading at the click is enough;
the spell before it (how long it has been this short) is measured for IT.
"""

from __future__ import annotations

from ally_helpdesk.evidence import plain_numbers
from desktop.base.words import say
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.rules import culprits, spell

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "memory_exhausted",
        {Symptom.SLOW: 1, Symptom.APP: 5, Symptom.OTHER: 11},
        words="findings.memory_exhausted",
    ),
)

VARIANTS = {"memory_exhausted": (None, "no_app", "share_only", "no_app_share_only")}


def _now(inp: RuleInput) -> tuple[float | None, float | None, int | None]:
    """(used %, available bytes, total bytes) at the click."""
    mem = inp.snapshot.section_data("memory")
    if mem is not None:
        return mem.used_pct, float(mem.available_bytes), mem.total_bytes
    used = inp.window.get("mem_used_pct", [])
    free = inp.window.get("mem_available_bytes", [])
    return (used[-1] if used else None), (free[-1] if free else None), None


def check(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    used_pct, available, total = _now(inp)
    by_pct = used_pct is not None and used_pct >= t["memory_used_pct"]
    by_free = available is not None and available < t["memory_available_min_bytes"]
    if not (by_pct or by_free):
        return None

    pct = spell.to_now(inp, "mem_used_pct", lambda v: v >= t["memory_used_pct"])
    free = spell.to_now(inp, "mem_available_bytes", lambda v: v < t["memory_available_min_bytes"])
    lasted = max((s for s in (pct, free) if s is not None), key=lambda s: s.seconds, default=None)
    who = culprits.top_memory(inp)
    evidence = {
        "used_pct": round(used_pct, 1) if used_pct is not None else None,
        "available_bytes": int(available) if available is not None else None,
        "total_bytes": total,
        "spell_s": int(lasted.seconds) if lasted else 0,
        "history_s": round(lasted.history_s) if lasted else round(inp.observed_s),
        "threshold_used_pct": t["memory_used_pct"],
        "threshold_available_bytes": t["memory_available_min_bytes"],
        "app": who.name if who else None,
        "app_memory_bytes": int(who.value) if who else None,
        "app_share_pct": round(100 * who.value / total, 1) if who and total else None,
        "app_process_count": who.process_count if who else None,
        "app_pids": list(who.pids) if who else [],
    }
    words = {
        "app": who.name if who else say("no_single_program", "finding_words"),
        "app_size": plain_numbers.size(who.value if who else None),
        "free": plain_numbers.size(available),
    }
    # Only the share in use is known (no free amount): never "only an unknown amount".
    share_only = "share_only" if available is None else None
    if who is None:
        variant = "no_app_share_only" if share_only else "no_app"
        return Finding("memory_exhausted", Severity.WARNING, evidence, (), words, variant=variant)
    apps = (who.name,)
    return Finding("memory_exhausted", Severity.WARNING, evidence, apps, words, variant=share_only)
