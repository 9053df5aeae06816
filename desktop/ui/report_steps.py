"""The report window's last three steps: tell IT more, what will be sent, and the ending."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.base.words import say
from desktop.policy.settings import UserSettings
from desktop.reporting import delivery, report
from desktop.reporting import review as review_words
from desktop.reporting.session import ReportSession, SendResult
from desktop.showing import ending
from desktop.ui.screenshot_choice import ScreenshotChoice
from desktop.ui.widgets import (
    GRID,
    body,
    button,
    button_row,
    check_box,
    heading,
    page_layout,
    plain_label,
    strong,
)

PARTS = ("note", "screenshot", "process_list", "contact")


def w(key: str, **values: Any) -> str:
    return say(key, "report_window", **values)


class MorePage(QWidget):
    """4. Tell IT more: the person's words, the picture, how to reach them."""

    def __init__(self, settings: UserSettings) -> None:
        super().__init__()
        lay, outer = page_layout(self)
        lay.addWidget(heading(w("more_title")))
        lay.addWidget(body(w("more_text")))
        self.note = QPlainTextEdit()
        self.note.setAccessibleName(w("note_name"))
        self.note.setTabChangesFocus(True)
        self.note.setMinimumHeight(12 * GRID)
        lay.addWidget(self.note)
        self.shot = ScreenshotChoice()
        lay.addWidget(self.shot)
        self.picture_ticked = False  # IT's policy may start it ticked ([privacy])
        self.no_picture = body()  # why there is no picture, when Ally could not take one
        self.no_picture.setVisible(False)
        lay.addWidget(self.no_picture)
        form = QFormLayout()
        form.setSpacing(GRID)
        self.name = QLineEdit(settings.name)
        self.email = QLineEdit(settings.email)
        self.phone = QLineEdit(settings.phone)
        for key, field in (("your_name", self.name), ("email", self.email), ("phone", self.phone)):
            field.setAccessibleName(w(key))
            form.addRow(plain_label(w(key)), field)
        lay.addLayout(form)
        # Kept for the next report only when the person asks (off by default), in their
        # own settings file (readable by them alone, gone with Ally's data).
        self.remember = check_box(w("remember_contact"))
        self.remember.setAccessibleName(w("remember_contact"))
        lay.addWidget(self.remember)
        lay.addStretch(1)
        self.back = button(w("back"))
        self.next = button(w("show_sent"))
        outer.addLayout(button_row(self.back, self.next))

    def say_no_picture(self, why: str) -> None:
        """Why no picture of the screen goes with this report (Wayland without a portal,
        no consent on macOS, a blank capture): said, never a blank picture sent as real."""
        self.no_picture.setText(why)
        self.no_picture.setAccessibleName(why)
        self.no_picture.setVisible(True)

    def show_screenshot(self, png: bytes | None) -> None:
        if png is None or self.shot.pixmap.isNull():
            self.shot.set_png(png, ticked=self.picture_ticked)

    def contact(self) -> report.Contact | None:
        contact = report.Contact(
            self.name.text() or None, self.email.text() or None, self.phone.text() or None
        )
        return contact if any(contact.to_dict().values()) else None


class ReviewPage(QWidget):
    """5. What will be sent: "Send: ☑ my words ☑ the picture …", then all of it in words,
    the exact data one tick away. Unticking a part leaves it out."""

    def __init__(self, session: ReportSession, more: MorePage, screenshot: Callable[[], Any]):
        super().__init__()
        self.session, self.more, self.screenshot = session, more, screenshot
        self.doc: dict[str, Any] | None = None
        self.report_id: str | None = None
        lay, outer = page_layout(self)
        lay.addWidget(heading(w("review_title")))
        lay.addWidget(body(w("review_text")))
        # A column of ticks, as the system's own share and privacy dialogs list choices.
        row = QVBoxLayout()
        row.setSpacing(GRID)
        row.addWidget(strong(w("send_label"), 1.0))
        self.parts: dict[str, QCheckBox] = {}
        for key in PARTS:
            box = check_box(w(f"send_{key}"))
            box.setAccessibleName(f"{w('send_label')} {w(f'send_{key}')}")
            box.setChecked(True)
            box.toggled.connect(self.rebuild)
            row.addWidget(box)
            self.parts[key] = box
        lay.addLayout(row)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(w("preview_name"))
        self.preview.setMinimumHeight(20 * GRID)
        lay.addWidget(self.preview, 1)
        self.exact = check_box(w("exact"))
        self.exact.setAccessibleName(w("exact_name"))
        self.exact.toggled.connect(self.show_preview)
        lay.addWidget(self.exact)
        self.back = button(w("back"))
        self.send = button(w("send"))
        outer.addLayout(button_row(self.back, self.send))

    def prepare(self, has_screenshot: bool) -> None:
        """The picture's box follows the choice made beside the picture (and back); a
        part the person gave nothing for (no words, no contact details) has no box: a
        ticked "my words" beside "Your words: none" would offer what is not there."""
        box = self.parts["screenshot"]
        box.setVisible(has_screenshot)
        box.blockSignals(True)
        box.setChecked(has_screenshot and self.more.shot.include.isChecked())
        box.blockSignals(False)
        given = {
            "note": bool(self.more.note.toPlainText().strip()),
            "contact": self.more.contact() is not None,
        }
        for key, there in given.items():
            self.parts[key].setVisible(there)
            if not there:  # nothing to leave out; ticked again if they add some later
                self.parts[key].blockSignals(True)
                self.parts[key].setChecked(True)
                self.parts[key].blockSignals(False)
        self.rebuild()

    def rebuild(self) -> None:
        screenshot = self.screenshot()
        if screenshot is not None:  # one choice, shown in two places
            self.more.shot.include.setChecked(self.parts["screenshot"].isChecked())
        left_out = [k for k, box in self.parts.items() if not box.isChecked()]
        shot = screenshot if screenshot is not None and "screenshot" not in left_out else None
        if screenshot is None and "screenshot" in left_out:
            left_out.remove("screenshot")  # there was none to leave out
        self.doc = self.session.build(
            self.more.note.toPlainText(), self.more.contact(), shot, left_out, self.report_id
        )
        self.report_id = self.doc["id"]  # switches change what is sent, never which report it is
        self.show_preview()

    def show_preview(self) -> None:
        if self.doc is None:
            return
        text = (
            json.dumps(self.doc, indent=2, ensure_ascii=False)
            if self.exact.isChecked()
            else review_words.preview(self.doc, aligned=False)
        )
        if len(self.more.note.toPlainText().strip()) > report.MAX_NOTE_CHARS:
            # Shortened, and said so before anything is sent: never cut without a word.
            limit = f"{report.MAX_NOTE_CHARS:,}"
            text = say("note_shortened", limit=limit) + "\n\n" + text
        self.preview.setPlainText(text)


