"""One verdict per moment, read by every surface: for each state the computer can be in,
the report window's heading and charts, the tray's icon, tooltip and tip, the review, IT's
page, My reports and `ally diagnose` say the same thing (the same cause, the same "for how long", the
same program), and none says what another contradicts.

Each state is one of the rules' scenarios (tests/scenarios.py), judged once into a real
Diagnosis whose history the charts draw; the surfaces are the real ones (Qt widgets
offscreen, the HTML renderer, the terminal's text)."""

from __future__ import annotations

import re

import pytest

from ally_helpdesk.it_view import html_view
from desktop.base.paths import AllyPaths
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import Diagnosis
from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.rules import evaluate
from desktop.diagnostics.sampling.history import compact_window
from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings
from desktop.reporting import report
from desktop.reporting import review as review_words
from desktop.reporting.outbox import Outbox
from desktop.reporting.session import ReportSession
from desktop.showing.status import status_of
from desktop.showing.tips import TipScheduler
from desktop.terminal.cli_output import render_text
from desktop.ui.other_windows import ReportsWindow
from desktop.ui.report_window import ReportWindow
from tests.scenarios import scenarios

SCENARIOS = scenarios()
# state -> (scenario, the chart its answer speaks of, the program it names)
STATES = {
    "quiet": ("quiet", None, None),
    "busy now": ("cpu_sustained", "processor", "Google Chrome"),
    "busy and over": ("cpu_freeze_ended_10s_before_the_click", None, None),
    "memory": ("memory_exhausted", None, None),
    "drive": ("drive_waiting_while_not_busy", "drive_wait", "Microsoft Outlook"),
    "network": ("gateway_unreachable", None, None),
    "printer": ("default_printer_offline", None, None),
}
DURATION = re.compile(r"for the last (\d+ (?:seconds|minutes|hours|days))")


def judged(name: str) -> Diagnosis:
    inp = SCENARIOS[name]["inp"]
    findings, _ = evaluate(inp)
    explained, summary = load_catalog("en").explain_all(
        findings, inp.snapshot.symptom, inp.snapshot
    )
    snapshot = inp.snapshot
    object.__setattr__(snapshot, "history", compact_window(dict(inp.window)))
    limits = inp.thresholds.as_dict()
    return Diagnosis(snapshot, tuple(explained), summary, inp.observed_s, (), limits)


def surfaces(qtbot, tmp_path, d: Diagnosis) -> dict:
    """What each surface says about ``d``."""
    paths = AllyPaths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")
    session = ReportSession(
        Policy.from_dict({}), paths, Sampler(SamplerSettings()), load_catalog("en")
    )
    session.diagnosis = d
    window = ReportWindow(session, UserSettings())
    qtbot.addWidget(window)
    window.check_started = 0.0  # as if the check had just run
    window._show_results(d)
    doc = report.build(d, note="It froze.")
    page = html_view.render(doc)
    # The tip the tray would show once the answer has lasted (seen at two checks).
    tips = TipScheduler(sustain_s=60.0)
    tips.next_tip(d.findings, now=0.0)
    tip = tips.next_tip(d.findings, now=61.0)
    # My reports, read back from the outbox the report was stored in.
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(doc)
    mine = ReportsWindow(outbox, policy=Policy())
    qtbot.addWidget(mine)
    mine.table.selectRow(0)
    mine.show_selected()
    return {
        "heading": window.result_title.text(),
        "explanation": window.result_text.text(),
        "charts": {v.key: v.sentence for v in window.chart.views},
        "tray": status_of(d),
        "cli": " ".join(render_text(d).split("For IT")[0].split()),
        "review": review_words.preview(doc, aligned=False),
        "html": " ".join(page.split()),
        "tip": tip,
        "my reports": mine.detail.text(),
    }


@pytest.mark.parametrize("state", list(STATES))
def test_every_surface_says_the_same_thing(qtbot, tmp_path, state):
    scenario, chart, program = STATES[state]
    d = judged(scenario)
    s = surfaces(qtbot, tmp_path, d)
    heading = d.summary.headline
    # The heading is the answer's, and every surface leads with it.
    assert s["heading"] == heading
    assert s["cli"].startswith(" ".join(heading.split()))
    assert f"What Ally found: {heading}" in s["review"]
    assert f">{heading}<" in s["html"] or heading.replace("'", "&#x27;") in s["html"]
    assert s["my reports"].startswith(f"What Ally found: {heading}\n\n")
    # The tray: the same words when something is wrong, all good when nothing is; a tip
    # only about what the heading says.
    if d.summary.severity in ("warning", "critical"):
        # Red only for critical; a busy processor, however busy, is worth a look (issue 27).
        busy = state in ("busy now", "busy and over")
        level = "problem" if d.summary.severity == "critical" and not busy else "attention"
        assert s["tray"].level == level and s["tray"].tooltip == heading
        assert s["tip"] is not None and s["tip"].title == heading
    elif d.summary.severity == "ok":
        assert s["tray"].level in ("neutral", "attention")
        assert s["tip"] is None
    # For how long: the heading's duration is the chart's, in the window and IT's page.
    said = DURATION.search(heading)
    if chart is not None:
        assert said, heading
        caption = s["charts"][chart]
        assert f"for the last {said.group(1)}" in caption, (heading, caption)
        assert f"for the last {said.group(1)}" in s["html"]
    # Who: the program the answer names is the one every surface names.
    if program is not None:
        assert program in s["explanation"]
        assert program in s["cli"]
        assert program in s["tip"].text
    # Nothing contradicts the answer: a computer not busy now is nowhere "very busy".
    if state in ("quiet", "busy and over"):
        tip = [s["tip"].title, s["tip"].text] if s["tip"] is not None else []
        everything = " ".join(
            [s["heading"], s["cli"], *s["charts"].values(), s["tray"].tooltip, *tip]
        )
        assert "very busy" not in everything
        assert "has been in the “too much” area for the last" not in " ".join(s["charts"].values())
