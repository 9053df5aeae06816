"""The smaller windows: how the computer is doing, my reports, settings and about, contact IT."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.config import Policy
from desktop.diagnostics.diagnosis import Diagnosis
from desktop.reporting import html_view
from desktop.reporting.outbox import Outbox
from desktop.settings import UserSettings
from desktop.startup import person_may_choose, wants_to_start
from desktop.ui.charts import HistoryChart
from desktop.ui.report_window import body, button, button_row, heading, plain_label

COLLECTS = (
    "What Ally looks at: how busy the processor, working memory and drives are; which programs use "
    "them (by name only); battery and power; the network connection; programs that closed by "
    "themselves; printers. It keeps the last 15 minutes of these numbers on this computer."
)
NEVER = (
    "What Ally never collects: what you type, the contents or names of your files, window titles, "
    "websites you visit, or the command lines of programs. You see every report before it is sent."
)


class StatusWindow(QWidget):
    """How is my computer doing? A live, plain answer and the same charts."""

    def __init__(self, refresh, interval_ms: int = 5000) -> None:
        super().__init__()
        self.setWindowTitle("Ally — how is my computer doing?")
        self.setAccessibleName("How is my computer doing")
        self.resize(640, 520)
        lay = QVBoxLayout(self)
        lay.addWidget(heading("How is your computer doing?"))
        self.title = body("Checking…")
        self.text = body()
        self.chart = HistoryChart()
        lay.addWidget(self.title)
        lay.addWidget(self.text)
        lay.addWidget(self.chart)
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
            self.title.setText("Your computer is working normally.")
            self.text.setText("Nothing is using too much of it right now.")
        self.chart.set_history(d.snapshot.history)

    def closeEvent(self, event) -> None:
        self.timer.stop()
        super().closeEvent(event)


class ReportsWindow(QWidget):
    """My reports: every report with its state, and a way to open what was sent."""

    def __init__(self, outbox: Outbox, status_of_ticket=None) -> None:
        super().__init__()
        self.outbox = outbox
        self.status_of_ticket = status_of_ticket
        self.setWindowTitle("Ally — my reports")
        self.setAccessibleName("My reports")
        self.resize(760, 420)
        lay = QVBoxLayout(self)
        lay.addWidget(heading("My reports"))
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["When", "About", "What is happening"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setAccessibleName("Your reports and what is happening with each")
        lay.addWidget(self.table)
        self.open_button = button("Open what was sent")
        self.open_button.clicked.connect(self.open_selected)
        refresh = button("Refresh")
        refresh.clicked.connect(self.refresh)
        lay.addLayout(button_row(refresh, self.open_button))
        self.docs: list[dict] = []
        self.refresh()

    def rows(self) -> list[tuple[str, str, str, dict]]:
        out = []
        for e in self.outbox.entries():
            state = (
                "Saved. Ally will send it when IT's server can be reached."
                if e.state.status == "waiting"
                else "Saved, but IT needs to check Ally's settings before it can be sent."
            )
            out.append(
                (e.report.get("created_at", ""), e.report.get("symptom", ""), state, e.report)
            )
        for record in self.outbox.sent():
            receipt, doc = record.receipt, record.report
            state = f"Sent. IT has it: number {receipt['reference']}."
            if receipt["transport"] == "folder":
                state = "Sent to the place where IT collects reports."
            if self.status_of_ticket is not None and receipt["transport"] in (
                "request-tracker",
                "relay",
            ):
                word = self.status_of_ticket(receipt["reference"])
                if word:
                    state += f" Now: {word}."
            out.append((doc.get("created_at", ""), doc.get("symptom", ""), state, doc))
        out.sort(key=lambda r: r[0], reverse=True)
        return out

    def refresh(self) -> None:
        rows = self.rows()
        self.docs = [r[3] for r in rows]
        self.table.setRowCount(len(rows))
        for i, (when, about, state, _) in enumerate(rows):
            try:
                shown = (
                    datetime.fromisoformat(when.replace("Z", "+00:00"))
                    .astimezone()
                    .strftime("%d %b %Y, %H:%M")
                )
            except ValueError:
                shown = when
            for j, text in enumerate((shown, about, state)):
                self.table.setItem(i, j, QTableWidgetItem(text))

    def open_selected(self) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.docs):
            return
        doc = self.docs[row]
        path = Path(tempfile.gettempdir()) / f"ally-report-{doc['id']}.html"
        path.write_text(html_view.render(doc), encoding="utf-8")
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class SettingsWindow(QWidget):
    """Settings and about: contact details, tips, start at login, what Ally collects."""

    def __init__(self, settings: UserSettings, save, policy: Policy) -> None:
        super().__init__()
        self.settings, self.save_settings = settings, save
        self.setWindowTitle("Ally — settings")
        self.setAccessibleName("Ally settings")
        self.resize(620, 560)
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Settings"))
        form = QFormLayout()
        self.fields = {}
        for key, label in (
            ("name", "Your name"),
            ("email", "Email"),
            ("phone", "Phone"),
            ("how_to_reach", "Best way to reach you"),
        ):
            edit = QLineEdit(getattr(settings, key))
            edit.setAccessibleName(label)
            form.addRow(plain_label(label), edit)
            self.fields[key] = edit
        lay.addLayout(form)
        self.tips = QCheckBox("Show me a short tip when something has been wrong for a while")
        self.tips.setChecked(settings.tips_enabled)
        self.tips.setEnabled(policy.tips_enabled)
        self.tips.setAccessibleName("Show tips")
        self.login = QCheckBox("Start Ally when I log in")
        self.login.setAccessibleName("Start Ally when I log in")
        if person_may_choose(policy):
            self.login.setChecked(settings.start_at_login)
        else:  # IT decides on this computer: shown as IT set it, and not changeable
            self.login.setChecked(wants_to_start(policy, settings))
            self.login.setEnabled(False)
            self.login.setToolTip("IT has set this for every computer.")
        lay.addWidget(self.tips)
        lay.addWidget(self.login)
        lay.addWidget(heading("About Ally"))
        lay.addWidget(body(COLLECTS))
        lay.addWidget(body(NEVER))
        contact = policy.it_contact
        it = ", ".join(x for x in (contact.email, contact.phone, contact.hours, contact.where) if x)
        lay.addWidget(body(f"Ally {__version__}. IT: {it or 'ask your IT department'}."))
        save_button = button("Save")
        save_button.clicked.connect(self.save)
        lay.addLayout(button_row(None, save_button))

    def save(self) -> None:
        for key, edit in self.fields.items():
            setattr(self.settings, key, edit.text().strip())
        self.settings.tips_enabled = self.tips.isChecked()
        self.settings.start_at_login = self.login.isChecked()
        self.save_settings(self.settings)
        self.close()


def contact_text(policy: Policy) -> str:
    c = policy.it_contact
    lines = [
        f"{label}: {value}"
        for label, value in (
            ("Email", c.email),
            ("Phone", c.phone),
            ("Hours", c.hours),
            ("Where to find IT", c.where),
        )
        if value
    ]
    return "\n".join(lines) or "Your IT department has not added its contact details to Ally yet."