class DonePage(QWidget):
    """6. The ending: what became of the report, the reference to quote, when IT answers,
    how to reach IT, what happens next, and what the person told IT."""

    def __init__(self, session: ReportSession) -> None:
        super().__init__()
        self.session = session
        lay, outer = page_layout(self)
        self.title = heading(w("review_title"))
        self.text = body()
        self.told = body()
        self.detail = body()
        self.detail.setStyleSheet("color: palette(placeholder-text);")
        for label in (self.title, self.text, self.told, self.detail):
            lay.addWidget(label)
        lay.addStretch(1)
        self.close_button = button(w("close"))
        self.open_folder = button(say("open_folder", "ending"))
        self.open_folder.setVisible(False)  # only for a report kept on this computer
        self.open_folder.clicked.connect(self._open_folder)
        self.kept_in: Any = None
        outer.addLayout(button_row(self.open_folder, self.close_button))
        self.labels = (self.title, self.text, self.told, self.detail)

    def wanted_height(self, width: int) -> int:
        """The height this step needs at ``width``: its words, the gaps and the button."""
        shown = [label for label in self.labels if label.text() and not label.isHidden()]
        words = sum(label.heightForWidth(width - 2 * GRID) for label in shown)
        gaps = 2 * GRID * (len(shown) + 1)
        return words + gaps + self.close_button.sizeHint().height() + 2 * GRID

    def send_and_look(self, doc: dict[str, Any]) -> tuple[SendResult, str]:
        """On a worker: send, then read back where the report now is."""
        result = self.session.send(doc)
        return result, self.state_of(doc["id"], result)

    def state_of(self, report_id: str, result: SendResult) -> str:
        if result.kept_here is not None:
            return ending.KEPT_HERE  # saved here because IT has not chosen: not "IT has it"
        if result.delivered:
            return ending.SENT
        try:
            entry = next(
                (
                    e
                    for e in delivery.outbox(self.session.paths).entries()
                    if e.report_id == report_id
                ),
                None,
            )
        except OSError:
            entry = None
        if entry is None:
            return ending.NOT_SAVED
        return ending.WAITING if entry.state.status == "waiting" else ending.STOPPED

    def show_outcome(
        self, result: SendResult, state: str, doc: dict[str, Any] | None, symptom: str
    ) -> None:
        report_id = (doc or {}).get("id", "")
        transport = self.session.policy.transport.kind if result.delivered else None
        reference = ending.quote_reference(report_id, transport, result.reference)
        message = result.message
        if result.kept_here is not None:  # where it is, so the person can show it to IT
            message += "\n\n" + say("folder", "kept_here", folder=str(result.kept_here))
        contact, fix = self.session.policy.it_contact, ending.what_a_fix_changed(doc)
        reach = ending.reachable(doc)
        words = ending.ending(state, message, reference, contact, fix, reach)
        self.title.setText(words.title)
        self.title.setAccessibleName(words.title)
        self.text.setText(words.text())
        self.text.setAccessibleName(words.text())
        told = [w("you_told", symptom=review_words.symptom_words(symptom))]
        program = self._program_asked_about()
        if program:  # "Which program?" was answered: the ending names it
            told = [w("you_told_program", symptom=review_words.symptom_words(symptom), app=program)]
        note = ((doc or {}).get("note") or "").strip()
        if note:
            told.append(w("you_wrote", note=note if len(note) <= 200 else note[:200] + "…"))
        self.told.setText("\n".join(told))
        self.detail.setText(result.detail if result.detail and not result.delivered else "")
        self.detail.setVisible(bool(self.detail.text()))
        self.kept_in = result.kept_here
        self.open_folder.setVisible(result.kept_here is not None)

    def _program_asked_about(self) -> str | None:
        """The program the person picked or typed in "Which program?", by the name Ally
        knows it by (the focus check's own answer), if any."""
        d = self.session.diagnosis
        focus = d.snapshot.section_data("focus_app") if d is not None else None
        name = getattr(focus, "name", None) or getattr(focus, "asked_for", None)
        return str(name) if name else None

    def _open_folder(self) -> None:
        """The folder where the report stays, in the file manager; said when it cannot open."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        if self.kept_in is not None and not QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.kept_in))
        ):
            self.detail.setText(say("open_folder_failed", "ending", folder=str(self.kept_in)))
            self.detail.setVisible(True)
