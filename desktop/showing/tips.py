"""Calm tips between reports: one notification when a problem has lasted, never nagging,
never in the way.

A finding at warning or worse must be seen in every check for ``sustain_s`` before a tip
is shown; the same tip is shown at most once per ``repeat_s``; at most one tip a day in
all (``daily_s``) unless the finding is critical; the person can pause tips, ask to be
reminded later, and IT can switch them off. A tip that is due while the person is in a
full-screen program, presenting, sharing the screen or has do-not-disturb on (see
desktop/showing/quiet_time.py) is held, not dropped: it comes when the moment has passed. No Qt
here: the tray shows what ``next_tip`` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop.diagnostics.explain import Explanation

DEFAULT_SUSTAIN_S = 10 * 60.0
DEFAULT_REPEAT_S = 6 * 3600.0
DEFAULT_DAILY_S = 24 * 3600.0
DEFAULT_REMIND_S = 2 * 3600.0  # "remind me later"
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
    daily_s: float = DEFAULT_DAILY_S
    remind_s: float = DEFAULT_REMIND_S
    last_tip_at: float = -1e18  # the last tip of any finding (not news)
    last_tip_id: str | None = None
    held_because: str | None = None  # why the last due tip waits (for the log and tests)

    def _candidates(
        self, findings: Sequence[Explanation], now: float, paused_until: float, enabled: bool
    ) -> list[Explanation]:
        current = {f.id: f for f in findings if f.severity.value in TIP_SEVERITIES}
        for gone in set(self.first_seen) - set(current):
            del self.first_seen[gone]  # it went away: the clock starts again if it comes back
        for fid in current:
            self.first_seen.setdefault(fid, now)
        if not (self.enabled_by_policy and enabled) or now < paused_until:
            return []
        due = []
        for fid, finding in current.items():  # findings arrive ranked: the first due one wins
            if now - self.first_seen[fid] < self.sustain_s:
                continue
            if now - self.last_shown.get(fid, -1e18) < self.repeat_s:
                continue
            critical = finding.severity.value == "critical"
            if not critical and now - self.last_tip_at < self.daily_s:
                continue  # one tip a day is plenty, unless it is critical
            due.append(finding)
        return due

    def due(
        self,
        findings: Sequence[Explanation],
        now: float,
        paused_until: float = 0.0,
        enabled_by_person: bool = True,
    ) -> bool:
        """Whether a tip would be shown now if the moment is right: the caller then asks
        whether it is (desktop/showing/quiet_time.py reads the system, so only when needed)."""
        return bool(self._candidates(findings, now, paused_until, enabled_by_person))

    def next_tip(
        self,
        findings: Sequence[Explanation],
        now: float,
        paused_until: float = 0.0,
        enabled_by_person: bool = True,
        quiet: str | None = None,
    ) -> Tip | None:
        """Feed every background check's findings; returns a tip to show now, or None.
        ``quiet``: why now is a bad moment (full screen, presenting, do-not-disturb)."""
        due = self._candidates(findings, now, paused_until, enabled_by_person)
        if not due:
            return None
        if quiet is not None:
            self.held_because = quiet  # held: it is still due at the next check
            return None
        self.held_because = None
        finding = due[0]
        self.last_shown[finding.id] = now
        self.last_tip_at, self.last_tip_id = now, finding.id
        step = finding.advice[0] if finding.advice else ""
        return Tip(
            finding.id, finding.headline, " ".join(x for x in (finding.explanation, step) if x)
        )

    def remind_later(self, now: float) -> bool:
        """The person chose "remind me later" for the last tip: it comes back once
        ``remind_s`` has passed (if the problem is still there), not in a day."""
        if self.last_tip_id is None:
            return False
        self.last_shown[self.last_tip_id] = now - self.repeat_s + self.remind_s
        self.last_tip_at = now - self.daily_s + self.remind_s
        return True

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
