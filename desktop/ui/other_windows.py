"""The smaller windows: how the computer is doing, my reports, settings and about, contact IT."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ally_helpdesk.atomic import write_atomic
from ally_helpdesk.evidence.thresholds import Thresholds
from ally_helpdesk.it_view import html_view
from desktop import __version__
from desktop.base.words import say
from desktop.diagnostics.diagnosis import Diagnosis
from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings
from desktop.reporting.outbox import Outbox
from desktop.start.startup import person_may_choose, wants_to_start
from desktop.ui.charts import HistoryChart
from desktop.ui.my_reports_rows import Row, report_rows
from desktop.ui.widgets import (
    GRID,
    body,
    button,
    button_row,
    check_box,
    close_on_escape,
    heading,
    plain_label,
    scrolling_window,
    strong,
)


class StatusWindow(QWidget):
    """How is my computer doing? A live, plain answer and the same charts."""

    def __init__(
        self, refresh, interval_ms: int = 5000, limits: dict[str, float] | None = None
    ) -> None:
        super().__init__()
        s = lambda key: say(key, "status_window")  # noqa: E731
        self.words = s
        self.limits = limits if limits is not None else Thresholds().as_dict()
        self.setWindowTitle(s("window_title"))
        self.setAccessibleName(say("window_name", "status_window"))
        self.resize(90 * GRID, 70 * GRID)
        lay, bottom = scrolling_window(self)
        lay.addWidget(heading(s("title")))
        self.title = strong(s("checking"))
        self.text = body()
        self.text.setVisible(False)  # no empty line under "Checking…"
        self.chart = HistoryChart(live=True)
        lay.addWidget(self.title)
        lay.addWidget(self.text)
        lay.addWidget(strong(s("charts_title"), 1.0))
        lay.addWidget(self.chart)
        lay.addStretch(1)
        close = button(s("close"))
        close.clicked.connect(self.close)
        bottom.addLayout(button_row(None, close))
        close_on_escape(self)
        self.refresh = refresh
        self.timer = QTimer(self)
        self.timer.timeout.connect(lambda: self.refresh(self.show_diagnosis))
        self.timer.start(interval_ms)
        self.refresh(self.show_diagnosis)

    def show_diagnosis(self, d: Diagnosis) -> None:
        problems = [f for f in d.findings if f.severity.value != "info"]
        if problems:
            self.title.setText(problems[0].headline)
            self.text.setText(problems[0].explanation)
        else:
            self.title.setText(self.words("normal_title"))
            self.text.setText(self.words("normal_text"))
        self.text.setVisible(True)
        self.chart.set_history(
            d.snapshot.history, self.limits, [getattr(f, "id", "") for f in problems]
        )

    def closeEvent(self, event) -> None:
        self.timer.stop()
        super().closeEvent(event)


class ReportsWindow(QWidget):
    """My reports: every report with its state and the same last words as when it was
    sent (reference, when IT answers, what happens next), and a way to open what was sent."""

    def __init__(
        self,
        outbox: Outbox,
        status_of_ticket: Callable[[str], str | None] | None = None,
        policy: Policy | None = None,
    ) -> None:
        super().__init__()
        self.outbox = outbox
        self.status_of_ticket = status_of_ticket
        self.policy = policy or Policy()
        m = lambda key, **v: say(key, "my_reports", **v)  # noqa: E731
        self.words = m
        self.setWindowTitle(m("window_title"))
        self.setAccessibleName(say("window_name", "my_reports"))
        self.resize(100 * GRID, 70 * GRID)
        lay, bottom = scrolling_window(self)
        lay.addWidget(heading(m("title")))
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([m("col_when"), m("col_about"), m("col_state")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAccessibleName(say("table_name", "my_reports"))
        self.table.currentCellChanged.connect(lambda *_: self.show_selected())
        self.table.setMinimumHeight(20 * GRID)
        lay.addWidget(self.table, 1)
        self.detail = body(m("pick_one"))
        self.detail.setAccessibleName(say("detail_name", "my_reports"))
        lay.addWidget(self.detail)
        self.open_button = button(m("open"))
        self.open_button.clicked.connect(self.open_selected)
        refresh = button(m("refresh"))
        refresh.clicked.connect(self.refresh)
        close = button(m("close"))
        close.clicked.connect(self.close)
        row = button_row(refresh, self.open_button)
        row.insertWidget(1, close)
        bottom.addLayout(row)
        close_on_escape(self)
        self.rows_shown: list[Row] = []
        self.opened: Path | None = None  # the last copy opened (tests read it)
        self.refresh()

    def rows(self) -> list[Row]:
        return report_rows(self.outbox, self.status_of_ticket, self.policy)

    def refresh(self) -> None:
        rows = self.rows()
        self.rows_shown = rows
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate((row.when, row.about, row.state)):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        self.open_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)
        else:
            self.detail.setText(self.words("empty"))

    def show_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows_shown):
            self.detail.setText(self.rows_shown[row].detail())

    @property
    def docs(self) -> list[dict[str, Any]]:
        return [r.doc for r in self.rows_shown]

    def open_selected(self) -> None:
        """Open IT's view of the chosen report in the browser; say so when it cannot."""
        row = self.table.currentRow()
        if row < 0 or row >= len(self.rows_shown):
            return
        doc = self.rows_shown[row].doc
        # Beside the person's own reports, readable by them alone (never the shared
        # temporary folder, where every account could read it); one copy per report.
        folder = Path(self.outbox.root).parent / "opened"
        name = re.sub(r"[^A-Za-z0-9-]", "", str(doc.get("id", "")))[:64] or "report"
        path = folder / f"report-{name}.html"
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
            write_atomic(path, html_view.render(doc).encode("utf-8"), mode=0o600)
        except OSError as exc:
            self.detail.setText(self.words("write_failed", reason=exc.strerror or str(exc)))
            return
        self.opened = path
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.detail.setText(self.words("open_failed", path=str(path)))


