"""Calm tips between reports: one notification when a problem has lasted, never nagging.

A finding at warning or worse must be seen in every check for ``sustain_s`` before a tip
is shown; the same tip is shown at most once per ``repeat_s``; the person can pause tips,
and IT can switch them off. No Qt here: the tray shows what ``next_tip`` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop.diagnostics.explain import Explanation

DEFAULT_SUSTAIN_S = 10 * 60.0
DEFAULT_REPEAT_S = 6 * 3600.0
TIP_SEVERITIES = ("warning", "critical")


@dataclass(frozen=True)
class Tip:
    finding_id: str
    title: str  # the finding's headline
    text: str  # its explanation and the first safe step


@dataclass
class TipScheduler:
    sustain_s: float = DEFAULT_SUSTAIN_S
    repeat_s: float = DEFAULT_REPEAT_S
    enabled_by_policy: bool = True
    first_seen: dict[str, float] = field(default_factory=dict)
    last_shown: dict[str, float] = field(default_factory=dict)
    news_gap_s: float = 60.0  # IT's news: never two notifications within this time
    last_news_at: float = -1e18

    def next_tip(
        self,
        findings: Sequence[Explanation],
        now: float,
        paused_until: float = 0.0,
        enabled_by_person: bool = True,
    ) -> Tip | None:
        """Feed every background check's findings; returns a tip to show now, or None."""
        current = {f.id: f for f in findings if f.severity.value in TIP_SEVERITIES}
        for gone in set(self.first_seen) - set(current):
            del self.first_seen[gone]  # it went away: the clock starts again if it comes back
        for fid in current:
            self.first_seen.setdefault(fid, now)
        if not (self.enabled_by_policy and enabled_by_person) or now < paused_until:
            return None
        for fid, finding in current.items():  # findings arrive ranked: the first due one wins
            if now - self.first_seen[fid] < self.sustain_s:
                continue
            if now - self.last_shown.get(fid, -1e18) < self.repeat_s:
                continue
            self.last_shown[fid] = now
            step = finding.advice[0] if finding.advice else ""
            return Tip(fid, finding.headline, " ".join(x for x in (finding.explanation, step) if x))
        return None

    def news_tip(
        self,
        key: str,
        title: str,
        text: str,
        now: float,
        paused_until: float = 0.0,
        enabled_by_person: bool = True,
    ) -> Tip | None:
        """IT's news goes through the same discipline as tips: nothing when IT or the
        person turned tips off or paused them, each piece of news at most once (``key``:
        the incident and whether it opened or was resolved), never two close together."""
        if not (self.enabled_by_policy and enabled_by_person) or now < paused_until:
            return None
        if key in self.last_shown or now - self.last_news_at < self.news_gap_s:
            return None
        self.last_shown[key] = now
        self.last_news_at = now
        return Tip(key, title, text)
