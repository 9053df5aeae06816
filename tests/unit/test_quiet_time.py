"""Reading "is now a bad moment for a tip?" from each platform's own answer."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.showing import quiet_time

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


LINUX = Path(__file__).parent.parent / "data" / "linux"


def test_focus_assist_values_are_decoded_as_windows_writes_them():
    assert quiet_time.focus_assist((0).to_bytes(4, "little")) is None  # off
    assert quiet_time.focus_assist((1).to_bytes(4, "little")) == quiet_time.DO_NOT_DISTURB
    assert quiet_time.focus_assist((2).to_bytes(4, "little")) == quiet_time.DO_NOT_DISTURB
    assert quiet_time.focus_assist((7).to_bytes(4, "little")) is None  # unknown: not a guess
    assert quiet_time.focus_assist(b"\x01") is None  # too short to be the DWORD
    assert quiet_time.focus_assist(None) is None  # the call failed
    assert quiet_time.WNF_QUIET_HOURS_PROFILE.to_bytes(8, "little") == bytes.fromhex(
        "751cbfa33e06830d"
    )  # Data[0] = 0xA3BF1C75, Data[1] = 0x0D83063E, as the published readers write it


def test_a_screen_share_is_told_from_a_camera_in_pw_dump_output():
    from desktop.showing import screen_cast

    captured = (LINUX / "pw_dump_cast_and_camera.json").read_text()
    assert screen_cast.sharing(captured)
    without_cast = [o for o in json.loads(captured) if "xdpw" not in json.dumps(o.get("info", {}))]
    assert not screen_cast.sharing(json.dumps(without_cast))  # the camera alone
    assert screen_cast.sharing((LINUX / "pw_dump_gnome_screencast_node.json").read_text())
    kwin = {
        "type": "PipeWire:Interface:Node",
        "info": {"props": {"media.name": "kwin-screencast-0x5581"}},
    }
    assert screen_cast.sharing(json.dumps([kwin]))
    for broken in (None, "", "not json", "{}", "[1, null, []]", "[" * 100_000, '[{"type": 5}]'):
        assert not screen_cast.sharing(broken)


def test_pw_dump_is_looked_up_once_and_never_run_when_absent(tmp_path, monkeypatch):
    from desktop.showing import screen_cast

    monkeypatch.setenv("PATH", str(tmp_path))  # no pw-dump, no other tool either
    monkeypatch.delenv("DISPLAY", raising=False)
    screen_cast.pw_dump.cache_clear()
    asked: list[str] = []

    def run(args):
        asked.append(args[0])
        return None

    assert quiet_time.linux(run) is None
    assert not any("pw-dump" in a for a in asked)
    tool = tmp_path / "pw-dump"
    tool.write_text("#!/bin/sh\necho '[]'\n")
    tool.chmod(0o755)
    assert quiet_time.linux(run) is None
    assert not any("pw-dump" in a for a in asked)  # the fact was kept: still not asked
    screen_cast.pw_dump.cache_clear()  # a new run of Ally looks again
    quiet_time.linux(run)
    assert any(a.endswith("pw-dump") for a in asked)
    screen_cast.pw_dump.cache_clear()


def test_a_tool_that_prints_bytes_that_are_not_utf8_still_answers(tmp_path):
    """A real program printing invalid UTF-8 (as a window manager's name may be): the
    answer is read, not an error in the tray's status check."""
    tool = tmp_path / "odd-tool"
    tool.write_text("#!/bin/sh\nprintf 'false\\377\\376\\n'\n")
    tool.chmod(0o755)
    out = quiet_time.run_tool([str(tool)])
    assert out is not None and out.startswith("false") and "\ufffd" in out
    assert quiet_time.run_tool([str(tmp_path / "missing-tool")]) is None
