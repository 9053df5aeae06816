"""The tray's state in one word and one sentence, from a diagnosis (no Qt here).

all good / worth a look / something is wrong — and the tooltip says, in the person's
words, what is going on now. The icon files are resources/icons/ally-<level>-<theme>.svg.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tray imports TrayStatus before the diagnostics are loaded
    from desktop.diagnostics.diagnosis import Diagnosis
    from desktop.diagnostics.explain import Catalog

LEVELS = ("ok", "look", "wrong")


@dataclass(frozen=True)
class TrayStatus:
    level: str  # ok, look or wrong
    tooltip: str  # one plain sentence about now
    finding_id: str | None  # the finding the sentence is about

    def icon(self, dark: bool) -> str:
        """The icon's resource name for this state and the desktop's theme."""
        return f"icons/ally-{self.level}-{'dark' if dark else 'light'}.svg"


def status_of(diagnosis: Diagnosis, catalog: Catalog | None = None) -> TrayStatus:
    if catalog is None:
        from desktop.diagnostics.explain import load_catalog

        catalog = load_catalog()
    problems = [f for f in diagnosis.findings if f.severity.value != "info"]
    if not problems:
        from desktop.words import say

        return TrayStatus(
            "ok",
            catalog.summary.get("all_good_tooltip") or say("all_good_tooltip", "summary"),
            None,
        )
    # The answer's own lead where it has one (the heading the report window shows), so the
    # icon and the window never name two different things; else the first thing worth a
    # look (findings come ranked for the symptom, most important first).
    lead = next((f for f in problems if f.headline == diagnosis.summary.headline), problems[0])
    level = "wrong" if lead.severity.value in ("warning", "critical") else "look"
    return TrayStatus(level, lead.headline, lead.id)
