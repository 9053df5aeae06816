"""The report flow: what feels wrong → checking → what we found → tell IT more → what will
be sent → sent. One window, calm steps, every control reachable by keyboard. The window
shows results; the work runs in ReportSession on worker threads."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.diagnostics.diagnosis import Diagnosis
from desktop.diagnostics.model import Section, Status, Symptom
from desktop.fixes.words import FixWords
from desktop.reporting import report, review
from desktop.reporting.session import ReportSession, SendResult
from desktop.settings import UserSettings
from desktop.ui.charts import HistoryChart
from desktop.ui.fix_panel import FixPanel
from desktop.ui.workers import Background
from desktop.words import say

SYMPTOMS = tuple((s.value, say(s.value, "symptoms")) for s in Symptom)
LEAVE_OUT = (
    ("note", "My words"),
    ("screenshot", "The picture of my screen"),
    ("process_list", "The list of programs that are running"),
    ("contact", "My contact details"),
)
SCREENSHOT_MAX_WIDTH = 1280


def plain_label(text: str = "") -> QLabel:
    """A label that shows its text as it is: a program's name or IT's policy text that
    looks like HTML (``<img src=...>``) is never read as markup."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def heading(text: str) -> QLabel:
    label = plain_label(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.45)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    label.setObjectName("heading")  # the step's name in the window title
    return label


