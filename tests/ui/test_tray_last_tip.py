"""After a tip's notification (gone in 15 s, easily missed), the tray's menu names the tip
and says when "remind me" brings it back (issue 27): real Qt widgets, offscreen.

"Last tip: <its title>" shows the same notification again; "Remind me about this tip in
2 hours" puts it off by the tips' own remind_s and both items go away until the next tip.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from desktop.showing.status import TrayStatus
from desktop.showing.tips import DEFAULT_REMIND_S

BUSY = "Your computer has been very busy for the last 12 minutes."
BUSY_TEXT = "Google Chrome is using most of the processor. Closing tabs you don't need helps."


@pytest.fixture
def tray(qtbot):
    from desktop.ui.tray import Tray

    tray = Tray(TrayStatus("attention", BUSY, "cpu_saturated"), lambda: False)
    tray.balloons = []  # every notification the tray shows: (title, text)
    tray.icon.showMessage = lambda title, text, *rest: tray.balloons.append((title, text))
    yield tray
    tray.menu.close()
    tray.icon.hide()


def shown_items(tray) -> list[str]:
    """The menu's items as the person reads them ("&&" is one "&"; "&" alone marks a
    keyboard shortcut and is not shown)."""
    return [
        a.iconText().replace("\u2068", "").replace("\u2069", "")  # isolates: unseen
        for a in tray.menu.actions()
        if a.isVisible() and not a.isSeparator()
    ]


def click(qtbot, tray, key: str) -> None:
    """Opens the tray's menu and clicks the item with the mouse."""
    menu = tray.menu
    menu.popup(QPoint(20, 20))
    qtbot.waitExposed(menu)
    action = tray.actions[key]
    assert action.isVisible()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=2000)


def test_before_any_tip_the_menu_offers_neither(tray):
    assert not any(item.startswith(("Last tip", "Remind me")) for item in shown_items(tray))


def test_the_menu_names_the_last_tip_and_says_when_it_comes_back(tray):
    tray.tip(BUSY, BUSY_TEXT, remind_after_s=DEFAULT_REMIND_S)
    items = shown_items(tray)
    last = items.index(f"Last tip: {BUSY}")
    assert items[last + 1] == "Remind me about this tip in 2 hours, if it still applies"
    assert items[last + 2] == "Pause tips for 4 hours"  # every time-limited item says its time
    # The notification says the same time, and where to find the item.
    assert tray.balloons == [
        (BUSY, f"{BUSY_TEXT}\nClick here to tell IT. To be reminded in 2 hours, use Ally's menu.")
    ]


def test_clicking_last_tip_shows_the_same_words_again(qtbot, tray):
    tray.tip(BUSY, BUSY_TEXT, remind_after_s=DEFAULT_REMIND_S)
    click(qtbot, tray, "last_tip")
    assert len(tray.balloons) == 2 and tray.balloons[1] == tray.balloons[0]
    # Still there: seeing it again is not putting it off.
    assert f"Last tip: {BUSY}" in shown_items(tray)
    assert "Remind me about this tip in 2 hours, if it still applies" in shown_items(tray)


def test_remind_me_puts_the_tip_off_and_both_items_go_away_until_the_next_tip(qtbot, tray):
    reminded = []
    tray.remind_later_requested.connect(lambda: reminded.append(True))
    tray.tip(BUSY, BUSY_TEXT, remind_after_s=DEFAULT_REMIND_S)
    click(qtbot, tray, "remind")
    assert reminded == [True]
    assert not any(item.startswith(("Last tip", "Remind me")) for item in shown_items(tray))
    tray.tip("Only 1.5 GB is left on your main drive (C:).", "…", remind_after_s=1800)
    assert "Last tip: Only 1.5 GB is left on your main drive (C:)." in shown_items(tray)
    assert "Remind me about this tip in 30 minutes, if it still applies" in shown_items(tray)


