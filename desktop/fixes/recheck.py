"""After a fix: the same probes and rules run again, so "Fixed" is what Ally sees, not
what it hopes. Only the probes a fix names are run, so a re-check takes a moment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop.diagnostics.diagnosis import Diagnosis
from desktop.diagnostics.explain import Explanation
from desktop.fixes.base import for_it


def run(ctx: Any, symptom: str, probe_names: Sequence[str]) -> Diagnosis:
    """A diagnosis made of the named probes only, with the rules and words of a full one."""
    from desktop.diagnostics.diagnosis import diagnose
    from desktop.diagnostics.probes import PROBES
    from desktop.diagnostics.sampling.sampler import Sampler

    probes = [p for p in PROBES if p.name in probe_names]
    return diagnose(
        symptom,
        sampler=ctx.sampler or Sampler(),
        policy=ctx.policy,
        warm_up_s=0,
        probes=probes,
        fresh_processes=True,
    )


def still_found(d: Diagnosis, finding_id: str, **evidence: Any) -> Explanation | None:
    """The finding again, if it is still there (matching the given evidence values)."""
    for f in d.findings:
        if f.id == finding_id and all(f.evidence.get(k) == v for k, v in evidence.items()):
            return f
    return None


def section_reason(d: Diagnosis, name: str) -> str:
    section = d.snapshot.sections.get(name)
    if section is None:
        return for_it("recheck", "not_checked", name=name)
    return f"{name}: {section.status.value}" + (f" ({section.reason})" if section.reason else "")
