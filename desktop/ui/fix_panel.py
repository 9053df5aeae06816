"""The "You can try this now" part of the result screen: for each offered fix, what Ally
will do (said before), one button, and the result after the re-check.

Kept plain on purpose (a later issue restyles the whole window). The panel holds no logic:
what to offer, doing it and re-checking live in desktop/fixes, run on a worker through
``try_fix``; the panel shows the words and asks for the clicks. Closing a program that
did not close when asked needs a second button, said in its own words first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.fixes.base import Offer, Outcome, Result
from desktop.fixes.words import FixWords
from desktop.ui.workers import Background


def _label(text: str = "", bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # words from the catalog and IT: never markup
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold:
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
    return label


def _button(text: str) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(text)
    b.setMinimumHeight(36)
    return b


class FixRow(QWidget):
    """One offered fix: its sentence, its button, then its result."""

    finished = Signal(object)  # the Result of each step, for the window and tests

    def __init__(
        self,
        offer: Offer,
        headline: str,
        words: FixWords,
        try_fix: Callable[[Offer, str], Result],
        background: Background,
    ) -> None:
        super().__init__()
        self.offer, self.words, self.try_fix, self.background = offer, words, try_fix, background
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 6)
        self.for_label = _label(words.common("for_finding", headline=headline))
        self.before = _label(words.before(offer))
        self.button = _button(words.button(offer))
        self.button.clicked.connect(lambda: self._run("apply"))
        self.result = _label(bold=True)
        self.result.setVisible(False)
        self.lines = _label()
        self.lines.setVisible(False)
        self.force_before = _label(words.step(offer, "force_before"))
        self.force_button = _button(words.step(offer, "force_button"))
        self.force_button.clicked.connect(lambda: self._run("force"))
        self.again_button = _button(words.step(offer, "check_again_button"))
        self.again_button.clicked.connect(lambda: self._run("check_again"))
        for w in (self.force_before, self.force_button, self.again_button):
            w.setVisible(False)
        for w in (
            self.for_label,
            self.before,
            self.button,
            self.result,
            self.lines,
            self.force_before,
            self.force_button,
            self.again_button,
        ):
            lay.addWidget(w)
        self.last: Result | None = None

    def _run(self, step: str) -> None:
        for b in (self.button, self.force_button, self.again_button):
            b.setEnabled(False)  # one click, one attempt: never twice by accident
        self.result.setText(self.words.common("working"))
        self.result.setVisible(True)
        offer = self.offer
        self.background.run(
            lambda: self.try_fix(offer, step),
            self._done,
            lambda detail: self._done(Result(Outcome.FAILED, detail)),
        )

    def _done(self, result: Result) -> None:
        self.last = result
        text = self.words.result(self.offer, result, for_report=True)
        self.result.setText(text)
        self.result.setAccessibleName(text)
        self.lines.setText("\n".join(result.lines))
        self.lines.setVisible(bool(result.lines))
        needs_force = result.outcome is Outcome.NEEDS_FORCE
        self.force_before.setVisible(needs_force)
        self.force_button.setVisible(needs_force)
        self.force_button.setEnabled(needs_force)
        self.again_button.setVisible(result.check_again)
        self.again_button.setEnabled(result.check_again)
        self.button.setVisible(False)
        if needs_force:
            self.force_button.setFocus()
        elif result.check_again:
            self.again_button.setFocus()
        self.finished.emit(result)


class FixPanel(QWidget):
    """Every offered fix under the result, grouped by the finding it answers."""

    # A fix that changed something (its own re-check said fixed or not fixed): the window
    # judges the whole answer again.
    worked = Signal(object, object)  # the Offer and its Result

    def __init__(self, background: Background) -> None:
        super().__init__()
        self.background = background
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.heading = _label(bold=True)
        self.lay.addWidget(self.heading)
        self.rows: list[FixRow] = []
        self.setVisible(False)

    def show_offers(
        self,
        offers: Any,  # desktop.fixes.registry.Offers
        words: FixWords,
        try_fix: Callable[[Offer, str], Result],
    ) -> None:
        for row in self.rows:
            self.lay.removeWidget(row)
            row.deleteLater()
        self.rows = []
        offered = list(offers.offered) if offers is not None else []
        previous = None
        for offer in offered:
            # Each offer names the finding it answers (two findings may share an id).
            row = FixRow(offer, offer.headline, words, try_fix, self.background)
            row.finished.connect(lambda result, o=offer: self._finished(o, result))
            row.for_label.setVisible(offer.headline != previous)  # once per finding
            previous = offer.headline
            self.lay.addWidget(row)
            self.rows.append(row)
        self.heading.setText(words.common("heading"))
        self.setVisible(bool(offered))

    def _finished(self, offer: Offer, result: Result) -> None:
        if result.outcome in (Outcome.FIXED, Outcome.NOT_FIXED):
            self.worked.emit(offer, result)

    def focus_chain(self) -> list[QWidget]:
        """Every fix's buttons, in the order they are shown."""
        return [w for r in self.rows for w in (r.button, r.force_button, r.again_button)]
