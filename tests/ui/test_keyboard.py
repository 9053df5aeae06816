"""The keyboard as in the system's own dialogs (issue 27), with real key events: Enter
presses the focused choice and finishes each field's step, the program field is where
"type the name below" says it is, and closing Settings with changes asks first."""

from __future__ import annotations

import json
import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton

from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings
from desktop.reporting.review import SYMPTOM_KEYS
from desktop.showing.program_list import Program
from desktop.ui.other_windows import SettingsWindow
from tests.ui.test_report_window import make_window, sampler  # noqa: F401  (fixture)


def focus(qtbot, window, widget) -> None:
    window.activateWindow()
    qtbot.waitActive(window)
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)


def test_enter_on_a_choice_presses_it(qtbot, tmp_path, sampler):  # noqa: F811
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(tmp_path)})
    w.program_page.source = lambda: []
    focus(qtbot, w, w.symptom_buttons["app"])
    qtbot.keyClick(w.symptom_buttons["app"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.windowTitle().endswith("Which program?"), timeout=2000)


def test_the_first_screen_has_a_cancel_that_closes_it_by_tab_and_enter(
    qtbot,
    tmp_path,
    sampler,  # noqa: F811
):
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(tmp_path)})
    w.show()
    focus(qtbot, w, w.symptom_buttons["other"])  # the last choice; Tab goes on to Cancel
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.cancel_button, timeout=2000)
    assert w.cancel_button.text() == "&Cancel" and w.cancel_button.isVisible()
    qtbot.keyClick(w.cancel_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=2000)
    assert w.session.diagnosis is None  # nothing was checked or kept


def test_with_no_program_to_list_the_field_is_there_and_enter_checks(
    qtbot,
    tmp_path,
    sampler,  # noqa: F811
):
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(tmp_path)})
    w.program_page.source = lambda: []
    qtbot.mouseClick(w.symptom_buttons["app"], Qt.MouseButton.LeftButton)
    page = w.program_page
    qtbot.waitUntil(lambda: page.status.text().startswith("Ally did not find"), timeout=5000)
    assert page.status.text().endswith("Please type the name below.")
    # The field is below, visible and ready for typing: no extra choice to make first.
    qtbot.waitUntil(lambda: page.other.isVisible() and page.other.hasFocus(), timeout=2000)
    assert page.other.geometry().top() > page.status.geometry().top()
    qtbot.keyClicks(page.other, "Outlook")
    qtbot.keyClick(page.other, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 2, timeout=20000)
    assert w.focus_app == "Outlook"


def settings_window(qtbot, saved: list) -> SettingsWindow:
    window = SettingsWindow(UserSettings(name="Alex"), saved.append, Policy())
    qtbot.addWidget(window)
    window.show()
    return window


def phone_typed(qtbot) -> tuple[SettingsWindow, QLineEdit, list]:
    """Settings open, with a phone number typed and not yet saved."""
    saved: list = []
    window = settings_window(qtbot, saved)
    phone = window.fields["phone"]
    focus(qtbot, window, phone)
    qtbot.keyClicks(phone, "0123 456")
    return window, phone, saved


def test_enter_in_a_settings_field_saves(qtbot):
    window, phone, saved = phone_typed(qtbot)
    qtbot.keyClick(phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)
    assert [s.phone for s in saved] == ["0123 456"]


def test_escape_on_changed_settings_asks_first(qtbot):
    window, phone, saved = phone_typed(qtbot)
    qtbot.keyClick(phone, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.keep is not None and window.keep.isVisible(), timeout=2000)
    assert window.isVisible() and saved == []  # nothing thrown away, nothing saved yet
    assert window.keep.text() == "Keep your changes?"
    window.keep_back.click()  # "Go back": the typing is still there
    qtbot.waitUntil(lambda: not window.keep.isVisible(), timeout=2000)
    assert window.isVisible() and phone.text() == "0123 456"
    window.close()
    qtbot.waitUntil(lambda: window.keep is not None and window.keep.isVisible(), timeout=2000)
    window.keep_save.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)
    assert [s.phone for s in saved] == ["0123 456"]


def test_throwing_changes_away_or_cancel_saves_nothing_and_unchanged_closes_at_once(qtbot):
    saved: list = []
    window = settings_window(qtbot, saved)
    window.fields["email"].setText("alex@example.com")
    window.close()
    qtbot.waitUntil(lambda: window.keep is not None and window.keep.isVisible(), timeout=2000)
    window.keep_discard.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)
    assert saved == []
    other = settings_window(qtbot, saved)
    other.fields["email"].setText("alex@example.com")
    cancel = next(b for b in other.findChildren(QPushButton) if b.text() == "&Cancel")
    cancel.click()  # Cancel is explicit: nothing asked, nothing saved
    assert not other.isVisible() and other.keep is None and saved == []
    plain = settings_window(qtbot, saved)
    focus(qtbot, plain, plain.fields["name"])
    qtbot.keyClick(plain.fields["name"], Qt.Key.Key_Escape)
    assert not plain.isVisible() and plain.keep is None


