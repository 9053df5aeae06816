"""Reading "is now a bad moment for a tip?" from each platform's own answer."""

from __future__ import annotations

from pathlib import Path

from desktop import quiet_time

DATA = Path(__file__).parent.parent / "data" / "quiet"


def test_kde_and_freedesktop_inhibition_is_read_from_the_dbus_property():
    assert quiet_time.dbus_inhibited((DATA / "gdbus_inhibited_true.txt").read_text())
    assert not quiet_time.dbus_inhibited((DATA / "gdbus_inhibited_false.txt").read_text())
    assert not quiet_time.dbus_inhibited(None)  # no such server or property: nothing known


def test_macos_focus_is_on_only_with_an_assertion_record(tmp_path):
    assert quiet_time.macos_focus((DATA / "macos_assertions_focus_on.json").read_text())
    assert not quiet_time.macos_focus((DATA / "macos_assertions_focus_off.json").read_text())
    assert not quiet_time.macos_focus("not json")
    db = tmp_path / "Library/DoNotDisturb/DB"
    db.mkdir(parents=True)
    assert quiet_time.macos(tmp_path) is None
    (db / "Assertions.json").write_text((DATA / "macos_assertions_focus_on.json").read_text())
    assert quiet_time.macos(tmp_path) == quiet_time.DO_NOT_DISTURB


def test_windows_notification_states_follow_shellapi_h():
    states = quiet_time.WINDOWS_STATES
    assert states[5] is None  # QUNS_ACCEPTS_NOTIFICATIONS
    assert states[2] == states[3] == states[7] == quiet_time.FULL_SCREEN
    assert states[4] == quiet_time.PRESENTING
    assert states[6] == quiet_time.DO_NOT_DISTURB


def test_the_linux_reading_asks_each_source_and_a_missing_tool_says_nothing(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")
    answers = {
        "xprop -root _NET_ACTIVE_WINDOW": "_NET_ACTIVE_WINDOW(WINDOW): window id # 0x1a00003\n",
        "xprop -id 0x1a00003 _NET_WM_STATE": "_NET_WM_STATE(ATOM) = _NET_WM_STATE_FOCUSED\n",
        "gsettings get org.gnome.desktop.notifications show-banners": "true\n",
    }
    asked: list[str] = []

    def run(args):
        asked.append(" ".join(args[:3]))
        return answers.get(" ".join(args))

    assert quiet_time.linux(run) is None
    assert asked[-1].startswith("gdbus call")  # KDE's inhibition asked last
    answers["xprop -id 0x1a00003 _NET_WM_STATE"] = (
        "_NET_WM_STATE(ATOM) = _NET_WM_STATE_FULLSCREEN, _NET_WM_STATE_FOCUSED\n"
    )
    assert quiet_time.linux(run) == quiet_time.FULL_SCREEN
    assert quiet_time.linux(lambda args: None) is None
