"""The report flow: what feels wrong → (which program?) → checking → what Ally found → tell
IT more → what will be sent → sent. One window, calm steps, one default button per step,
every control reachable by keyboard, Escape closes. The window shows results; the work
runs in ReportSession on worker threads. Every word comes from the catalog."""

from __future__ import annotations

import itertools
import json
import logging
import time
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from ally_helpdesk.evidence.thresholds import Thresholds
from desktop.base.words import say
from desktop.diagnostics.diagnosis import Diagnosis
from desktop.diagnostics.model import Section, Status
from desktop.fixes.words import FixWords
from desktop.policy.settings import UserSettings
from desktop.reporting import report
from desktop.reporting import review as review_words
from desktop.reporting.session import ReportSession, SendResult
from desktop.showing import ending
from desktop.ui.charts import HistoryChart
from desktop.ui.fix_panel import FixPanel
from desktop.ui.report_steps import DonePage, MorePage, ReviewPage
from desktop.ui.which_program import ProgramPage
from desktop.ui.widgets import (  # noqa: F401  (re-exported for the other windows)
    GRID,
    body,
    button,
    button_row,
    close_on_escape,
    heading,
    page_layout,
    plain_label,
    strong,
    window_layout,
)
from desktop.ui.workers import Background

SYMPTOMS = review_words.SYMPTOM_KEYS
SCREENSHOT_MAX_WIDTH = 1280
# "Which program?" is asked before the check but is the last page in the stack, so each
# other step keeps its number.
(SYMPTOMS_PAGE, CHECKING_PAGE, RESULTS_PAGE, MORE_PAGE, REVIEW_PAGE, DONE_PAGE, PROGRAM_PAGE) = (
    range(7)
)


log = logging.getLogger(__name__)


def w(key: str, **values: Any) -> str:
    return say(key, "report_window", **values)


WINDOW_TITLE = w("window_title")


def screenshot_from(image: QImage) -> report.Screenshot | None:
    """A downscaled PNG of the screen as it was before Ally's window appeared."""
    if image.isNull():
        return None
    if image.width() > SCREENSHOT_MAX_WIDTH:
        image = image.scaledToWidth(
            SCREENSHOT_MAX_WIDTH, Qt.TransformationMode.SmoothTransformation
        )
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return report.Screenshot(bytes(data.data()), image.width(), image.height())


