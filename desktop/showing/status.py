"""The tray's state in one word and one sentence, from a diagnosis (no Qt here).

Three states, as tray icons on Windows, GNOME and KDE have them (Windows Security, the
network and update icons; KDE's and GNOME's status icons): the program's own calm glyph
when all is well, and the same glyph with a small badge otherwise.

- ``neutral``: nothing worth mentioning (no finding, or only information). A monochrome
  glyph like the other icons in the tray: light on dark panels, dark on light ones.
- ``attention``: worth a look, not an emergency (a notice or a warning: an update waits
  for a restart, the battery is getting low, IT's news). An amber triangle with "!" on
  the glyph.
- ``problem``: something needs doing now (critical only: the main drive almost full, the
  computer cannot reach the network). A red circle with "×" on the glyph.

A busy processor is "attention" however busy it is (``PASSES_BY_ITSELF``): the rule calls a
processor near 100 % for minutes critical, and the report and IT still say so, but a busy
computer is slow, not broken, and the load passes; a red alarm in the corner of the screen
would frighten the person about something they need not act on at once.

The badges differ in shape as well as colour, so a person who does not see colour tells
them apart (tests/unit/test_tray_icon_contrast.py measures that and their contrast). The
tooltip says, in the person's words, what is going on now. The icon files are
resources/icons/ally-<level>-<theme>.svg, where <theme> is the desktop's (a "light" icon
is drawn for light panels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tray imports TrayStatus before the diagnostics are loaded
    from desktop.diagnostics.diagnosis import Diagnosis
    from desktop.diagnostics.explain import Catalog

LEVELS = ("neutral", "attention", "problem")
# Findings about load that passes by itself: never shown as "problem" (see above).
PASSES_BY_ITSELF = frozenset({"cpu_saturated", "cpu_maintenance"})


@dataclass(frozen=True)
class TrayStatus:
    level: str  # neutral, attention or problem
    tooltip: str  # one plain sentence about now
    finding_id: str | None  # the finding the sentence is about

    def template_icon(self) -> str:
        """The macOS menu bar's picture of this state: black and transparent, tinted by
        macOS; the badge cut out of it in the same shape as elsewhere."""
        return (
            "icons/ally-template.svg"
            if self.level == "neutral"
            else f"icons/ally-template-{self.level}.svg"
        )

    def icon(self, dark: bool) -> str:
        """The icon's resource name for this state and the desktop's theme."""
        return f"icons/ally-{self.level}-{'dark' if dark else 'light'}.svg"


def status_of(diagnosis: Diagnosis, catalog: Catalog | None = None) -> TrayStatus:
    if catalog is None:
        from desktop.diagnostics.explain import load_catalog

        catalog = load_catalog()
    problems = [f for f in diagnosis.findings if f.severity.value != "info"]
    if not problems:
        from desktop.base.words import say

        return TrayStatus(
            "neutral",
            catalog.summary.get("all_good_tooltip") or say("all_good_tooltip", "summary"),
            None,
        )
    # The answer's own lead where it has one (the heading the report window shows), so the
    # icon and the window never name two different things; else the first thing worth a
    # look (findings come ranked for the symptom, most important first).
    lead = next((f for f in problems if f.headline == diagnosis.summary.headline), problems[0])
    return TrayStatus(level_of(lead.id, lead.severity.value), lead.headline, lead.id)


def level_of(finding_id: str, severity: str) -> str:
    """The icon's state for the finding the tray talks about (see the module's doc)."""
    if severity == "critical" and finding_id not in PASSES_BY_ITSELF:
        return "problem"
    return "attention" if severity != "info" else "neutral"


def tray_status(local: TrayStatus, news_line: str | None) -> TrayStatus:
    """The tray's state with IT's news in it, calmly: an open incident makes an all-good
    icon "attention" (never "problem": the computer is fine), and its
    sentence joins the tooltip after what Ally sees on this computer."""
    if not news_line:
        return local
    if local.level == "neutral":
        return TrayStatus("attention", news_line, "news")
    return TrayStatus(local.level, f"{local.tooltip}\n{news_line}", local.finding_id)
