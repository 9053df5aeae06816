"""The whole answer for one symptom: measure (collect), judge (rules), explain (catalog).

This is what the CLI prints, the tray shows and a report carries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ally_helpdesk.evidence.thresholds import Thresholds
from desktop import __version__
from desktop.diagnostics.explain import Catalog, Explanation, Summary, load_catalog
from desktop.diagnostics.findings import RuleInput
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Section, Snapshot, Symptom
from desktop.diagnostics.probe import Probe
from desktop.diagnostics.rules import evaluate
from desktop.diagnostics.run_probes import DEFAULT_TOTAL_TIMEOUT_S, DEFAULT_WARM_UP_S, collect
from desktop.diagnostics.sampling.sampler import Sampler
from desktop.policy.config import Policy

SCHEMA = "ally.diagnosis/1"


@dataclass(frozen=True)
class Diagnosis:
    snapshot: Snapshot
    findings: tuple[Explanation, ...]
    summary: Summary
    history_s: float  # how much history the rules could judge
    notes: tuple[str, ...] = field(default_factory=tuple)  # limits of this answer, for IT
    # The thresholds the answer was judged by (the defaults with IT's policy over them):
    # every surface that draws a band or measures a spell reads these, IT's page too.
    limits: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        snap = self.snapshot
        return {
            "schema": SCHEMA,
            "ally_version": __version__,
            "symptom": snap.symptom.value,
            "collected_at": snap.collected_at.isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"
            ),
            "duration_ms": round(snap.duration_ms, 1),
            "summary": self.summary.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "sections": {name: s.to_dict() for name, s in snap.sections.items()},
            "not_checked": snap.not_checked,
            "history_s": round(self.history_s, 1),
            "history": snap.history,
            "notes": list(self.notes),
            "limits": dict(self.limits),
        }


def _it(key: str, /, **values: Any) -> str:
    return it_says("history", key, **values)


def diagnose(
    symptom: Symptom | str = Symptom.SLOW,
    sampler: Sampler | None = None,
    thresholds: Thresholds | None = None,
    catalog: Catalog | None = None,
    warm_up_s: float = DEFAULT_WARM_UP_S,
    total_timeout_s: float = DEFAULT_TOTAL_TIMEOUT_S,
    probes: Sequence[Probe] | None = None,
    policy: Policy | None = None,
    focus_app: str | None = None,
    progress: Callable[[Section], None] | None = None,
    fresh_processes: bool = True,
    history_from: str | None = None,
) -> Diagnosis:
    """Measure, judge and explain. Without ``policy`` IT's policy file is read (or the
    defaults used); its threshold overrides apply unless ``thresholds`` is given."""
    symptom = Symptom(symptom)
    policy = policy if policy is not None else Policy.load()
    sampler = sampler or Sampler()
    thresholds = thresholds or Thresholds(policy.thresholds, source=policy.source or "policy")
    snapshot = collect(
        symptom,
        sampler,
        probes=probes,
        total_timeout_s=total_timeout_s,
        warm_up_s=warm_up_s,
        policy=policy,
        focus_app=focus_app,
        progress=progress,
        fresh_processes=fresh_processes,
    )
    inp = RuleInput(
        snapshot=snapshot,
        window=sampler.history.window(),
        app_history=sampler.process_history.entries(),
        thresholds=thresholds,
        step_s=sampler.last_interval_s,
    )
    findings, failed = evaluate(inp)
    explained, summary = (catalog or load_catalog()).explain_all(findings, symptom, snapshot)
    notes = [*policy.problems, *thresholds.problems]
    notes.append(history_note(inp.observed_s, thresholds, snapshot, history_from))
    notes.extend(_it("rule_failed", failure=f) for f in failed)
    return Diagnosis(
        snapshot, tuple(explained), summary, inp.observed_s, tuple(notes), thresholds.as_dict()
    )


def history_note(
    observed_s: float, thresholds: Thresholds, snapshot: Snapshot, history_from: str | None = None
) -> str:
    """For IT: what the answer could look back on."""
    seconds = f"{observed_s:.0f}"
    text = (
        _it("covers_from", seconds=seconds, source=history_from)
        if history_from
        else _it("covers", seconds=seconds)
    )
    if observed_s < thresholds["freeze_min_s"] * 3:
        os_hist = snapshot.section_data("os_history")
        used = ", ".join(os_hist.sources) if os_hist is not None else _it("nothing_readable")
        text += _it("backfill", used=used)
    return text


def local_probes() -> list[Probe]:
    """Every probe that stays on this computer: for the background status and the live
    view, which must never send anything over the network on a timer."""
    from desktop.diagnostics.probes import PROBES

    return [p for p in PROBES if not p.leaves_this_computer]
