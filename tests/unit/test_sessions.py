"""One Ally per graphical session: the single-instance socket's name carries the display
the session shows on, and the folder the Ally keeps its data in."""

from __future__ import annotations

import pytest

from desktop.start.tray_link import graphical_session, instance_key


@pytest.mark.parametrize(
    "env,platform,session",
    [
        ({"DISPLAY": ":0"}, "linux", "x0"),
        ({"DISPLAY": ":0.0"}, "linux", "x0"),  # a screen of display :0 is display :0
        ({"DISPLAY": "unix:0"}, "linux", "x0"),
        ({"DISPLAY": ":10"}, "linux", "x10"),  # a remote desktop (xrdp) beside the console
        ({"DISPLAY": "localhost:10.0"}, "linux", "xlocalhost10"),  # SSH's X11 forwarding
        # Wayland with XWayland: the Wayland display is the session's.
        ({"WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":0"}, "linux", "wlwayland-1"),
        ({"WAYLAND_DISPLAY": "/run/user/1000/wayland-0"}, "linux", "wlwayland-0"),
        ({"XDG_SESSION_ID": "3"}, "linux", ""),  # a terminal over SSH: no graphical session
        ({}, "darwin", "aqua"),
    ],
)
def test_each_graphical_session_has_its_own_name(env, platform, session):
    assert graphical_session(env, platform) == session


def test_windows_sessions_are_told_apart_by_their_id():
    # Not on Windows here: ProcessIdToSessionId is missing, and the session's name is used.
    assert graphical_session({"SESSIONNAME": "RDP-Tcp#3"}, "win32") == "sRDP-Tcp#3"


def test_two_displays_of_one_account_are_two_allys_and_one_display_is_one(tmp_path):
    home = {"ALLY_HOME": str(tmp_path / "home")}
    first = instance_key({**home, "DISPLAY": ":0"})
    assert first == instance_key({**home, "DISPLAY": ":0.0"})
    assert first != instance_key({**home, "DISPLAY": ":1"})
    # Another data folder is another Ally (a test's, a second profile IT set up).
    assert first != instance_key({"ALLY_HOME": str(tmp_path / "other"), "DISPLAY": ":0"})


def test_the_name_is_a_plain_file_name_whatever_the_display_says(tmp_path):
    key = instance_key({"ALLY_HOME": str(tmp_path), "DISPLAY": "../../etc/x:1\n"})
    assert "/" not in key and "\n" not in key and key.startswith("ally-")