def body(text: str = "") -> QLabel:
    label = plain_label(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def button(text: str, accessible: str | None = None) -> QPushButton:
    """``text`` may mark a keyboard shortcut with & ("&Send to IT" is Alt+S)."""
    b = QPushButton(text)
    b.setAccessibleName(accessible or text.replace("&", ""))
    b.setMinimumHeight(36)
    return b


def button_row(secondary: QPushButton | None, main: QPushButton) -> QHBoxLayout:
    """The way every step ends: a secondary button (Back, Close) on the left, the next step
    on the right, where the eye and the Tab key finish."""
    row = QHBoxLayout()
    if secondary is not None:
        row.addWidget(secondary)
    row.addStretch(1)
    row.addWidget(main)
    return row


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


WINDOW_TITLE = "Ally — tell IT what is wrong"


class ReportWindow(QWidget):
    progress = Signal(object)  # a Section, from a probe's thread
    finished = Signal(object)  # the SendResult, for My reports and tests

    def __init__(
        self,
        session: ReportSession,
        settings: UserSettings,
        screenshot: QImage | None = None,
        notice: str | None = None,
    ) -> None:
        super().__init__()
        self.session, self.settings = session, settings
        self.background = Background(self)
        self.screenshot = screenshot_from(screenshot) if screenshot is not None else None
        self.symptom = "other"
        self.doc: dict[str, Any] | None = None
        self.report_id: str | None = None
        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName("Ally report window")
        self.resize(720, 640)
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        if notice:
            banner = body(notice)
            banner.setAccessibleName(notice)
            outer.addWidget(banner)
        outer.addWidget(self.pages)
        self._build_symptoms()
        self._build_checking()
        self._build_results()
        self._build_more()
        self._build_review()
        self._build_done()
        self.progress.connect(self._on_progress)
        self.pages.currentChanged.connect(self._name_the_step)

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
        lay = QVBoxLayout(page)
        lay.addWidget(heading("What feels wrong?"))
        lay.addWidget(
            body("Pick the closest one. Ally will check your computer and explain what it finds.")
        )
        self.symptom_buttons: dict[str, QPushButton] = {}
        for key, text in SYMPTOMS:
            b = button(text)
            b.setMinimumHeight(52)
            b.clicked.connect(lambda _=False, k=key: self.start_check(k))
            lay.addWidget(b)
            self.symptom_buttons[key] = b
        lay.addStretch(1)
        self.pages.addWidget(page)

    # --- 2. checking --------------------------------------------------------------------------

    def _build_checking(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(heading("Checking your computer…"))
        lay.addWidget(body("This takes a moment. You can keep working."))
        self.check_list = QListWidget()
        self.check_list.setAccessibleName("Checks done so far")
        lay.addWidget(self.check_list)
        self.pages.addWidget(page)

    def start_check(self, symptom: str, focus_app: str | None = None) -> None:
        self.symptom = symptom
        self.check_list.clear()
        self.pages.setCurrentIndex(1)
        self.check_started = time.monotonic()
        self.background.run(
            lambda: self.session.check(symptom, focus_app, self.progress.emit),
            self._show_results,
            self._check_failed,
        )

    def _on_progress(self, section: Section) -> None:
        name = say(section.name, "checks")
        state = {
            Status.OK: "checked",
            Status.UNAVAILABLE: "not available here",
            Status.ERROR: "could not check",
        }[section.status]
        self.check_list.addItem(f"{name}: {state}")

    def _check_failed(self, detail: str) -> None:
        self.result_title.setText("Ally could not finish its checks.")
        self.result_text.setText(
            "This is a problem in Ally, not something you did. You can still tell IT."
        )
        self.pages.setCurrentIndex(2)

    # --- 3. here is what we found ------------------------------------------------------------

    def _build_results(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(heading("Here is what we found"))
        self.result_news = body()  # what IT already knows comes first (issue 18)
        self.result_news.setTextFormat(Qt.TextFormat.PlainText)
        self.result_news.setVisible(False)
        lay.addWidget(self.result_news)
        self.result_title = body()
        f = QFont(self.result_title.font())
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15)
        self.result_title.setFont(f)
        self.result_text = body()
        self.result_findings = body()
        self.chart = HistoryChart()
        lay.addWidget(self.result_title)
        lay.addWidget(self.result_text)
        lay.addWidget(self.result_findings)
        self.fix_panel = FixPanel(self.background)  # safe fixes the person can try (issue 18)
        lay.addWidget(self.fix_panel)
        lay.addWidget(self.chart)
        self.tell_button = button("&Tell IT about it")
        self.tell_button.clicked.connect(self._to_more)
        close = button("&Close")
        close.clicked.connect(self.close)
        self.result_close = close
        lay.addLayout(button_row(close, self.tell_button))
        self.pages.addWidget(page)

    def _show_results(self, d: Diagnosis) -> None:
        self.answer_seconds = time.monotonic() - self.check_started
        s = d.summary
        self.result_title.setText(s.headline)
        text = s.explanation
        if s.severity != "ok" and s.not_your_fault and "not something you did" not in text:
            text += " This is not something you did."
        self.result_text.setText(text)
        # Plain text on purpose: headlines carry program names from outside Ally.
        items = []
        for f in d.findings:
            if f.severity.value == "info" or f.headline == s.headline:
                continue
            advice = "".join(f"\n  • {a}" for a in f.advice)
            items.append(f"{f.headline}\n{f.explanation}{advice}")
        top = next((f for f in d.findings if f.headline == s.headline), None)
        if top is not None and top.advice:
            items.insert(0, "What you can try:" + "".join(f"\n  • {a}" for a in top.advice))
        self.result_findings.setText("\n\n".join(items))
        self._show_helping(d)
        self.chart.set_history(d.snapshot.history)
        self.pages.setCurrentIndex(2)
        self.tell_button.setFocus()

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
        # the step's own buttons (Close, Tell IT about it).
        chain = [*self.fix_panel.focus_chain(), self.result_close, self.tell_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- 4. tell IT more ---------------------------------------------------------------------

    def _build_more(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(heading("Tell IT more (optional)"))
        lay.addWidget(body("In your own words, what happened? Anything helps, even one line."))
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Your own words for IT")
        self.note.setTabChangesFocus(True)
        lay.addWidget(self.note)
        self.app_choice = QComboBox()
        self.app_choice.setAccessibleName("The program that shows an error")
        self.app_label = body("Which program?")
        lay.addWidget(self.app_label)
        lay.addWidget(self.app_choice)
        self.shot_label = plain_label()
        self.shot_label.setAccessibleName("A picture of your screen from just before Ally opened")
        self.include_shot = QCheckBox("Include this picture of my screen")
        self.include_shot.setAccessibleName("Include the picture of my screen")
        self.remove_shot = button("Remove the picture")
        self.remove_shot.clicked.connect(self._remove_screenshot)
        shot_row = QHBoxLayout()
        shot_row.addWidget(self.shot_label)
        shot_col = QVBoxLayout()
        shot_col.addWidget(self.include_shot)
        shot_col.addWidget(self.remove_shot)
        shot_col.addStretch(1)
        shot_row.addLayout(shot_col)
        lay.addLayout(shot_row)
        form = QFormLayout()
        self.name = QLineEdit(self.settings.name)
        self.email = QLineEdit(self.settings.email)
        self.phone = QLineEdit(self.settings.phone)
        for label, field in (
            ("Your name", self.name),
            ("Email", self.email),
            ("Phone", self.phone),
        ):
            field.setAccessibleName(label)
            form.addRow(plain_label(label), field)
        lay.addLayout(form)
        back = button("&Back")
        back.clicked.connect(lambda: self.pages.setCurrentIndex(2))
        self.show_button = button("&Show what will be sent")
        self.show_button.clicked.connect(self._to_review)
        lay.addLayout(button_row(back, self.show_button))
        self.pages.addWidget(page)

    def _to_more(self) -> None:
        has_shot = self.screenshot is not None
        self.include_shot.setChecked(has_shot)
        self.include_shot.setVisible(has_shot)
        self.remove_shot.setVisible(has_shot)
        self.shot_label.setVisible(has_shot)
        if has_shot:
            pix = QPixmap()
            pix.loadFromData(self.screenshot.png)
            self.shot_label.setPixmap(
                pix.scaledToWidth(240, Qt.TransformationMode.SmoothTransformation)
            )
        is_app = self.symptom == "app"
        self.app_label.setVisible(is_app)
        self.app_choice.setVisible(is_app)
        if is_app and self.app_choice.count() == 0:
            # Loaded here: it reads crash records (XML, mail-format parsers), which only the
            # "a program shows an error" path needs and which would stay in memory otherwise.
            from desktop.diagnostics.app_choices import app_choices

            self.app_choice.addItem("I'm not sure", None)
            self.background.run(app_choices, self._fill_apps)
        self.pages.setCurrentIndex(3)
        self.note.setFocus()

    def _fill_apps(self, choices: list) -> None:
        for c in choices[:30]:
            label = c.name + (" (closed by itself recently)" if c.crashes or c.hangs else "")
            self.app_choice.addItem(label, c.app_id)

    def _remove_screenshot(self) -> None:
        self.screenshot = None
        self.include_shot.setChecked(False)
        for w in (self.include_shot, self.remove_shot, self.shot_label):
            w.setVisible(False)

    # --- 5. what will be sent ----------------------------------------------------------------

    def _build_review(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(heading("This is what will be sent"))
        lay.addWidget(body("Nothing else leaves your computer. You can leave parts out."))
        self.leave_out: dict[str, QCheckBox] = {}
        for key, text in LEAVE_OUT:
            box = QCheckBox(f"Leave out: {text}")
            box.setAccessibleName(f"Leave out {text}")
            box.toggled.connect(self._rebuild)
            lay.addWidget(box)
            self.leave_out[key] = box
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Everything that will be sent to IT")
        lay.addWidget(self.preview)
        self.exact = QCheckBox("Show the exact data")
        self.exact.setAccessibleName("Show the exact data that will be sent")
        self.exact.toggled.connect(self._show_preview)
        lay.addWidget(self.exact)
        back = button("&Back")
        back.clicked.connect(lambda: self.pages.setCurrentIndex(3))
        self.send_button = button("&Send to IT")
        self.send_button.clicked.connect(self._send)
        lay.addLayout(button_row(back, self.send_button))
        self.pages.addWidget(page)

    def _to_review(self) -> None:
        focus = self.app_choice.currentData() if self.symptom == "app" else None
        if focus and (
            self.session.diagnosis is None
            or self.session.diagnosis.snapshot.section_data("focus_app") is None
        ):
            # The person named a program: check again with the report focused on it.
            self.show_button.setEnabled(False)
            self.background.run(lambda: self.session.check(self.symptom, focus), self._focused)
            return
        self._rebuild()
        self.pages.setCurrentIndex(4)
        self.send_button.setFocus()

    def _focused(self, _d: Diagnosis) -> None:
        self.show_button.setEnabled(True)
        self._to_review()

    def _rebuild(self) -> None:
        chosen = [k for k, box in self.leave_out.items() if box.isChecked()]
        shot = self.screenshot if self.include_shot.isChecked() else None
        if self.screenshot is not None and shot is None and "screenshot" not in chosen:
            chosen.append("screenshot")
        contact = report.Contact(
            self.name.text() or None, self.email.text() or None, self.phone.text() or None
        )
        has_contact = any(contact.to_dict().values())
        self.doc = self.session.build(
            self.note.toPlainText(), contact if has_contact else None, shot, chosen, self.report_id
        )
        self.report_id = self.doc["id"]  # switches change what is sent, never which report it is
        self._show_preview()

    def _show_preview(self) -> None:
        if self.doc is None:
            return
        text = (
            json.dumps(self.doc, indent=2, ensure_ascii=False)
            if self.exact.isChecked()
            else review.preview(self.doc)
        )
        if len(self.note.toPlainText().strip()) > report.MAX_NOTE_CHARS:
            # Shortened, and said so before anything is sent: never cut without a word.
            limit = f"{report.MAX_NOTE_CHARS:,}"
            text = say("note_shortened", limit=limit) + "\n\n" + text
        self.preview.setPlainText(text)

    def _send(self) -> None:
        self.send_button.setEnabled(False)
        self.send_button.setText("Sending…")  # no second click can send it twice
        doc = self.doc
        self.background.run(lambda: self.session.send(doc), self._sent, self._send_failed)

    # --- 6. sent ------------------------------------------------------------------------------

    def _build_done(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.done_title = heading("Thank you")
        self.done_text = body()
        self.done_detail = body()
        self.done_detail.setStyleSheet("color: palette(mid);")
        lay.addWidget(self.done_title)
        lay.addWidget(self.done_text)
        lay.addWidget(self.done_detail)
        lay.addStretch(1)
        close = button("&Close")
        close.clicked.connect(self.close)
        lay.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
        self.done_close = close
        self.pages.addWidget(page)

    def _sent(self, result: SendResult) -> None:
        self.done_text.setText(result.message)
        self.done_text.setAccessibleName(result.message)
        self.done_detail.setText(
            f"For IT: {result.detail}" if result.detail and not result.delivered else ""
        )
        self.pages.setCurrentIndex(5)
        self.done_close.setFocus()
        self.finished.emit(result)

    def _send_failed(self, detail: str) -> None:
        self._sent(
            SendResult(False, self.session.catalog.delivery_message("temporary"), detail=detail)
        )