class SettingsWindow(QWidget):
    """Settings and about: contact details, tips, start at login, what Ally collects."""

    def __init__(self, settings: UserSettings, save, policy: Policy) -> None:
        super().__init__()
        self.settings, self.save_settings = settings, save
        t = lambda key, **v: say(key, "settings_window", **v)  # noqa: E731
        self.setWindowTitle(t("window_title"))
        self.setAccessibleName(say("window_name", "settings_window"))
        self.resize(80 * GRID, 72 * GRID)
        lay, bottom = scrolling_window(self)
        lay.addWidget(heading(t("title")))
        form = QFormLayout()
        form.setSpacing(GRID)
        self.fields = {}
        for key in ("name", "email", "phone", "how_to_reach"):
            edit = QLineEdit(getattr(settings, key))
            edit.setAccessibleName(t(key))
            form.addRow(plain_label(t(key)), edit)
            self.fields[key] = edit
        lay.addLayout(form)
        self.tips = check_box(t("tips"))
        self.tips.setChecked(settings.tips_enabled)
        self.tips.setEnabled(policy.tips_enabled)
        self.tips.setAccessibleName(t("tips_name"))
        self.login = check_box(t("login"))
        self.login.setAccessibleName(t("login"))
        if person_may_choose(policy):
            self.login.setChecked(settings.start_at_login)
        else:  # IT decides on this computer: shown as IT set it, and not changeable
            self.login.setChecked(wants_to_start(policy, settings))
            self.login.setEnabled(False)
            self.login.setToolTip(t("login_by_it"))
        lay.addWidget(self.tips)
        lay.addWidget(self.login)
        lay.addWidget(heading(t("about")))
        lay.addWidget(body(t("collects")))
        lay.addWidget(body(t("never")))
        contact = policy.it_contact
        it = ", ".join(x for x in (contact.email, contact.phone, contact.hours, contact.where) if x)
        reach = t("reach_it", it=it) if it else say("none", "contact_it")
        lay.addWidget(body(f"{t('version', version=__version__)} {reach}"))
        lay.addStretch(1)
        cancel = button(t("cancel"))
        cancel.clicked.connect(self.discard)
        save_button = button(t("save"))
        save_button.clicked.connect(self.save)
        bottom.addLayout(button_row(cancel, save_button))
        self.shown_values = self.values()
        self.settled = False  # saved or thrown away on purpose: closing asks nothing
        self.keep: QMessageBox | None = None  # "Keep your changes?", made when first needed
        close_on_escape(self)

    def values(self) -> dict[str, Any]:
        """What the window shows now, to tell whether the person changed anything."""
        return {
            **{key: edit.text().strip() for key, edit in self.fields.items()},
            "tips": self.tips.isChecked(),
            "login": self.login.isChecked(),
        }

    def save(self) -> None:
        for key, edit in self.fields.items():
            setattr(self.settings, key, edit.text().strip())
        self.settings.tips_enabled = self.tips.isChecked()
        self.settings.start_at_login = self.login.isChecked()
        self.save_settings(self.settings)
        self.settled = True
        self.close()

    def discard(self) -> None:
        """Cancel: the changes are thrown away, as the person asked."""
        self.settled = True
        self.close()

    def closeEvent(self, event) -> None:
        if self.settled or self.values() == self.shown_values:
            event.accept()
            return
        event.ignore()  # asked first: keep the changes, throw them away, or go back
        self._keep_question().open()

    def _keep_question(self) -> QMessageBox:
        """Closing with changes (Escape, the title bar) asks first, as the system's own
        dialogs do; window-modal, so the tray and the other windows keep answering."""
        if self.keep is None:
            t = lambda key: say(key, "settings_window")  # noqa: E731
            box = QMessageBox(self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setWindowModality(Qt.WindowModality.WindowModal)
            box.setIcon(QMessageBox.Icon.Question)
            box.setWindowTitle(t("keep_title"))
            box.setText(t("keep_title"))
            box.setInformativeText(t("keep_text"))
            self.keep_save = box.addButton(t("keep_save"), QMessageBox.ButtonRole.AcceptRole)
            self.keep_discard = box.addButton(
                t("keep_discard"), QMessageBox.ButtonRole.DestructiveRole
            )
            self.keep_back = box.addButton(t("keep_back"), QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(self.keep_save)
            box.buttonClicked.connect(self._kept)
            self.keep = box
        return self.keep

    def _kept(self, clicked) -> None:
        if clicked is self.keep_save:
            self.save()
        elif clicked is self.keep_discard:
            self.discard()


class ContactWindow(QWidget):
    """How to reach IT: a heading, IT's details as IT wrote them (plain text the person can
    select and copy, never markup) and Close, like every other Ally window."""

    def __init__(self, policy: Policy) -> None:
        super().__init__()
        self.setWindowTitle(say("contact", "tray"))
        self.setAccessibleName(say("contact_title", "tray"))
        self.resize(64 * GRID, 36 * GRID)
        lay, bottom = scrolling_window(self)
        lay.addWidget(heading(say("title", "contact_it")))
        self.details = body(contact_text(policy))
        # Selectable from the keyboard too (Tab to it, Shift+arrows, Ctrl+C): a phone
        # number is copied, not typed again.
        self.details.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.details.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        lay.addWidget(self.details)
        lay.addStretch(1)
        close = button(say("close", "contact_it"))
        close.clicked.connect(self.close)
        bottom.addLayout(button_row(None, close))
        close_on_escape(self)


def contact_text(policy: Policy) -> str:
    c = policy.it_contact
    lines = [
        f"{say(key, 'contact_it')}: {value}"
        for key, value in (
            ("email", c.email),
            ("phone", c.phone),
            ("hours", c.hours),
            ("where", c.where),
            ("answers_within", c.answers_within),
        )
        if value
    ]
    return "\n".join(lines) or say("none", "contact_it")
