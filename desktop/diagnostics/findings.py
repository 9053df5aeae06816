"""What a rule concludes: one cause, how serious, and the numbers that show it."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.diagnostics.model import Snapshot, Symptom
from desktop.diagnostics.sampling.history import AppSample


class Severity(str, enum.Enum):
    INFO = "info"
    NOTICE = "notice"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.NOTICE: 1, Severity.WARNING: 2, Severity.CRITICAL: 3}


@dataclass(frozen=True)
class Finding:
    """One cause. ``evidence`` holds raw numbers with units in their names (for IT and
    JSON); ``words`` holds the same facts ready for a sentence (friendly names, "3.2 GB")."""

    id: str
    severity: Severity
    evidence: Mapping[str, Any]
    apps: tuple[str, ...] = ()  # friendly names of the programs involved
    words: Mapping[str, str] = field(default_factory=dict)
    variant: str | None = None  # picks other wording for the same cause (no program known, ...)


@dataclass(frozen=True)
class FindingKind:
    """What a rule can conclude, declared once beside the rule that concludes it.

    ``relevance`` names the symptoms this cause explains, each with its place in that
    symptom's answer: among findings equally serious, a lower place is said first (the
    network chain runs from this computer outwards, so its first broken link leads).
    ``words`` names the catalog table with its words ("findings.<id>": headline,
    explanation, advice, and IT's ``it_detail``, filled from the evidence), so no other
    module builds that name. tests/unit/test_registries.py checks that each kind has all
    of these.
    """

    id: str
    relevance: Mapping[Symptom, int] = field(default_factory=dict, compare=False)
    words: str = ""  # the catalog table, e.g. "findings.memory_exhausted"


@dataclass(frozen=True)
class RuleInput:
    """What rules judge: this moment's snapshot and the minutes before it."""

    snapshot: Snapshot
    window: Mapping[str, Sequence[float]]  # history columns, with "t" (wall seconds)
    app_history: Sequence[tuple[float, tuple[AppSample, ...]]]
    thresholds: Any  # ally_helpdesk.evidence.thresholds.Thresholds
    step_s: float = 2.0  # the time the newest sample stands for (its interval)

    @property
    def observed_s(self) -> float:
        """How much time Ally's own history covers (see stats.covered_s)."""
        from ally_helpdesk.evidence.stats import covered_s

        return covered_s(self.window.get("t", []), self.step_s)
