"""'Which program?' — asked before the check when "A program shows an error", so the
check focuses on that program. The list holds programs the person would recognise
(desktop/showing/program_list.py), with "Not in the list" for typing a name."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QWidget

from desktop.base.words import say
from desktop.ui.widgets import GRID, body, button, button_row, heading, page_layout, plain_label
from desktop.ui.workers import Background

OTHER, UNSURE = "\x00other", "\x00unsure"


def w(key: str, **values: str) -> str:
    return say(key, "report_window", **values)


class ProgramPage(QWidget):
    chosen = Signal(object)  # the program's key or typed name; None: not sure

    def __init__(self, background: Background, source=None) -> None:
        super().__init__()
        self.background = background
        self.source = source  # a function listing Programs (desktop/program_list.programs)
        self.loaded = False
        lay, outer = page_layout(self)
        lay.addWidget(heading(w("program_title")))
        lay.addWidget(body(w("program_text")))
        self.status = body(w("program_loading"))
        lay.addWidget(self.status)
        self.list = QListWidget()
        self.list.setAccessibleName(w("program_title"))
        self.list.setMinimumHeight(20 * GRID)
        self.list.currentItemChanged.connect(self._changed)
        self.list.itemActivated.connect(lambda _item: self.check.click())
        lay.addWidget(self.list, 1)
        self.other_label = plain_label(w("program_other_label"))
        self.other = QLineEdit()
        self.other.setAccessibleName(w("program_other_label"))
        self.other.textChanged.connect(self._changed)
        self.other.returnPressed.connect(lambda: self.check.isEnabled() and self.check.click())
        lay.addWidget(self.other_label)
        lay.addWidget(self.other)
        self.back = button(w("back"))
        self.check = button(w("check_this"))
        self.check.clicked.connect(self._chosen)
        outer.addLayout(button_row(self.back, self.check))
        self._fixed_items()

    def _fixed_items(self) -> None:
        self.list.clear()
        for key, text in ((UNSURE, w("program_unsure")), (OTHER, w("program_other"))):
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.list.addItem(item)
        self._changed()

    def load(self) -> None:
        self.list.setFocus()
        if self.loaded:
            return
        self.loaded = True
        if self.source is None:
            from desktop.showing.program_list import programs

            self.source = programs
        self.background.run(self.source, self.fill, lambda _detail: self.fill([]))

    def fill(self, programs: list) -> None:
        self.status.setText("" if programs else w("program_none"))
        self.status.setVisible(not programs)
        for i, p in enumerate(programs[:40]):
            text = p.name
            if p.trouble:
                text = w("program_trouble", name=p.name)
            elif p.has_window:
                text = w("program_window", name=p.name)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, p.key)
            self.list.insertItem(i, item)
        if programs:
            self.list.setCurrentRow(0)
        else:  # none to choose from: "type the name below", and the field is right there
            self.list.setCurrentRow(self.list.count() - 1)  # "Not in the list"
            self.other.setFocus()

    def _changed(self, *_: object) -> None:
        item = self.list.currentItem()
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        typing = key == OTHER
        self.other_label.setVisible(typing)
        self.other.setVisible(typing)
        self.check.setEnabled(key is not None and (not typing or bool(self.other.text().strip())))

    def _chosen(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        if key == OTHER:
            self.chosen.emit(self.other.text().strip()[:100] or None)
        else:
            self.chosen.emit(None if key == UNSURE else key)
