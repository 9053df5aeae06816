"""Ally's own crashes, remembered on disk: when the tray app stopped by itself, whether the
watchdog started it again, and whether it gave up (more than three restarts in ten
minutes would only flicker the icon). The next start reads it to tell the person, once.

This is about Ally itself; crashes of other programs are in desktop/diagnostics/readers/fault_records.py.
No Qt here: the watchdog that writes it must stay small.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ally_helpdesk.atomic import write_atomic

FILE_NAME = "own-crashes.json"
MAX_RESTARTS = 3
WINDOW_S = 600.0
KEEP = 50  # crashes remembered; older ones are in the log


@dataclass
class Crash:
    at: float  # seconds since the epoch
    why: str  # for IT: "signal SIGSEGV", "exit code 3"
    restarted: bool


@dataclass
class OwnCrashes:
    crashes: list[Crash] = field(default_factory=list)
    gave_up_at: float | None = None
    person_told: bool = True

    @classmethod
    def load(cls, data_dir: Path) -> OwnCrashes:
        """What is on disk; an empty record when there is none or it is damaged (it is a
        convenience for the person, the log keeps the full story)."""
        try:
            raw = json.loads((data_dir / FILE_NAME).read_text(encoding="utf-8"))
            return cls(
                crashes=[
                    Crash(float(c["at"]), str(c["why"]), bool(c["restarted"]))
                    for c in raw["crashes"]
                ],
                gave_up_at=raw.get("gave_up_at"),
                person_told=bool(raw.get("person_told", True)),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def save(self, data_dir: Path) -> None:
        doc = {
            "crashes": [asdict(c) for c in self.crashes[-KEEP:]],
            "gave_up_at": self.gave_up_at,
            "person_told": self.person_told,
        }
        write_atomic(data_dir / FILE_NAME, json.dumps(doc, indent=1).encode("utf-8"))

    def restarts_within(self, now: float, window_s: float = WINDOW_S) -> int:
        return sum(1 for c in self.crashes if c.restarted and now - c.at < window_s)

    def crashed(self, now: float, why: str) -> bool:
        """Note a crash; True when Ally may be started again (fewer than three restarts in
        the last ten minutes), False when the watchdog gives up until the next start."""
        restart = self.restarts_within(now) < MAX_RESTARTS
        self.crashes.append(Crash(now, why, restart))
        if not restart:
            self.gave_up_at = now
            self.person_told = False
        return restart


def words(language: str = "en") -> dict[str, str]:
    """The person's words for "Ally had a problem" ([app_health] in the catalog)."""
    from ally_words import language_in_use, parsed

    return dict(parsed(language_in_use(language)).get("app_health", {}))


def notice_due(data_dir: Path) -> tuple[str, str] | None:
    """The title and text to show once after the watchdog gave up, and remember that they
    were shown. None when there is nothing to say."""
    record = OwnCrashes.load(data_dir)
    if record.person_told or record.gave_up_at is None:
        return None
    record.person_told = True
    with contextlib.suppress(OSError):  # saying it twice is better than not saying it
        record.save(data_dir)
    from desktop.base.words import say

    return say("gave_up_title", "app_health"), say("gave_up_text", "app_health")