def test_the_review_offers_no_box_for_what_the_person_did_not_give(
    qtbot,
    tmp_path,
    sampler,  # noqa: F811
):
    """No words and no contact details: no ticked "my words" beside "Your words: none"."""
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(tmp_path)})
    qtbot.mouseClick(w.symptom_buttons["slow"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 2, timeout=20000)
    qtbot.mouseClick(w.tell_button, Qt.MouseButton.LeftButton)
    for field in (w.name, w.email, w.phone):
        field.clear()
    qtbot.mouseClick(w.show_button, Qt.MouseButton.LeftButton)
    assert not w.send_parts["note"].isVisible() and not w.send_parts["contact"].isVisible()
    assert w.send_parts["process_list"].isVisible()
    qtbot.mouseClick(w.review.back, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(w.note, "It froze.")
    qtbot.mouseClick(w.show_button, Qt.MouseButton.LeftButton)
    assert w.send_parts["note"].isVisible() and w.send_parts["note"].isChecked()
    assert w.doc["note"] == "It froze."


def test_contact_details_are_remembered_only_when_the_person_ticks_it(
    qtbot,
    tmp_path,
    sampler,  # noqa: F811
):
    from desktop.policy.settings import UserSettings as Settings
    from desktop.policy.settings import settings_path

    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(tmp_path)})
    stored = settings_path(w.session.paths.config_dir)
    qtbot.mouseClick(w.symptom_buttons["slow"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 2, timeout=20000)
    qtbot.mouseClick(w.tell_button, Qt.MouseButton.LeftButton)
    assert not w.more.remember.isChecked()  # off unless the person asks
    w.phone.setText("0123 456")
    qtbot.mouseClick(w.show_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentWidget() is w.done, timeout=20000)
    assert not stored.exists()  # not ticked: nothing kept
    w2 = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(tmp_path)})
    qtbot.mouseClick(w2.symptom_buttons["slow"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w2.pages.currentIndex() == 2, timeout=20000)
    qtbot.mouseClick(w2.tell_button, Qt.MouseButton.LeftButton)
    w2.phone.setText("0123 456")
    w2.more.remember.setChecked(True)
    qtbot.mouseClick(w2.show_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w2.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w2.pages.currentWidget() is w2.done, timeout=20000)
    assert Settings.load(stored).phone == "0123 456"
    assert os.stat(stored).st_mode & 0o777 == 0o600  # the person's alone


@pytest.mark.parametrize("symptom", SYMPTOM_KEYS)
def test_the_keyboard_walk_sends_a_report_for_every_symptom(
    qtbot,
    tmp_path,
    sampler,  # noqa: F811
    symptom,
):
    """Issue 27's walk, by keyboard only: from the first screen to the ending, with Tab,
    arrow keys, typing and Enter; no mouse, no setFocus after the window opens."""
    folder = tmp_path / "reports"
    folder.mkdir()
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(folder)})
    w.program_page.source = lambda: [Program("outlook", "Microsoft Outlook", True, True)]
    w.activateWindow()
    qtbot.waitActive(w)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.symptom_buttons[SYMPTOM_KEYS[0]])

    def key(k: Qt.Key) -> None:
        qtbot.keyClick(QApplication.focusWidget(), k)

    def tab_to(widget_is, limit: int = 30) -> None:
        for _ in range(limit):
            if widget_is(QApplication.focusWidget()):
                return
            key(Qt.Key.Key_Tab)
        raise AssertionError(f"Tab never reached it; focus on {QApplication.focusWidget()!r}")

    tab_to(lambda f: f is w.symptom_buttons[symptom])
    key(Qt.Key.Key_Return)
    if symptom == "app":  # which program: the list has the focus; Down picks, Enter checks
        page = w.program_page
        qtbot.waitUntil(lambda: page.list.count() == 3, timeout=5000)  # Outlook, unsure, other
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.list)
        key(Qt.Key.Key_Down)
        key(Qt.Key.Key_Up)  # back to the first: Microsoft Outlook
        assert page.list.currentItem().text().startswith("Microsoft Outlook")
        key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 2, timeout=20000)
    # What Ally found: Enter takes the step's main button, "Tell IT about this".
    key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 3, timeout=2000)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QPlainTextEdit))
    qtbot.keyClicks(QApplication.focusWidget(), "It has been like this since the morning.")
    tab_to(lambda f: isinstance(f, QLineEdit))  # the name: Enter there ends the step
    key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 4, timeout=2000)
    key(Qt.Key.Key_Return)  # "Send to IT", the default button of the review
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 5, timeout=20000)
    assert w.done_title.text() == "Thank you. IT has your report."
    sent = json.loads(next(folder.glob("*.json")).read_text())
    assert sent["symptom"] == symptom
    assert sent["note"] == "It has been like this since the morning."
    assert sent["contact"]["name"] == "Alex Doe"
    if symptom == "app":
        assert "The program: Microsoft Outlook." in w.done.told.text()  # the ending names it
    key(Qt.Key.Key_Return)  # Close
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=2000)