def test_a_tip_title_with_an_ampersand_shows_as_written(tray):
    title = "AT&T Connect has stopped answering."
    tray.tip(title, "It may be waiting for the network.", remind_after_s=DEFAULT_REMIND_S)
    action = tray.actions["last_tip"]
    # No shortcut, and the title kept apart from the words around it (isolates).
    assert action.text() == "Last tip: \u2068AT&&T Connect has stopped answering.\u2069"
    assert f"Last tip: {title}" in shown_items(tray)
    assert tray.balloons[0][0] == title  # a notification's title is plain text as it is


def test_news_can_be_shown_again_but_not_put_off(qtbot, tray):
    """IT's news and restart reminders come through tip() without a time: "remind me"
    is about the tips' last finding, so it is not offered for them."""
    tray.tip(BUSY, BUSY_TEXT, remind_after_s=DEFAULT_REMIND_S)
    tray.tip("IT is working on a problem with email", "Other people have this problem too.")
    items = shown_items(tray)
    assert "Last tip: IT is working on a problem with email" in items
    assert not any(item.startswith("Remind me") for item in items)
    assert tray.balloons[-1][1].endswith("To read this again, use Ally's menu.")
    click(qtbot, tray, "last_tip")
    assert tray.balloons[-1] == tray.balloons[-2]


@pytest.fixture
def ally(qtbot, tmp_path, monkeypatch):
    """The real tray app, with a tray, its tips on and shown at once."""
    from desktop.ui import ally_app
    from desktop.ui.ally_app import AllyApp

    monkeypatch.setattr(ally_app, "FIRST_STATUS_AFTER_MS", 600_000)
    monkeypatch.setattr(ally_app, "STATUS_EVERY_MS", 600_000)
    policy = tmp_path / "policy.toml"
    policy.write_text("[network]\nactive_checks = false\n[tips]\nenabled = true\n")
    monkeypatch.setenv("ALLY_POLICY", str(policy))
    app = AllyApp(QApplication.instance(), tray_available=True)
    balloons = []
    app.tray.icon.showMessage = lambda title, text, *rest: balloons.append((title, text))
    app.balloons = balloons
    yield app
    app.tray.menu.close()
    app.shutdown()


def test_in_the_app_the_menu_says_the_tips_own_remind_time_and_puts_the_tip_off(qtbot, ally):
    from tests.unit.test_status import diagnosis_for

    d = diagnosis_for("disk_almost_full_small_drive")
    ally.tips.sustain_s = 0  # due at once
    ally.tips.remind_s = 45 * 60  # the value in force is the one the menu says
    ally._status_ready(d)
    qtbot.waitUntil(lambda: bool(ally.balloons), timeout=10_000)
    title, text = ally.balloons[0]
    assert title == "Only 1.5 GB is left on your main drive (C:)."
    assert text.endswith("To be reminded in 45 minutes, use Ally's menu.")
    assert f"Last tip: {title}" in shown_items(ally.tray)
    assert "Remind me about this tip in 45 minutes, if it still applies" in shown_items(ally.tray)
    click(qtbot, ally.tray, "remind")
    now = time.time()
    assert not any(i.startswith(("Last tip", "Remind me")) for i in shown_items(ally.tray))
    # Put off by remind_s: not due now, due once 45 minutes have passed.
    assert ally.tips.next_tip(d.findings, now + 60) is None
    assert ally.tips.next_tip(d.findings, now + 45 * 60 + 1).title == title


def test_a_long_right_to_left_or_many_line_title_stays_one_short_item(tray):
    """A title holds a program's or IT's words: 500 characters, a newline, or a
    direction override (U+202E) must not make a screen-wide, two-line or reversed item."""
    from desktop.ui.tray import MENU_TITLE_CHARS

    tray.tip("\u202eevil.exe\nis busy " + "x" * 500, BUSY_TEXT, 7200)
    item = tray.actions["last_tip"].text()
    title = item.removeprefix("Last tip: ")
    assert title.startswith("\u2068") and title.endswith("…\u2069")
    assert len(title) == MENU_TITLE_CHARS + 2  # the isolates around it
    assert "\u202e" not in item and "\n" not in item
    # The notification has the whole title, on one line, without the override.
    assert tray.balloons[-1][0] == "evil.exe is busy " + "x" * 500
