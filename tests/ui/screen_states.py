"""The screens of tests/ui/screens.py, each in a real state: a real check of this
computer, a real outbox with a sent and a waiting report, a real policy with IT's
contact. Only the list of programs is given (this machine runs none a person knows)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter
from PySide6.QtWidgets import QWidget

from ally_helpdesk.transports.folder import FolderTransport
from desktop.base.paths import AllyPaths
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose, local_probes
from desktop.diagnostics.explain import load_catalog
from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings
from desktop.reporting import report
from desktop.reporting.outbox import Outbox
from desktop.reporting.session import ReportSession, SendResult
from desktop.showing import ending
from desktop.showing.program_list import Program

POLICY = {
    "network": {"active_checks": False},
    "it_contact": {
        "email": "help@example.com",
        "phone": "+44 20 7946 0000",
        "hours": "Mon–Fri 8:00–18:00",
        "answers_within": "one working day",
    },
}
PROGRAMS = [
    Program("outlook", "Microsoft Outlook", True, True),
    Program("chrome", "Google Chrome", True, False),
    Program("teams", "Microsoft Teams", True, False),
    Program("exe:libreoffice", "LibreOffice Writer", False, False),
]


def desktop_picture() -> QImage:
    image = QImage(1366, 768, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, 1366, 768)
    gradient.setColorAt(0, QColor("#2d5b8a"))
    gradient.setColorAt(1, QColor("#7aa6c2"))
    painter.fillRect(image.rect(), gradient)
    painter.fillRect(120, 90, 800, 520, QColor("#f6f8fa"))
    painter.fillRect(120, 90, 800, 32, QColor("#1f6feb"))
    painter.end()
    return image


def all_screens() -> Iterator[tuple[str, QWidget, Callable[[], None]]]:
    from desktop.ui.other_windows import (
        ContactWindow,
        ReportsWindow,
        SettingsWindow,
        StatusWindow,
    )
    from desktop.ui.report_window import ReportWindow

    home = Path(tempfile.mkdtemp(prefix="ally-screens-"))
    policy = Policy.from_dict(POLICY)
    paths = AllyPaths(home / "config", home / "data", home / "logs")
    sampler = Sampler(SamplerSettings(interval_s=0.5))
    sampler.start()
    time.sleep(3)
    d = diagnose("slow", sampler=sampler, policy=policy, warm_up_s=0.5, probes=local_probes())
    sampler.stop()
    session = ReportSession(policy, paths, sampler, load_catalog("en"))
    session.diagnosis = d
    session.after_check("slow")
    settings = UserSettings(name="Alex Doe", email="alex@example.com")
    w = ReportWindow(session, settings, desktop_picture())
    w.symptom = "slow"
    w.check_started = time.monotonic()
    yield "1-what-feels-wrong", w, lambda: w.pages.setCurrentIndex(0)

    def program() -> None:
        w.program_page.fill(PROGRAMS)
        w.pages.setCurrentIndex(6)

    yield "2-which-program", w, program

    def checking() -> None:
        w.check_list.clear()
        for section in list(d.snapshot.sections.values())[:5]:
            w._on_progress(section)
        w.pages.setCurrentIndex(1)

    yield "3-checking", w, checking
    yield "4-what-we-found", w, lambda: w._show_results(d)

    def more() -> None:
        w._to_more()
        w.note.setPlainText("Outlook takes a minute to open each mail since this morning.")

    yield "5-tell-it-more", w, more
    yield "6-what-will-be-sent", w, w._to_review
    sent = SendResult(True, session.catalog.delivery_message("sent_folder"), "report.json")
    yield "7-sent", w, lambda: w._sent((sent, ending.SENT))
    waiting = SendResult(False, session.catalog.delivery_message("temporary"))

    def saved() -> None:
        w.resize(90 * 8, 80 * 8)
        w._sent((waiting, ending.WAITING))

    yield "7-saved-will-be-sent", w, saved
    status = StatusWindow(lambda done: done(d), interval_ms=3_600_000)
    yield "8-how-is-my-computer-doing", status, lambda: None
    outbox = Outbox(home / "outbox")
    outbox.add(report.build(d, note="Outlook is slow"))
    outbox.deliver_due(FolderTransport(home / "share"))
    outbox.add(report.build(d, note="The internet stops"))
    reports = ReportsWindow(outbox, None, policy)
    yield "9-my-reports", reports, lambda: None
    yield "10-settings", SettingsWindow(settings, lambda s: None, policy), lambda: None
    yield "11-contact-it", ContactWindow(policy), lambda: None