class ReportWindow(QWidget):
    progress = Signal(object)  # a Section, from a probe's thread
    finished = Signal(object)  # the SendResult, for My reports and tests
    judged = Signal(object)  # each answer shown (a Diagnosis): the tray's icon follows it

    def __init__(
        self,
        session: ReportSession,
        settings: UserSettings,
        screenshot: QImage | None = None,
        notice: str | None = None,
        no_picture: str | None = None,
    ) -> None:
        super().__init__()
        self.session, self.settings = session, settings
        self.background = Background(self)
        self.screenshot = screenshot_from(screenshot) if screenshot is not None else None
        self.symptom = "other"
        self.focus_app: str | None = None
        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName(say("window_name", "report_window"))
        self.resize(90 * GRID, 80 * GRID)
        self.pages = QStackedWidget()
        outer = window_layout(self)
        if notice:
            banner = body(notice)
            banner.setAccessibleName(notice)
            outer.addWidget(banner)
        outer.addWidget(self.pages)
        self._build_symptoms()
        self._build_checking()
        self._build_results()
        self.more = MorePage(settings)
        self.more.picture_ticked = session.policy.privacy.screenshot_ticked
        if no_picture and self.screenshot is None:
            self.more.say_no_picture(no_picture)
        self.more.back.clicked.connect(lambda: self.pages.setCurrentIndex(RESULTS_PAGE))
        self.more.next.clicked.connect(self._to_review)
        self.pages.addWidget(self.more)
        self.review = ReviewPage(session, self.more, lambda: self.screenshot)
        self.review.back.clicked.connect(lambda: self.pages.setCurrentIndex(MORE_PAGE))
        self.review.send.clicked.connect(self._send)
        self.pages.addWidget(self.review)
        self.done = DonePage(session)
        self.done.close_button.clicked.connect(self.close)
        self.pages.addWidget(self.done)
        self.program_page = ProgramPage(self.background)
        self.program_page.chosen.connect(lambda key: self.start_check("app", key))
        self.program_page.back.clicked.connect(lambda: self.pages.setCurrentIndex(SYMPTOMS_PAGE))
        self.pages.addWidget(self.program_page)
        close_on_escape(self)
        self.progress.connect(self._on_progress)
        self.pages.currentChanged.connect(self._name_the_step)

    # Names the tests, the tray test and the rest of Ally know these controls by.
    note = property(lambda self: self.more.note)
    name = property(lambda self: self.more.name)
    email = property(lambda self: self.more.email)
    phone = property(lambda self: self.more.phone)
    include_shot = property(lambda self: self.more.shot.include)
    show_button = property(lambda self: self.more.next)
    preview = property(lambda self: self.review.preview)
    send_parts = property(lambda self: self.review.parts)
    exact = property(lambda self: self.review.exact)
    send_button = property(lambda self: self.review.send)
    doc = property(lambda self: self.review.doc)
    done_title = property(lambda self: self.done.title)
    done_text = property(lambda self: self.done.text)
    done_close = property(lambda self: self.done.close_button)

    def showEvent(self, event) -> None:
        """The first choice has the focus when the window opens: Space or Enter picks it."""
        super().showEvent(event)
        if self.pages.currentIndex() == SYMPTOMS_PAGE:
            self.symptom_buttons[SYMPTOMS[0]].setFocus()

    def _name_the_step(self, index: int) -> None:
        """Put the step's heading in the window title.

        Screen readers and the taskbar then say where the person is, and a test driving
        the real window through the X server can wait for a step instead of guessing.
        """
        label = self.pages.widget(index).findChild(QLabel, "heading")
        step = label.text() if label is not None else ""
        self.setWindowTitle(f"{WINDOW_TITLE} · {step}" if index and step else WINDOW_TITLE)

    # --- 1. what feels wrong ----------------------------------------------------------------

    def _build_symptoms(self) -> None:
        page = QWidget()
        lay, outer = page_layout(page)
        lay.addWidget(heading(w("symptoms_title")))
        lay.addWidget(body(w("symptoms_text")))
        self.symptom_buttons: dict[str, QPushButton] = {}
        for key in SYMPTOMS:
            b = button(review_words.symptom_words(key))
            b.setMinimumHeight(6 * GRID + 4)
            b.clicked.connect(lambda _=False, k=key: self.choose(k))
            lay.addWidget(b)
            self.symptom_buttons[key] = b
        lay.addStretch(1)
        # A way out that says so, where every other step has Back or Close: nothing has
        # been checked or kept yet, so it only closes the window (as Escape does).
        self.cancel_button = button(w("cancel"))
        self.cancel_button.clicked.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        outer.addLayout(row)
        self.pages.addWidget(page)

    def choose(self, symptom: str) -> None:
        """ "A program shows an error" asks which program first, so the check can focus
        on it; every other choice starts the check at once."""
        if symptom == "app":
            self.pages.setCurrentIndex(PROGRAM_PAGE)
            self.program_page.load()
            return
        self.start_check(symptom)

    # --- 2. checking --------------------------------------------------------------------------

    def _build_checking(self) -> None:
        page = QWidget()
        lay, _ = page_layout(page)
        lay.addWidget(heading(w("checking_title")))
        lay.addWidget(body(w("checking_text")))
        self.check_list = QListWidget()
        self.check_list.setAccessibleName(w("checks_list"))
        lay.addWidget(self.check_list)
        self.pages.addWidget(page)

    def start_check(self, symptom: str, focus_app: str | None = None) -> None:
        self.symptom, self.focus_app = symptom, focus_app
        self.check_list.clear()
        self.pages.setCurrentIndex(CHECKING_PAGE)
        self.check_started = time.monotonic()
        self.background.run(
            lambda: self.session.check(symptom, focus_app, self.progress.emit),
            self._show_results,
            self._check_failed,
        )

    def _on_progress(self, section: Section) -> None:
        name = review_words.check_words(section.name)
        state = {Status.OK: "done", Status.UNAVAILABLE: "unavailable", Status.ERROR: "failed"}
        self.check_list.addItem(say(state[section.status], "checks", name=name))

    def _check_failed(self, detail: str) -> None:
        self.result_title.setText(w("check_failed_title"))
        self.result_text.setText(w("check_failed_text"))
        self.tell_button.setEnabled(False)  # nothing was checked, so nothing to build
        self.pages.setCurrentIndex(RESULTS_PAGE)

    # --- 3. here is what Ally found ------------------------------------------------------------

    def _build_results(self) -> None:
        page = QWidget()
        lay, outer = page_layout(page)
        lay.addWidget(heading(w("results_title")))
        self.result_news = body()  # what IT already knows comes first (issue 18)
        self.result_news.setVisible(False)
        lay.addWidget(self.result_news)
        self.result_title = strong()
        self.result_text = body()
        self.result_findings = body()
        lay.addWidget(self.result_title)
        lay.addWidget(self.result_text)
        lay.addWidget(self.result_findings)
        self.fix_panel = FixPanel(self.background)  # safe fixes the person can try (issue 18)
        self.fix_panel.worked.connect(self._check_again_after_fix)
        lay.addWidget(self.fix_panel)
        lay.addWidget(strong(w("charts_title"), 1.0))
        self.chart = HistoryChart()
        lay.addWidget(self.chart)
        lay.addStretch(1)
        self.tell_button = button(w("tell_it"))
        self.tell_button.clicked.connect(self._to_more)
        self.result_close = button(w("close"))
        self.result_close.clicked.connect(self.close)
        outer.addLayout(button_row(self.result_close, self.tell_button))
        self.pages.addWidget(page)

    def _show_results(self, d: Diagnosis) -> None:
        self.answer_seconds = time.monotonic() - self.check_started
        self._show_answer(d, d.summary.headline)
        self._show_helping(d)
        self.tell_button.setEnabled(True)
        self.pages.setCurrentIndex(RESULTS_PAGE)
        self.tell_button.setFocus()

    def _show_answer(self, d: Diagnosis, title: str) -> None:
        """The heading, the answer, the other findings and the charts of one judgement."""
        self.judged.emit(d)
        s = d.summary
        self.result_title.setText(title)
        text = s.explanation
        reassured = [say(k, "summary") for k in ("not_your_fault_said", "common_said")]
        if s.severity != "ok" and s.not_your_fault and not any(r in text for r in reassured):
            text += " " + w("not_your_fault")
        self.result_text.setText(text)
        self.result_findings.setText(findings_text(d))
        self.result_findings.setVisible(bool(self.result_findings.text()))
        limits = Thresholds(self.session.policy.thresholds).as_dict()
        found = [getattr(f, "id", "") for f in d.findings]
        self.chart.set_history(d.snapshot.history, limits, found)

    def _check_again_after_fix(self, offer: Any, result: Any) -> None:
        """A fix did its work: the answer is judged again, and the heading, the findings
        and the charts move on to what the computer does now."""
        self.result_title.setText(say("checking", "after_fix"))
        self.tell_button.setEnabled(False)  # the report waits for the new answer
        self.background.run(
            lambda: self.session.check_again_after_fix(offer),
            self._show_after_fix,
            self._check_again_failed,
        )

    def _show_after_fix(self, d: Diagnosis) -> None:
        # What changed, as the session judged it once: the ending and My reports say it too.
        changed = self.session.changed or {}
        self._show_answer(d, str(changed.get("said") or d.summary.headline))
        self.tell_button.setEnabled(True)

    def _check_again_failed(self, detail: str) -> None:
        self.result_title.setText(self.session.diagnosis.summary.headline)
        self.tell_button.setEnabled(True)  # the answer before the fix still stands

    def _show_helping(self, d: Diagnosis) -> None:
        """IT's news that may explain this, first; the fixes Ally may try, under the findings."""
        news = self.session.news_line
        self.result_news.setText(news or "")
        self.result_news.setAccessibleName(news or "")
        self.result_news.setVisible(bool(news))
        self.fix_panel.show_offers(
            self.session.offers, FixWords(self.session.catalog), self.session.try_fix
        )
        # The keyboard reaches the fixes where the eye does: under the findings, before
        # the step's own buttons (Close, Tell IT about this).
        chain = [*self.fix_panel.focus_chain(), self.result_close, self.tell_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- 4. tell IT more, 5. what will be sent, 6. sent -----------------------------------

    def _to_more(self) -> None:
        self.more.show_screenshot(self.screenshot.png if self.screenshot else None)
        self.pages.setCurrentIndex(MORE_PAGE)
        self.note.setFocus()

    def _to_review(self) -> None:
        self.review.prepare(self.screenshot is not None)
        self.pages.setCurrentIndex(REVIEW_PAGE)
        self.send_button.setFocus()

    def _send(self) -> None:
        if self.more.remember.isChecked():
            self._remember_contact()
        self.send_button.setEnabled(False)
        self.send_button.setText(w("sending"))  # no second click can send it twice
        doc = self.review.doc
        self.background.run(lambda: self.done.send_and_look(doc), self._sent, self._send_failed)

    def _remember_contact(self) -> None:
        """The contact details typed here, for the next report: only when ticked."""
        from desktop.policy.settings import settings_path

        self.settings.name = self.more.name.text().strip()
        self.settings.email = self.more.email.text().strip()
        self.settings.phone = self.more.phone.text().strip()
        try:
            self.settings.save(settings_path(self.session.paths.config_dir))
        except OSError as exc:  # the report goes all the same; only the remembering failed
            log.warning("contact details not remembered: %s", exc)

    def _rebuild(self) -> None:
        self.review.rebuild()

    def _sent(self, outcome: tuple[SendResult, str] | SendResult) -> None:
        if isinstance(outcome, SendResult):
            kept = outcome.kept_here is not None
            outcome = (
                outcome,
                ending.KEPT_HERE if kept else ending.SENT if outcome.delivered else ending.WAITING,
            )
        result, state = outcome
        self.done.show_outcome(result, state, self.review.doc, self.symptom)
        self.pages.setCurrentIndex(DONE_PAGE)
        self._fit_to_ending()
        self.done_close.setFocus()
        self.finished.emit(result)

    def _fit_to_ending(self) -> None:
        """The last step is short: the window shrinks to it, as the system's own
        dialogs do, instead of ending on a mostly empty window."""
        margins = self.layout().contentsMargins()
        needed = self.done.wanted_height(self.width() - margins.left() - margins.right())
        height = needed + margins.top() + margins.bottom()
        if self.pages.indexOf(self.done) != self.pages.currentIndex() or height >= self.height():
            return
        self.resize(self.width(), max(height, 40 * GRID))

    def _send_failed(self, detail: str) -> None:
        # Ally itself failed while sending: IT's server may never have been asked.
        result = SendResult(
            False, self.session.catalog.delivery_message("ally_failed"), detail=detail
        )
        self._sent((result, self.done.state_of(self.review.doc["id"], result)))


def findings_text(d: Diagnosis) -> str:
    """What to try for the main finding, then each other finding once (plain text on
    purpose: headlines carry program names from outside Ally)."""
    s = d.summary
    items, seen = [], {s.headline}
    top = next((f for f in d.findings if f.headline == s.headline), None)
    if top is not None and top.advice:
        items.append(w("try_this") + "".join(f"\n  • {a}" for a in top.advice))
    for f in d.findings:
        if f.severity.value == "info" or f.headline in seen:
            continue
        seen.add(f.headline)
        advice = "".join(f"\n  • {a}" for a in f.advice)
        items.append(f"{f.headline}\n{f.explanation}{advice}")
    return "\n\n".join(items)


def dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)
